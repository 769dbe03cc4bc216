// Serialising: one session or settling per source at a time, in this
// process (a channel) and across processes (a flock in DATA_DIR/locks).

package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// errBusy: the source is being stored (lock without waiting).
var errBusy = errors.New("analytics: source busy")

// lock serialises storing and settling per source: a channel within this
// process, a flock on DATA_DIR/locks/source-HASH.lock across processes (the
// CLI import and a running server). Without wait it fails with errBusy
// unless the lock is free now.
func (i *Ingester) lock(ctx context.Context, source string, wait bool) (func(), error) {
	i.mu.Lock()
	ch := i.locks[source]
	if ch == nil {
		ch = make(chan struct{}, 1)
		i.locks[source] = ch
	}
	i.mu.Unlock()
	if wait {
		select {
		case ch <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	} else {
		select {
		case ch <- struct{}{}:
		default:
			return nil, errBusy
		}
	}
	release := func() { <-ch }
	if err := os.MkdirAll(i.lockDir, 0o700); err != nil {
		release()
		return nil, fmt.Errorf("analytics: lock folder: %w", err)
	}
	sum := sha256.Sum256([]byte(source))
	f, err := os.OpenFile(filepath.Join(i.lockDir, "source-"+hex.EncodeToString(sum[:8])+".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		release()
		return nil, fmt.Errorf("analytics: lock file: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			release()
			return nil, fmt.Errorf("analytics: lock source %s: %w", source, err)
		}
		if !wait && errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			release()
			return nil, errBusy
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			f.Close()
			release()
			return nil, ctx.Err()
		}
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
		release()
	}, nil
}
