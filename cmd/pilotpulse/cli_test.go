package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type cliResult struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, dataDir, stdin string, args ...string) cliResult {
	t.Helper()
	return runCLIEnv(t, map[string]string{"PILOTPULSE_DATA_DIR": dataDir}, stdin, args...)
}

// runCLIEnv runs the CLI with only the environment variables of vars.
func runCLIEnv(t *testing.T, vars map[string]string, stdin string, args ...string) cliResult {
	t.Helper()
	var out, errb bytes.Buffer
	e := env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb,
		getenv: func(k string) string { return vars[k] }}
	err := run(context.Background(), args, e)
	code := exitCode(err, &errb)
	return cliResult{code, out.String(), errb.String()}
}

func TestCLIUsersTokensAndExitCodes(t *testing.T) {
	dir := t.TempDir()
	r := runCLI(t, dir, "a-good-long-password\n", "user", "add", "--email", "Lead@Example.dk", "--role", "admin")
	if r.code != 0 || !strings.Contains(r.stdout, "created admin user lead@example.dk") {
		t.Fatalf("user add: %+v", r)
	}
	r = runCLI(t, dir, "a-good-long-password\n", "user", "add", "--email", "lead@example.dk", "--role", "admin")
	if r.code != 1 || !strings.Contains(r.stderr, "already exists") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("duplicate user: want exit 1 and one line, got %+v", r)
	}
	r = runCLI(t, dir, "", "user", "add", "--email", "x@example.dk", "--role", "boss")
	if r.code != 2 || !strings.Contains(r.stderr, "unknown role") {
		t.Fatalf("bad role: want exit 2, got %+v", r)
	}
	r = runCLI(t, dir, "short\n", "user", "add", "--email", "y@example.dk", "--role", "manager")
	if r.code != 1 || !strings.Contains(r.stderr, "at least 12 characters") {
		t.Fatalf("short password: %+v", r)
	}
	r = runCLI(t, dir, "", "token", "create", "--user", "lead@example.dk")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || !strings.HasPrefix(lines[len(lines)-1], "pp_") || strings.Contains(lines[len(lines)-1], " ") {
		t.Fatalf("token create: the token must stand alone on the last line: %+v", r)
	}
	r = runCLI(t, dir, "", "token", "create", "--source", "upstream")
	lines = strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || !strings.HasPrefix(lines[len(lines)-1], "pp_") {
		t.Fatalf("source token: %+v", r)
	}
	if r := runCLI(t, dir, "", "token", "create"); r.code != 2 {
		t.Fatalf("token create without owner: exit %d, want 2", r.code)
	}
	if r := runCLI(t, dir, "", "frobnicate"); r.code != 2 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: %+v", r)
	}
	if r := runCLI(t, dir, "", "serve", "--addr", "nonsense"); r.code != 1 || !strings.Contains(r.stderr, "PILOTPULSE_ADDR") {
		t.Fatalf("bad config: %+v", r)
	}
}

func TestCLIImportRegistry(t *testing.T) {
	dir := t.TempDir()
	files := t.TempDir()
	good := filepath.Join(files, "authorities.csv")
	os.WriteFile(good, []byte("cvr;name;kind;weekly_target\n12345674;Styrelsen for Test;state;250\n"), 0o600)
	bad := filepath.Join(files, "bad.csv")
	os.WriteFile(bad, []byte("cvr;name;kind\n12345674;Ok;state\n1234567;Short;state\n"), 0o600)
	r := runCLI(t, dir, "", "import", "authorities", good)
	if r.code != 0 || !strings.Contains(r.stdout, "1 created") {
		t.Fatalf("import: %+v", r)
	}
	r = runCLI(t, dir, "", "import", "authorities", bad)
	if r.code != 1 || !strings.Contains(r.stderr, "bad.csv: row 3, column cvr: must be 8 digits") {
		t.Fatalf("bad import: %+v", r)
	}
	r = runCLI(t, dir, "", "import", "authorities", good)
	if r.code != 0 || !strings.Contains(r.stdout, "0 created, 0 updated, 1 unchanged") {
		t.Fatalf("re-import: %+v", r)
	}
	r = runCLI(t, dir, "pw-long-enough-1\n", "user", "add", "--email", "st@example.dk", "--role", "authority", "--authority", "12345674")
	if r.code != 0 {
		t.Fatalf("authority user: %+v", r)
	}
	r = runCLI(t, dir, "pw-long-enough-1\n", "user", "add", "--email", "st2@example.dk", "--role", "authority", "--authority", "87654321")
	if r.code != 1 || !strings.Contains(r.stderr, "not in the registry") {
		t.Fatalf("authority user for unknown authority: %+v", r)
	}
}
