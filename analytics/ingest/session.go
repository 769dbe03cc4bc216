// The session of a source: its leader goroutine claims the waiting calls
// group by group (step 1) and answers them, and runs one piece of
// ClickHouse work at a time: an insert of the groups claimed meanwhile
// (step 2, then step 3), or, when the source has a backlog (batches a
// crash or a failed insert left pending), a drain of it, oldest batch first
// (reconcile, settle.go), before any newer batch is inserted.
//
// ClickHouse being down does not stop the session: the calls are still
// claimed and answered from the ledger, up to the backlog's bound
// (backlog.go), and ClickHouse is tried again every retryBacklog, by the
// session while calls come, else by Run. Duplicates are found as ever:
// the keys of pending batches are in the ledger like those of stored ones.

package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// retryBacklog is how long ClickHouse is left alone after a failed insert
// or drain.
const retryBacklog = time.Second

// session is the state of a source's leader goroutine.
type session struct {
	i      *Ingester
	source string
	q      *sourceQueue

	work    *insertion // the ClickHouse work running (nil: none)
	drainTo int64      // while work is a drain: the newest batch it settles (else 0)

	// claimed are the flights claimed and not yet in an insert, oldest
	// first, all newer than backlogTo.
	claimed       []*flight
	claimedEvents int

	// backlogTo is the newest pending batch of the source that is not in
	// claimed (0: none): left by a crash or a failed insert, or dropped from
	// memory by spill. The source's pending batches up to it are drained
	// before claimed is inserted.
	backlogTo int64
}

// lead stores the waiting calls of a source until none is left. If the
// session fails (the ledger, or batches from before the spool that cannot
// be settled), the calls still waiting fail; what it claimed stays pending
// and is settled by the next session or by Run.
func (i *Ingester) lead(ctx context.Context, source string, q *sourceQueue) {
	unlock, err := i.lock(ctx, source, true)
	if err != nil {
		i.drainAfterFailure(q, err)
		return
	}
	defer unlock()
	s := &session{i: i, source: source, q: q}
	if err := s.run(ctx); err != nil {
		if s.work != nil {
			<-s.work.done // the next session must find it finished
		}
		i.drainAfterFailure(q, err)
	}
}

// start finds the source's backlog. Batches claimed by a version before
// the spool (keys only) are settled first, as their callers were never
// answered and settling may release keys: nothing is claimed before, so
// this needs ClickHouse.
func (s *session) start(ctx context.Context) error {
	var last, keysOnly int64
	if err := s.i.db.QueryRowContext(ctx, `SELECT coalesce(max(id), 0), coalesce(sum(payload IS NULL), 0)
		FROM ingest_batches WHERE source = ? AND state = 'pending'`, s.source).Scan(&last, &keysOnly); err != nil {
		return fmt.Errorf("analytics: pending batches: %w", err)
	}
	if keysOnly > 0 {
		rctx, cancel := context.WithTimeout(ctx, stepTimeout)
		defer cancel()
		return s.i.reconcile(rctx, s.source, last)
	}
	s.backlogTo = last
	return nil
}

func (s *session) run(ctx context.Context) error {
	if err := s.start(ctx); err != nil {
		return err
	}
	for {
		if s.work == nil {
			switch {
			case s.backlogTo > 0 && !time.Now().Before(s.q.retryAt):
				s.startDrain(ctx)
			case s.backlogTo == 0 && len(s.claimed) > 0:
				s.work = s.i.startInsert(ctx, s.source, s.claimed)
				s.claimed, s.claimedEvents = nil, 0
			}
		}
		if s.backlogTo > 0 && s.claimedEvents >= maxGroupEvents {
			s.spill()
		}
		if s.claimedEvents < maxGroupEvents {
			// With no work running nothing but calls keeps the session:
			// without them it ends (a backlog waiting for a retry is Run's,
			// or the next session's).
			idle := s.work == nil
			if group := s.i.next(s.q, idle); group != nil {
				if err := s.take(ctx, group); err != nil {
					return err
				}
				continue
			}
			if idle {
				return nil // next ended the leadership
			}
		}
		select {
		case err := <-s.work.done:
			if err := s.finish(ctx, err); err != nil {
				return err
			}
		case <-s.q.notify:
			// a call came in: claim it while the work runs
		}
	}
}

// take claims a group (those of its calls the backlog has room for) and
// answers its calls.
func (s *session) take(ctx context.Context, group []*storeReq) error {
	cctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	taken, err := s.i.admit(cctx, group)
	if err == nil && len(taken) > 0 {
		group = taken // the others are answered
		var f *flight
		if f, err = s.i.claimGroup(cctx, s.source, taken); err == nil && f.rows > 0 {
			s.i.backlogAdd(int64(f.rows), int64(len(f.payload)))
			s.claimed = append(s.claimed, f)
			s.claimedEvents += f.rows
		}
	}
	if err != nil {
		for _, r := range group {
			r.done <- storeRes{err: err}
		}
	}
	return err
}

// spill drops the claimed flights from memory while the backlog waits:
// they are pending in the ledger and drained from there, so the memory a
// long outage takes stays bounded.
func (s *session) spill() {
	s.backlogTo = s.claimed[len(s.claimed)-1].batchID
	s.claimed, s.claimedEvents = nil, 0
}

// startDrain settles the source's pending batches up to backlogTo, oldest
// first, in the background.
func (s *session) startDrain(ctx context.Context) {
	to := s.backlogTo
	w := &insertion{done: make(chan error, 1)}
	s.work, s.drainTo = w, to
	go func() {
		dctx, cancel := context.WithTimeout(ctx, stepTimeout)
		defer cancel()
		w.done <- s.i.reconcile(dctx, s.source, to)
	}()
}

// finish takes the end of the work: an insert that succeeded is marked
// stored; ClickHouse failing leaves the batches in the backlog, tried again
// after retryBacklog. Only other failures (the ledger) end the session.
func (s *session) finish(ctx context.Context, err error) error {
	w, drained := s.work, s.drainTo
	s.work, s.drainTo = nil, 0
	switch {
	case drained > 0 && err == nil:
		if s.backlogTo == drained {
			s.backlogTo = 0 // caught up: what was claimed meanwhile is in claimed
		}
	case drained > 0 && !errors.Is(err, ErrUnavailable):
		return err
	case drained > 0:
		s.failed(err)
		return nil
	case err != nil:
		s.backlogTo = max(s.backlogTo, w.flights[len(w.flights)-1].batchID)
		s.failed(fmt.Errorf("%w: %w", ErrUnavailable, err))
		return nil
	default:
		fctx, cancel := context.WithTimeout(ctx, stepTimeout)
		defer cancel()
		if err := s.i.complete(fctx, w); err != nil {
			return err
		}
		var rows, bytes int64
		for _, f := range w.flights {
			rows, bytes = rows+int64(f.rows), bytes+int64(len(f.payload))
		}
		s.i.backlogAdd(-rows, -bytes)
	}
	if s.q.failing {
		s.q.failing = false
		s.i.logger.Info("ClickHouse answers again; the source's backlog is being inserted", "source", s.source)
	}
	return nil
}

// failed notes that ClickHouse failed: tried again after retryBacklog,
// logged once until it answers.
func (s *session) failed(err error) {
	s.q.retryAt = time.Now().Add(retryBacklog)
	if !s.q.failing {
		s.q.failing = true
		s.i.logger.Warn("ClickHouse failed; the source's events are kept in the ledger's backlog until it answers",
			"source", s.source, "err", err)
	}
}
