package main

import (
	"os"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	warehousetest.Shutdown()
	os.Exit(code)
}
