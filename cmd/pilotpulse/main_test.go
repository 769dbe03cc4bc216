package main

import (
	"os"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/testbinary"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	warehousetest.Shutdown()
	testbinary.Remove()
	os.Exit(code)
}
