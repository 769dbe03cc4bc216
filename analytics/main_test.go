package analytics

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	warehousetest.Shutdown()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// PilotpulseBinary builds cmd/pilotpulse once per test run (for the tests
// that run and kill the real binary, here and in analytics_test) and
// returns its path.
func PilotpulseBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "pilotpulse-bin-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "pilotpulse")
		if out, err := exec.Command("go", "build", "-o", binPath, "github.com/pilotpulse/pilotpulse/cmd/pilotpulse").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}
