package warehouse_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/warehouse"
)

// waitDone fails the test unless m's server is reported gone; the bound only
// keeps a broken watch from hanging the test.
func waitDone(t *testing.T, m *warehouse.Managed, what string) {
	t.Helper()
	select {
	case <-m.Done():
	case <-time.After(60 * time.Second):
		t.Fatalf("%s: Done was not closed", what)
	}
}

// TestManagedBorrowedBesideOwner starts a server and then StartManaged again
// on its dir, as a CLI command beside `serve` does: the second call uses the
// running server instead of stopping it, its Stop leaves the server to its
// owner, and when the owner stops the server a borrower learns of it. Once
// the owner is gone, the next start owns the dir again.
func TestManagedBorrowedBesideOwner(t *testing.T) {
	requireBinary(t)
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "clickhouse")

	owner := startManaged(t, dir)
	conn := open(t, owner.DSN())
	createNotes(t, conn)
	insertNote(t, conn, 1, "written through the owner")

	borrower := startManaged(t, dir)
	if owner.Borrowed() || !borrower.Borrowed() {
		t.Fatalf("Borrowed() = %v for the owner, %v for the second start; want false, true", owner.Borrowed(), borrower.Borrowed())
	}
	if borrower.Pid() != owner.Pid() || borrower.TCPAddr() != owner.TCPAddr() || borrower.DSN() != owner.DSN() {
		t.Fatalf("borrower has pid %d at %s, owner pid %d at %s", borrower.Pid(), borrower.TCPAddr(), owner.Pid(), owner.TCPAddr())
	}
	if n := countRows(t, open(t, borrower.DSN()), "notes"); n != 1 {
		t.Fatalf("borrower sees %d rows, want 1", n)
	}
	if err := borrower.Stop(); err != nil {
		t.Fatalf("borrower Stop: %v", err)
	}
	select {
	case <-owner.Done():
		t.Fatalf("the owner's server exited when a borrower stopped: %v", owner.Err())
	default:
	}
	if !alive(owner.Pid()) {
		t.Fatalf("the owner's server (pid %d) died when a borrower stopped", owner.Pid())
	}
	insertNote(t, conn, 2, "written after the borrower stopped")
	conn.Close()

	watcher := startManaged(t, dir)
	if !watcher.Borrowed() {
		t.Fatal("a third start beside the live owner did not borrow")
	}
	if err := owner.Stop(); err != nil {
		t.Fatalf("owner Stop: %v", err)
	}
	waitDone(t, watcher, "borrower after the owner stopped its server")
	if err := watcher.Err(); err == nil || !strings.Contains(err.Error(), "owns it") {
		t.Errorf("borrower's Err() = %v, want one saying the owning process exited", err)
	}

	next := startManaged(t, dir)
	if next.Borrowed() || next.Pid() == owner.Pid() {
		t.Fatalf("after the owner stopped, a new start borrowed=%v pid=%d (old pid %d); want its own server", next.Borrowed(), next.Pid(), owner.Pid())
	}
	if n := countRows(t, open(t, next.DSN()), "notes"); n != 2 {
		t.Fatalf("new owner sees %d rows, want 2", n)
	}
}

// TestBorrowerOfKilledOwner borrows the server of another process, which is
// then killed with SIGKILL: its server dies with it (Pdeathsig), the borrower
// is told, and the kernel has released the dir's lock, so the next start owns
// the dir.
func TestBorrowerOfKilledOwner(t *testing.T) {
	requireBinary(t)
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "clickhouse")
	owner, pid := ownerHelper(t, dir)

	borrower := startManaged(t, dir)
	if !borrower.Borrowed() || borrower.Pid() != pid {
		t.Fatalf("start beside a live owner: borrowed=%v pid=%d, want the owner's server pid %d", borrower.Borrowed(), borrower.Pid(), pid)
	}
	if err := owner.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = owner.Wait()
	waitDone(t, borrower, "borrower after its owner was killed")
	if err := borrower.Err(); err == nil || !strings.Contains(err.Error(), "exited") {
		t.Errorf("borrower's Err() = %v, want one saying the owning process exited", err)
	}

	next := startManaged(t, dir)
	if next.Borrowed() || next.Pid() == pid {
		t.Fatalf("after the owner was killed, a new start borrowed=%v pid=%d; want its own server", next.Borrowed(), next.Pid())
	}
}
