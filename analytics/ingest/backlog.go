// The backlog: what the ledger holds that ClickHouse does not have yet (the
// pending batches). While ClickHouse is down the sessions keep claiming into
// it, so callers are answered from the durable ledger; a bound on its events
// and bytes keeps it from filling the disk. Past the bound a call fails with
// ErrBacklogFull (an outage: 503 with Retry-After) and nothing of it is
// stored.

package ingest

import (
	"context"
	"sync"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/internal/problem"
)

// BacklogLimit bounds the backlog: the new events of the pending batches,
// and the bytes of their spooled events (the payloads).
type BacklogLimit struct {
	Events int64 `json:"events"`
	Bytes  int64 `json:"bytes"`
}

// DefaultBacklogLimit is the bound unless SetBacklogLimit says otherwise:
// 5,000,000 events or 2 GiB, about a day of the national mailbox's events
// at a few hundred bytes each.
var DefaultBacklogLimit = BacklogLimit{Events: 5_000_000, Bytes: 2 << 30}

// SetBacklogLimit sets the bound of the backlog (fields not above zero keep
// the default).
func (i *Ingester) SetBacklogLimit(l BacklogLimit) {
	if l.Events <= 0 {
		l.Events = DefaultBacklogLimit.Events
	}
	if l.Bytes <= 0 {
		l.Bytes = DefaultBacklogLimit.Bytes
	}
	i.gauge.mu.Lock()
	i.gauge.limit = l
	i.gauge.mu.Unlock()
}

// ErrBacklogFull marks a Spool or Store refused because its events would
// take the backlog past its bound: nothing of it is stored, a retry is safe.
// It is an outage (errors.Is(err, ErrUnavailable)): 503 with Retry-After.
var ErrBacklogFull error = backlogFull{}

type backlogFull struct{}

func (backlogFull) Error() string {
	return "the backlog of events waiting for ClickHouse is full"
}

// Unwrap makes it an ErrUnavailable (and so a problem.ErrUnavailable).
func (backlogFull) Unwrap() error { return ErrUnavailable }

// ProblemMessage is what the user reads (problem.Messenger).
func (backlogFull) ProblemMessage() problem.Message { return problem.Msg("ingest.backlog_full") }

// Backlog is what the ledger holds that is not yet marked stored in
// ClickHouse, and its bound.
type Backlog struct {
	Batches int64 `json:"batches"`
	Events  int64 `json:"events"`
	Bytes   int64 `json:"bytes"` // of the spooled events (payloads)
	// Oldest is when the oldest pending batch was claimed (zero when none),
	// OldestSeconds how long ago.
	Oldest        time.Time    `json:"oldest_pending_at,omitzero"`
	OldestSeconds float64      `json:"oldest_pending_seconds"`
	Limit         BacklogLimit `json:"limit"`
}

// Backlog reports the pending batches of every source (in this process and
// any other that shares the ledger) and the bound.
func (i *Ingester) Backlog(ctx context.Context) (Backlog, error) {
	b := Backlog{Limit: i.backlogLimit()}
	var first *int64
	if err := i.db.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(events), 0), coalesce(sum(length(payload)), 0), min(id)
		FROM ingest_batches WHERE state = 'pending'`).Scan(&b.Batches, &b.Events, &b.Bytes, &first); err != nil || first == nil {
		return b, err
	}
	if err := i.db.QueryRowContext(ctx, `SELECT created_at FROM ingest_batches WHERE id = ?`, *first).Scan(&b.Oldest); err != nil {
		return b, err
	}
	b.OldestSeconds = max(0, i.now().Sub(b.Oldest).Seconds())
	return b, nil
}

// backlogGauge is the backlog as the admission of calls sees it: read from
// the ledger at most every backlogReread, and kept up to date in between
// with what this process claims and stores (other processes sharing the
// ledger show at the next read).
type backlogGauge struct {
	mu            sync.Mutex
	limit         BacklogLimit
	events, bytes int64
	readAt        time.Time // zero: read at the next use
}

// backlogReread is how old the gauge's reading of the ledger may be.
const backlogReread = time.Second

func (i *Ingester) backlogLimit() BacklogLimit {
	i.gauge.mu.Lock()
	defer i.gauge.mu.Unlock()
	return i.gauge.limit
}

// backlogAdd counts events and bytes that were claimed (positive) or
// stored (negative).
func (i *Ingester) backlogAdd(events, bytes int64) {
	g := &i.gauge
	g.mu.Lock()
	g.events += events
	g.bytes += bytes
	g.mu.Unlock()
}

// backlogStale makes the next admission read the ledger.
func (i *Ingester) backlogStale() {
	g := &i.gauge
	g.mu.Lock()
	g.readAt = time.Time{}
	g.mu.Unlock()
}

// admit refuses (answers with ErrBacklogFull) the calls of a group whose
// events would take the backlog past its bound, and returns the others. A
// call is counted with all its events (some may turn out duplicates) and
// their size unencoded: it is taken only if all of it fits.
func (i *Ingester) admit(ctx context.Context, group []*storeReq) ([]*storeReq, error) {
	g := &i.gauge
	g.mu.Lock()
	defer g.mu.Unlock()
	if now := time.Now(); g.readAt.IsZero() || now.Sub(g.readAt) >= backlogReread {
		if err := i.db.QueryRowContext(ctx, `SELECT coalesce(sum(events), 0), coalesce(sum(length(payload)), 0)
			FROM ingest_batches WHERE state = 'pending'`).Scan(&g.events, &g.bytes); err != nil {
			return nil, err
		}
		g.readAt = now
	}
	events, bytes := g.events, g.bytes
	taken := group[:0:0]
	for _, r := range group {
		n, b := int64(len(r.events)), int64(0)
		for k := range r.events {
			b += int64(spoolSize(&r.events[k]))
		}
		if events+n > g.limit.Events || bytes+b > g.limit.Bytes {
			r.done <- storeRes{err: ErrBacklogFull}
			continue
		}
		events, bytes = events+n, bytes+b
		taken = append(taken, r)
	}
	return taken, nil
}

// spoolSize is about what an event takes in a payload (a little more).
func spoolSize(ev *event.Event) int {
	return 32 + len(ev.EventID) + len(ev.Type) + len(ev.CompanyCVR) + len(ev.AuthorityCVR) + len(ev.Channel) +
		len(ev.MessageRef) + len(ev.UserRef) + len(ev.RightsModel) + len(ev.Reason) + len(ev.Folder) + len(ev.Role)
}
