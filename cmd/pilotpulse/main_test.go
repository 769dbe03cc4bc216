package main

import (
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/testbinary"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
)

func TestMain(m *testing.M) { warehousetest.Main(m, testbinary.Remove) }
