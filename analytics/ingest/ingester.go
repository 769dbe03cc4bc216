// The ingester and its entry points: Spool and Store take events in (the
// group commit, claim, spool and insert of the files that follow),
// Recover, Settle, Run and Flush settle what a crash or an outage left
// pending, Wait waits for the sessions.

package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/store"
)

// ErrUnavailable marks a Spool or Store that failed because ClickHouse did
// not answer or refused the insert. A Spool that fails stored nothing;
// retrying is safe. It is an outage (errors.Is(err, problem.ErrUnavailable)):
// the web answers 503 with Retry-After, saying ClickHouse is unavailable.
var ErrUnavailable error = clickHouseUnavailable{}

type clickHouseUnavailable struct{}

func (clickHouseUnavailable) Error() string { return "ClickHouse is unavailable" }

// Unwrap makes it a problem.ErrUnavailable.
func (clickHouseUnavailable) Unwrap() error { return problem.ErrUnavailable }

// ProblemMessage is what the user reads (problem.Messenger).
func (clickHouseUnavailable) ProblemMessage() problem.Message {
	return problem.Msg("error.unavailable_what", "ClickHouse")
}

// Ingester stores events exactly once: see the package documentation
// (doc.go) for the protocol.
type Ingester struct {
	db      *store.DB
	ch      driver.Conn
	logger  *slog.Logger
	lockDir string

	mu       sync.Mutex
	locks    map[string]chan struct{} // per source: one store or reconcile at a time in this process
	queues   map[string]*sourceQueue  // per source: calls waiting for a group commit
	sessions int                      // leader goroutines running
	idle     chan struct{}            // closed when sessions drops to 0 (Wait)
	ledger   ledger                   // the horizon, origin numbers, prepared statements (ledger.go)

	gauge backlogGauge // the backlog and its bound, for admitting calls (backlog.go)

	settingsKnown  bool                // insertSettings was read from the server
	insertSettings clickhouse.Settings // nil: the server's defaults (insertContext)

	// afterInsert, when set (tests only), runs after the ClickHouse insert and
	// before the batch is marked stored. A non-nil error ends the session
	// right there, leaving the batch pending exactly as a crash at that point
	// would.
	afterInsert func(batchID int64) error
	// beforeInsert, when set (tests only), runs before each ClickHouse insert
	// (of a session or of settling) with the batches it carries; a non-nil
	// error fails that insert, as an outage would.
	beforeInsert func(batchIDs []int64) error
	// beforeLookup, when set (tests only), runs before each look in
	// ClickHouse's key table (ledger.go); a non-nil error fails it, as an
	// outage would.
	beforeLookup func() error
	// now is the clock (tests may set it).
	now func() time.Time
}

// New returns an ingester keeping its ledger in db and the events in ch.
// Lock files live in DATA_DIR/locks (the folder of the app database).
func New(db *store.DB, ch driver.Conn, logger *slog.Logger) *Ingester {
	if logger == nil {
		logger = slog.Default()
	}
	i := &Ingester{db: db, ch: ch, logger: logger, lockDir: filepath.Join(filepath.Dir(db.Path), "locks"),
		locks: map[string]chan struct{}{}, queues: map[string]*sourceQueue{}, now: time.Now}
	i.gauge.limit = DefaultBacklogLimit
	return i
}

// CH is the ClickHouse connection the ingester writes to.
func (i *Ingester) CH() driver.Conn { return i.ch }

// Spool stores events of one source exactly once and returns as soon as
// the new ones are stored for good: durable in the ledger (one SQLite
// commit, with the events themselves). ClickHouse gets them in the
// source's next insert, normally well within a second; a crash or an
// outage after Spool returned loses nothing (the batch is inserted at
// start, by Run, or before the source's next batch). While ClickHouse is
// down, Spool keeps answering from the ledger until the backlog is at its
// bound (SetBacklogLimit); then it fails with ErrBacklogFull. It returns how many
// were new and how many were duplicates (same origin + event_id seen
// before, through any source of the origin, or twice in this call; the
// origin is the source's in the sources table, by default the source). On error nothing of this call is stored
// (a retry is safe); errors.Is(err, ErrUnavailable) when the backlog is
// full, or while ClickHouse does not answer and the source has batches from
// before the spool to settle. The events' Source fields are ignored: source
// is what counts. Nothing keeps events after Spool returns: the caller may
// reuse the slice for its next events.
func (i *Ingester) Spool(ctx context.Context, source string, events []event.Event) (accepted, duplicates int, err error) {
	return i.submit(ctx, source, events)
}

// Store is Spool, then waits until ClickHouse has the source's events. When
// only the wait fails, the error says so and the events stay stored for good
// (they land when ClickHouse answers; a resend counts them as duplicates).
func (i *Ingester) Store(ctx context.Context, source string, events []event.Event) (accepted, duplicates int, err error) {
	if accepted, duplicates, err = i.Spool(ctx, source, events); err != nil {
		return accepted, duplicates, err
	}
	if err := i.flushSource(ctx, source); err != nil {
		return accepted, duplicates, fmt.Errorf("stored in the ledger, not yet in ClickHouse: %w", err)
	}
	return accepted, duplicates, nil
}

// Recover settles every pending batch of every source not busy in another
// process (call it at start).
func (i *Ingester) Recover(ctx context.Context) error {
	return i.settle(ctx, settleUnlessBusyElsewhere)
}

// Settle settles the pending batches of every source that is not being
// stored right now (in this process or another); see Run.
func (i *Ingester) Settle(ctx context.Context) error {
	return i.settle(ctx, settleIfFree)
}

// Flush returns once every event spooled before the call is in ClickHouse:
// it waits for the sessions of sources with pending batches and settles
// what they left (errors.Is(err, ErrUnavailable) while ClickHouse is down).
func (i *Ingester) Flush(ctx context.Context) error {
	return i.settle(ctx, settleWaiting)
}

// Run settles, every interval until ctx ends, the pending batches no
// session is working on: spooled batches whose insert failed (ClickHouse
// was down) are inserted once it answers again, without waiting for the
// next event of their source. It also compacts the ledger (Compact).
func (i *Ingester) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var lastErr string
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := i.Settle(ctx)
		if _, cerr := i.Compact(ctx); cerr != nil && ctx.Err() == nil {
			err = errors.Join(err, cerr)
		}
		switch {
		case err != nil && ctx.Err() == nil && err.Error() != lastErr:
			i.logger.Warn("settling pending ingest batches failed; retrying", "err", err)
			lastErr = err.Error()
		case err == nil && lastErr != "":
			i.logger.Info("pending ingest batches settled")
			lastErr = ""
		}
	}
}

// Wait waits until no session runs (spooled events are in ClickHouse or
// left pending by a failure), or ctx ends.
func (i *Ingester) Wait(ctx context.Context) error {
	i.mu.Lock()
	if i.sessions == 0 {
		i.mu.Unlock()
		return nil
	}
	if i.idle == nil {
		i.idle = make(chan struct{})
	}
	idle := i.idle
	i.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
