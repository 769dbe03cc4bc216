// Package testbinary gives tests the real pilotpulse binary, built once per
// test process with the flags of the Makefile's build (CGO_ENABLED=0,
// -trimpath), or the one named by PILOTPULSE_TEST_BINARY (`make test`
// builds bin/pilotpulse first and exports its absolute path, so a whole
// `go test ./...` run shares one build).
//
// A package using Path removes its build in TestMain:
//
//	func TestMain(m *testing.M) { code := m.Run(); testbinary.Remove(); os.Exit(code) }
package testbinary

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
)

// Env names an already built binary to use instead of building one.
const Env = "PILOTPULSE_TEST_BINARY"

// Package is what is built.
const Package = "github.com/pilotpulse/pilotpulse/cmd/pilotpulse"

var (
	once sync.Once
	dir  string // the temporary build's folder; empty when Env named the binary
	path string
	err  error
)

// Path returns the pilotpulse binary's path, building it on first use.
func Path(t testing.TB) string {
	t.Helper()
	once.Do(func() { path, err = find() })
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func find() (string, error) {
	if p := os.Getenv(Env); p != "" {
		if !filepath.IsAbs(p) {
			return "", fmt.Errorf("%s=%s: want an absolute path (tests run in their package's folder)", Env, p)
		}
		if st, err := os.Stat(p); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return "", fmt.Errorf("%s=%s: not an executable file (%v)", Env, p, err)
		}
		return p, nil
	}
	d, err := os.MkdirTemp("", "pilotpulse-bin-")
	if err != nil {
		return "", err
	}
	dir = d
	bin := filepath.Join(d, "pilotpulse")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, Package)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // not left building when a timed-out test run is killed
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", Package, err, out)
	}
	return bin, nil
}

// Remove deletes the binary Path built (not one named by PILOTPULSE_TEST_BINARY).
func Remove() {
	if dir != "" {
		os.RemoveAll(dir)
	}
}
