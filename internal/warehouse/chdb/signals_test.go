//go:build linux

package chdb

import (
	"syscall"
	"testing"
)

// The Go runtime's handlers, as they were before any engine started.
var handlersAtInit = saveSignalHandlers()

// ClickHouse installs handlers for the deadly signals; the Go runtime needs
// its own there (nil dereferences become panics, preemption uses SIGURG).
func TestGoKeepsItsSignalHandlers(t *testing.T) {
	conn := OpenTest(t)
	if err := conn.Exec(t.Context(), "SELECT count() FROM numbers(1000000)"); err != nil {
		t.Fatal(err)
	}
	now := saveSignalHandlers()
	for _, sig := range []syscall.Signal{syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGFPE, syscall.SIGILL,
		syscall.SIGABRT, syscall.SIGURG, syscall.SIGPIPE, syscall.SIGPROF, syscall.SIGINT, syscall.SIGTERM} {
		if before, after := handlersAtInit[int(sig)], now[int(sig)]; before.handler != after.handler {
			t.Errorf("%v: handler %#x before the engine started, %#x after", sig, before.handler, after.handler)
		}
	}

	var p *int
	recovered := func() (r any) {
		defer func() { r = recover() }()
		_ = *p
		return nil
	}()
	if recovered == nil {
		t.Error("a nil dereference did not panic")
	}
}
