package app_test

import (
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
)

func TestMain(m *testing.M) { warehousetest.Main(m) }
