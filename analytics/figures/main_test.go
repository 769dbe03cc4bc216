package figures

import (
	"testing"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
)

func TestMain(m *testing.M) { analyticstest.Main(m) }
