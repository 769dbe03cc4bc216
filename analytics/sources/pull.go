package sources

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/event"
)

// EventStore stores events of one source durably and exactly once: the
// Ingester. The pullers rely on it to recognise events they send again
// after a crash between storing and moving their cursor. Spool returns once
// the events are stored for good (durable in the ledger; ClickHouse gets
// them in the next insert, while the next page is fetched).
//
// While ClickHouse is down a pulled source keeps pulling into the
// ingester's backlog, as pushes keep being acknowledged: the upstream may
// not keep its events for long, and one bound (ingest.BacklogLimit) guards
// the disk for all sources. Past it Spool fails (ingest.ErrBacklogFull):
// the round fails with back-off and the cursor stays, until ClickHouse
// has drained the backlog.
type EventStore interface {
	Spool(ctx context.Context, source string, events []event.Event) (accepted, duplicates int, err error)
}

// PullOptions tune the pullers; zero values take the defaults.
type PullOptions struct {
	// Reload is how often the sources table is re-read for new, changed,
	// disabled and "poll now" sources (default 2 s).
	Reload time.Duration
	// HTTPTimeout bounds one feed request (default 30 s).
	HTTPTimeout time.Duration
	// MaxPageBytes is the largest feed answer read (default 64 MiB).
	MaxPageBytes int64
	// BackoffBase and BackoffMax: after n failures in a row the next
	// attempt waits BackoffBase·2^(n-1), at most BackoffMax (defaults 2 s, 5 min).
	BackoffBase, BackoffMax time.Duration
	// Settle: a directory source skips files modified less than this long
	// ago: they may still be being written (default 2 s).
	Settle time.Duration
	// Client sends the feed requests (default: a client that connects only
	// where the sources' Reach allows).
	Client *http.Client
}

func (o *PullOptions) defaults() {
	if o.Reload <= 0 {
		o.Reload = 2 * time.Second
	}
	if o.HTTPTimeout <= 0 {
		o.HTTPTimeout = 30 * time.Second
	}
	if o.MaxPageBytes <= 0 {
		o.MaxPageBytes = 64 << 20
	}
	if o.BackoffBase <= 0 {
		o.BackoffBase = 2 * time.Second
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = 5 * time.Minute
	}
	if o.Settle == 0 {
		o.Settle = 2 * time.Second
	}
}

// Puller pulls every enabled http-feed and directory source, one
// goroutine per source.
type Puller struct {
	sources *Sources
	store   EventStore
	log     *slog.Logger
	opt     PullOptions
}

// NewPuller returns a puller of the sources that stores with es.
func NewPuller(sources *Sources, es EventStore, logger *slog.Logger, opt PullOptions) *Puller {
	opt.defaults()
	if opt.Client == nil {
		var reach Reach
		if sources != nil {
			reach = sources.reach
		}
		opt.Client = reach.feedClient()
	}
	return &Puller{sources: sources, store: es, log: logger, opt: opt}
}

// RunPullers pulls every enabled source until ctx ends, with the default
// options. Sources created, edited, disabled or asked to "poll now" in the
// UI or CLI are picked up within seconds, without a restart.
func RunPullers(ctx context.Context, sources *Sources, es EventStore, logger *slog.Logger) {
	NewPuller(sources, es, logger, PullOptions{}).Run(ctx)
}

// backoff is the wait after n failures in a row.
func (p *Puller) backoff(n int) time.Duration {
	d := p.opt.BackoffBase
	for i := 1; i < n && d < p.opt.BackoffMax; i++ {
		d *= 2
	}
	return min(d, p.opt.BackoffMax)
}

// Run starts a worker for each enabled pulled source and keeps the set in
// step with the sources table until ctx ends; it returns when every worker
// has stopped.
func (p *Puller) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	var mu sync.Mutex
	running := map[int64]bool{}
	t := time.NewTicker(p.opt.Reload)
	defer t.Stop()
	for {
		srcs, err := p.sources.pulled(ctx)
		if err != nil && ctx.Err() == nil {
			p.log.Warn("pull: reading the sources", "err", err)
		}
		for _, src := range srcs {
			mu.Lock()
			busy := running[src.ID]
			running[src.ID] = true
			mu.Unlock()
			if busy {
				continue
			}
			wg.Add(1)
			go func(id int64) {
				defer wg.Done()
				p.work(ctx, id)
				mu.Lock()
				delete(running, id)
				mu.Unlock()
			}(src.ID)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// work pulls one source until it is disabled or deleted, or ctx ends.
func (p *Puller) work(ctx context.Context, id int64) {
	for ctx.Err() == nil {
		src, err := p.sources.Get(ctx, id)
		if errors.Is(err, ErrSourceNotFound) {
			return
		}
		if err != nil {
			if ctx.Err() == nil {
				p.log.Warn("pull: reading the source", "source_id", id, "err", err)
			}
			if !sleep(ctx, p.opt.Reload) {
				return
			}
			continue
		}
		if !src.Enabled || !src.Pulled() {
			return
		}
		now := time.Now().UTC()
		if next := src.Status.NextAttemptAt; next != nil && now.Before(*next) {
			if !sleep(ctx, min(next.Sub(now), p.opt.Reload)) {
				return
			}
			continue
		}
		warning, err := p.round(ctx, src)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			backoff := p.backoff
			var ra retryAfterError
			if errors.As(err, &ra) { // the upstream said when to come back
				backoff = func(n int) time.Duration { return max(p.backoff(n), ra.after) }
			}
			n, rerr := p.sources.recordFailure(ctx, id, err.Error(), backoff)
			p.log.Warn("pull failed", "source", src.Name, "kind", src.Kind, "failures_in_a_row", n, "retry_in", backoff(n).String(), "err", err)
			if rerr != nil {
				p.log.Error("pull: recording a failure", "source", src.Name, "err", rerr)
				sleep(ctx, p.backoff(1))
			}
			continue
		}
		if err := p.sources.recordRound(ctx, id, now, time.Now().Add(src.Interval()), warning); err != nil && ctx.Err() == nil {
			p.log.Error("pull: recording a round", "source", src.Name, "err", err)
			sleep(ctx, p.opt.Reload)
		}
	}
}

// round pulls a source once: its feed to the end, or its folder's files.
func (p *Puller) round(ctx context.Context, src Source) (warning string, err error) {
	switch src.Kind {
	case KindHTTPFeed:
		err = p.pullFeed(ctx, src)
	case KindDirectory:
		warning, err = p.pullDirectory(ctx, src)
	}
	return warning, err
}

// sleep waits d or until ctx ends; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// storeError marks a failure to store (ClickHouse or the ledger), as opposed
// to a bad input.
type storeError struct{ err error }

func (e storeError) Error() string { return "storing events: " + e.err.Error() }
func (e storeError) Unwrap() error { return e.err }

// storeBatch stores a batch and records the progress; with advance the
// cursor moves to next, only after the events are stored.
func (p *Puller) storeBatch(ctx context.Context, src Source, events []event.Event, rejected int, advance bool, next string) (progress, error) {
	pr := progress{Rejected: rejected}
	if len(events) > 0 {
		acc, dup, err := p.store.Spool(ctx, src.Name, events)
		if err != nil {
			return pr, storeError{err}
		}
		pr.Accepted, pr.Duplicates = acc, dup
		for _, e := range events {
			if e.OccurredAt.After(pr.Newest) {
				pr.Newest = e.OccurredAt
			}
		}
	}
	if err := p.sources.recordStored(ctx, src.ID, advance, next, pr); err != nil {
		return pr, fmt.Errorf("recording the progress: %w", err)
	}
	return pr, nil
}
