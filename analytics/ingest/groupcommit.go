// Before step 1: the group commit. Calls for a source wait in its queue;
// the source's leader goroutine (a session, session.go) takes them in
// groups, has each group claimed (step 1, claim.go) and answered, and runs
// one ClickHouse insert at a time (step 2, insert.go) for the groups
// claimed meanwhile, then marks their batches stored (step 3, settle.go).

package ingest

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/event"
)

func (i *Ingester) submit(ctx context.Context, source string, events []event.Event) (accepted, duplicates int, err error) {
	if source == "" {
		return 0, 0, errors.New("analytics: store events: no source")
	}
	if len(events) == 0 {
		return 0, 0, nil
	}
	// Group commit: calls for the same source that arrive while one is being
	// stored are stored together, as one batch per group (one ledger
	// transaction), and one ClickHouse insert for all groups claimed while
	// the previous insert ran, by the source's leader goroutine.
	req := &storeReq{events: events, done: make(chan storeRes, 1)}
	i.mu.Lock()
	q := i.queues[source]
	if q == nil {
		q = &sourceQueue{notify: make(chan struct{}, 1)}
		i.queues[source] = q
	}
	q.waiting = append(q.waiting, req)
	lead := !q.leading
	q.leading = true
	if lead {
		i.sessions++
	}
	i.mu.Unlock()
	select {
	case q.notify <- struct{}{}:
	default:
	}
	if lead {
		// The session runs while calls keep coming, so it runs on its own
		// goroutine (this caller is answered as soon as its group is claimed),
		// bound to no caller's request; each step has its own time limit.
		go func() {
			defer i.sessionEnded()
			i.lead(context.WithoutCancel(ctx), source, q)
		}()
	}
	select {
	case res := <-req.done:
		return res.accepted, res.duplicates, res.err
	case <-ctx.Done():
	}
	// The caller gave up. A call still waiting is withdrawn (nothing of it
	// is stored); one being claimed is answered soon, and that answer holds.
	i.mu.Lock()
	for n, r := range q.waiting {
		if r == req {
			q.waiting = slices.Delete(q.waiting, n, n+1)
			i.mu.Unlock()
			return 0, 0, ctx.Err()
		}
	}
	i.mu.Unlock()
	res := <-req.done
	return res.accepted, res.duplicates, res.err
}

func (i *Ingester) sessionEnded() {
	i.mu.Lock()
	i.sessions--
	last := i.sessions == 0
	if last && i.idle != nil {
		close(i.idle)
		i.idle = nil
	}
	i.mu.Unlock()
	if last {
		i.releaseLedgerConn()
	}
}

// maxGroupEvents bounds how many events one group takes, and how many may
// be claimed while an insert runs (the backlog of spooled events in memory).
const maxGroupEvents = 100_000

type storeReq struct {
	events []event.Event
	done   chan storeRes
}

type storeRes struct {
	accepted, duplicates int
	err                  error
}

type sourceQueue struct {
	waiting []*storeReq
	leading bool
	notify  chan struct{} // a call was queued

	// Kept from one session of the source to the next (only its leader
	// touches them): when ClickHouse is tried again after a failure, and
	// whether the failure was logged.
	retryAt time.Time
	failing bool
}

// next takes the next group of waiting calls (nil when none wait); when
// none wait and stop is set it also ends the leadership, atomically.
func (i *Ingester) next(q *sourceQueue, stop bool) []*storeReq {
	i.mu.Lock()
	defer i.mu.Unlock()
	var group []*storeReq
	n := 0
	for len(q.waiting) > 0 && (len(group) == 0 || n+len(q.waiting[0].events) <= maxGroupEvents) {
		group = append(group, q.waiting[0])
		n += len(q.waiting[0].events)
		q.waiting = q.waiting[1:]
	}
	if len(group) == 0 && stop {
		q.leading = false
	}
	return group
}

// flight is a claimed group (its batch is pending, its callers answered):
// what the next insert needs of it. Its new events are kept only in their
// compact form (payload), so a backlog takes little memory.
type flight struct {
	batchID int64  // 0: nothing new, no batch
	origin  string // the origin its events were claimed under
	rows    int    // how many new events
	payload []byte // the new events (encodeSpool)
}

// insertion is one ClickHouse insert of the new events of several flights.
type insertion struct {
	flights []*flight
	done    chan error
}

// pingTimeout bounds a question to ClickHouse that must be quick (the
// settings of inserts, insertContext).
const pingTimeout = 5 * time.Second

// startInsert inserts the new events of the flights (step 2) in the background.
func (i *Ingester) startInsert(ctx context.Context, source string, flights []*flight) *insertion {
	ins := &insertion{flights: flights, done: make(chan error, 1)}
	go func() {
		ictx, cancel := context.WithTimeout(ctx, stepTimeout)
		defer cancel()
		ins.done <- i.insert(ictx, source, flights)
	}()
	return ins
}

// complete marks the batches of an insert that succeeded stored (step 3).
func (i *Ingester) complete(ctx context.Context, ins *insertion) error {
	var ids []int64
	for _, f := range ins.flights {
		if f.batchID != 0 {
			ids = append(ids, f.batchID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	if i.afterInsert != nil {
		if err := i.afterInsert(ids[0]); err != nil {
			return err
		}
	}
	return i.markStored(ctx, ids)
}

// answer tells each call of a group its counts: fresh (the indexes of the
// new events) is ascending, so it is shared out by the calls' offsets.
func answer(group []*storeReq, fresh []int) {
	off, k := 0, 0
	for _, r := range group {
		end := off + len(r.events)
		acc := 0
		for k < len(fresh) && fresh[k] < end {
			acc++
			k++
		}
		r.done <- storeRes{accepted: acc, duplicates: len(r.events) - acc}
		off = end
	}
}

// stepTimeout bounds each step of a group (settling, claiming, inserting,
// marking stored).
const stepTimeout = 5 * time.Minute

// drainAfterFailure fails the calls waiting when a session ends with an
// error (the ledger failed, or batches from before the spool could not be
// settled): nothing of them is stored. Callers retry.
func (i *Ingester) drainAfterFailure(q *sourceQueue, err error) {
	for {
		g := i.next(q, true)
		if g == nil {
			return
		}
		for _, r := range g {
			r.done <- storeRes{err: err}
		}
	}
}
