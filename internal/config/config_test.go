package config

import (
	"flag"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return Load(fs, func(k string) string { return env[k] })
}

func TestDefaultsEnvironmentAndFlags(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.BaseURL != "http://127.0.0.1:8080" || c.ClickHouseDSN != "" || !strings.HasSuffix(c.DataDir, "/data") {
		t.Fatalf("defaults: %+v", c)
	}
	env := map[string]string{"PILOTPULSE_ADDR": "0.0.0.0:9000", "PILOTPULSE_SESSION_IDLE": "45m", "PILOTPULSE_BASE_URL": "https://pilot.example.dk/"}
	c, err = load(t, env, "-addr", "127.0.0.1:9100")
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9100" {
		t.Errorf("the flag must win over the environment: %s", c.Addr)
	}
	if c.SessionIdle != 45*time.Minute || c.BaseURL != "https://pilot.example.dk" || !c.SecureCookies {
		t.Errorf("environment not applied: %+v", c)
	}
}

func TestValidationNamesTheVariable(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"PILOTPULSE_ADDR": "8080"}, "PILOTPULSE_ADDR"},
		{map[string]string{"PILOTPULSE_CLICKHOUSE_DSN": "http://localhost:8123"}, "PILOTPULSE_CLICKHOUSE_DSN"},
		{map[string]string{"PILOTPULSE_BASE_URL": "ftp://x"}, "PILOTPULSE_BASE_URL"},
		{map[string]string{"PILOTPULSE_LOG_LEVEL": "loud"}, "PILOTPULSE_LOG_LEVEL"},
		{map[string]string{"PILOTPULSE_SESSION_IDLE": "soon"}, "PILOTPULSE_SESSION_IDLE"},
		{map[string]string{"PILOTPULSE_SESSION_IDLE": "24h", "PILOTPULSE_SESSION_ABSOLUTE": "1h"}, "PILOTPULSE_SESSION_IDLE"},
	} {
		_, err := load(t, tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err %v, want one naming %s", tc.env, err, tc.want)
		}
	}
}
