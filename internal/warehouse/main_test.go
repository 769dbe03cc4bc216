package warehouse_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/warehouse"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
)

// helperDirEnv makes the test binary act as an app that owns a managed
// server: it starts one on the folder named by the variable, prints
// "PID <server pid>" and, on SIGTERM, stops it and exits.
const helperDirEnv = "PILOTPULSE_WAREHOUSE_TEST_HELPER_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperDirEnv); dir != "" {
		os.Exit(runOwnerHelper(dir))
	}
	code := m.Run()
	warehousetest.Shutdown()
	os.Exit(code)
}

func runOwnerHelper(dir string) int {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	m, err := warehouse.StartManaged(ctx, dir, logger)
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "helper: %v\n", err)
		return 2
	}
	fmt.Printf("PID %d\n", m.Pid())
	sig := <-sigs
	logger.Info("helper got signal", "signal", sig)
	if err := m.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "helper: stop: %v\n", err)
		return 3
	}
	return 0
}
