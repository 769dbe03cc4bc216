package tabular

// Test hooks of the import limits; the hostile files themselves are made by
// internal/tabular/tabulartest.

import (
	"runtime"
	"sync"
	"time"
)

// HeapGrowth runs f and returns by how much the heap in use grew above what
// it was before, at the highest of samples taken while f ran.
func HeapGrowth(f func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	f()
	close(done)
	wg.Wait()
	return peak - base
}

// HoldSlots takes every import slot, so that the next Read waits, and makes
// Read wait at most wait; the returned function undoes both.
func HoldSlots(wait time.Duration) (undo func()) {
	old := busyWait
	busyWait = wait
	for range MaxParallel {
		slots <- struct{}{}
	}
	return func() {
		for range MaxParallel {
			<-slots
		}
		busyWait = old
	}
}
