package chdb_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/warehouse/chdb"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if err := chdb.Shutdown(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}
