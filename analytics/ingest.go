package analytics

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/internal/store"
)

// ErrUnavailable marks a Store that failed because ClickHouse did not answer
// or refused the insert. Nothing of that call is counted; retrying is safe.
var ErrUnavailable = errors.New("ClickHouse is unavailable")

// eventKeyT is a ledger key: 8 bytes of SHA-256 of the source, then the
// event_id itself. Exact (no hash of the id), and ids that grow over time
// (sequence numbers, ULIDs, UUIDv7) land next to each other in the ledger's
// B-tree, so a batch touches few pages.
type eventKeyT = string

// keyPrefix is the source part of its ledger keys.
func keyPrefix(source string) string {
	sum := sha256.Sum256([]byte(source))
	return string(sum[:8])
}

// eventKey is the ledger key of (source, event_id).
func eventKey(source, eventID string) eventKeyT { return keyPrefix(source) + eventID }

// appendKey adds a key to a pending batch's key list (length-prefixed).
func appendKey(blob []byte, k eventKeyT) []byte {
	blob = binary.AppendUvarint(blob, uint64(len(k)))
	return append(blob, k...)
}

// splitKeys reads a pending batch's key list.
func splitKeys(blob []byte) ([]eventKeyT, error) {
	var out []eventKeyT
	for len(blob) > 0 {
		n, w := binary.Uvarint(blob)
		if w <= 0 || uint64(len(blob)-w) < n {
			return nil, errors.New("analytics: corrupt key list of a pending batch")
		}
		out = append(out, eventKeyT(blob[w:w+int(n)]))
		blob = blob[w+int(n):]
	}
	return out, nil
}

// keysPerStatement is how many keys one ledger INSERT carries.
const keysPerStatement = 500

// Ingester stores events exactly once: see the package documentation
// (schema.go) for the protocol.
type Ingester struct {
	db      *store.DB
	ch      driver.Conn
	logger  *slog.Logger
	lockDir string

	mu     sync.Mutex
	locks  map[string]chan struct{} // per source: one store or reconcile at a time in this process
	queues map[string]*sourceQueue  // per source: Store calls waiting for a group commit

	// afterInsert, when set (tests only), runs after the ClickHouse insert and
	// before the batch is marked stored. A non-nil error ends Store right
	// there, leaving the batch pending exactly as a crash at that point would.
	afterInsert func(batchID int64) error
	// now is the clock (tests may set it).
	now func() time.Time
}

// NewIngester returns an ingester keeping its ledger in db and the events in ch.
// Lock files live in DATA_DIR/locks (the folder of the app database).
func NewIngester(db *store.DB, ch driver.Conn, logger *slog.Logger) *Ingester {
	if logger == nil {
		logger = slog.Default()
	}
	return &Ingester{db: db, ch: ch, logger: logger, lockDir: filepath.Join(filepath.Dir(db.Path), "locks"),
		locks: map[string]chan struct{}{}, queues: map[string]*sourceQueue{}, now: time.Now}
}

// CH is the ClickHouse connection the ingester writes to.
func (i *Ingester) CH() driver.Conn { return i.ch }

// Store stores events of one source durably and exactly once; returns how
// many were new and how many were duplicates (same source + event_id seen
// before, or twice in this call). On error nothing of this call is counted
// (a retry is safe); errors.Is(err, ErrUnavailable) when ClickHouse is down.
// The events' Source fields are ignored: source is what counts.
func (i *Ingester) Store(ctx context.Context, source string, events []Event) (accepted, duplicates int, err error) {
	if source == "" {
		return 0, 0, errors.New("analytics: store events: no source")
	}
	if len(events) == 0 {
		return 0, 0, nil
	}
	// Group commit: calls for the same source that arrive while one is being
	// stored are stored together, as one batch (one ledger transaction, one
	// ClickHouse insert), by the source's leader goroutine.
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
	i.mu.Unlock()
	select {
	case q.notify <- struct{}{}:
	default:
	}
	if lead {
		// The session runs while calls keep coming, so it runs on its own
		// goroutine (this caller is answered as soon as its group is stored),
		// bound to no caller's request; each step has its own time limit.
		go i.lead(context.WithoutCancel(ctx), source, q)
	}
	res := <-req.done
	return res.accepted, res.duplicates, res.err
}

// maxGroupEvents bounds how many events one group commit takes.
const maxGroupEvents = 100_000

type storeReq struct {
	events []Event
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

// flight is a group whose keys are claimed (its batch is pending).
type flight struct {
	group   []*storeReq
	batchID int64 // 0: nothing new, no batch
	events  []Event
	fresh   []int
}

// insertion is one ClickHouse insert of the new events of several flights.
type insertion struct {
	flights []*flight
	done    chan error
}

// lead stores the waiting calls of a source until none is left. At most one
// ClickHouse insert runs at a time; while it runs, calls that arrive are
// claimed in SQLite (each group its own pending batch), and when it ends
// they all go into the next insert together: big inserts (fewer parts for
// ClickHouse to merge) with the ledger work overlapped. A claimed group's
// duplicates may be keys of a group still being inserted, so groups are
// answered in order, only after their insert was stored; if an insert
// fails, every group claimed after it fails too, and the session ends so
// that the next one settles the pending batches first (a retry stores
// exactly what is missing).
func (i *Ingester) lead(ctx context.Context, source string, q *sourceQueue) {
	failAll := func(groups [][]*storeReq, err error) {
		for _, g := range groups {
			for _, r := range g {
				r.done <- storeRes{err: err}
			}
		}
	}
	unlock, err := i.lock(ctx, source)
	if err == nil {
		// Batches this source left pending (a crash, or ClickHouse failing
		// mid-insert) are settled first, so that the ledger says the truth.
		rctx, cancel := context.WithTimeout(ctx, stepTimeout)
		err = i.reconcile(rctx, source)
		cancel()
		if err != nil {
			unlock()
		}
	}
	if err != nil {
		i.drainAfterFailure(q, err)
		return
	}
	defer unlock()
	var (
		inserting     *insertion
		claimed       []*flight
		claimedEvents int
	)
	// abort ends the session after a failure: an insert still running is
	// waited for (the next session must see it finished), and every call in
	// it, claimed or waiting fails; their batches stay pending.
	abort := func(err error, extra ...[]*storeReq) {
		if inserting != nil {
			<-inserting.done
			for _, f := range inserting.flights {
				extra = append(extra, f.group)
			}
		}
		for _, f := range claimed {
			extra = append(extra, f.group)
		}
		failAll(extra, err)
		i.drainAfterFailure(q, err)
	}
	// claim writes a group's keys to the ledger and adds it to the next
	// insert; false means the session ended (abort ran).
	claim := func(group []*storeReq) bool {
		cctx, cancel := context.WithTimeout(ctx, stepTimeout)
		f, err := i.claimGroup(cctx, source, group)
		cancel()
		if err != nil {
			abort(err, group)
			return false
		}
		claimed = append(claimed, f)
		claimedEvents += len(f.events)
		return true
	}
	var (
		wantCalls   int       // calls in flight around the last insert: they tend to come back
		lingerUntil time.Time // when the insert waiting for them starts anyway
	)
	for {
		if inserting == nil && len(claimed) > 0 {
			if callsOf(claimed) < wantCalls && claimedEvents < maxGroupEvents {
				if lingerUntil.IsZero() {
					lingerUntil = time.Now().Add(maxLinger)
				}
				if wait := time.Until(lingerUntil); wait > 0 {
					if group := i.next(q, false); group != nil {
						if !claim(group) {
							return
						}
						continue
					}
					t := time.NewTimer(wait)
					select {
					case <-q.notify:
						t.Stop()
						continue
					case <-t.C:
					}
				}
			}
			lingerUntil = time.Time{}
			inserting = i.startInsert(ctx, source, claimed)
			claimed, claimedEvents = nil, 0
		}
		if inserting == nil || claimedEvents < maxGroupEvents {
			if group := i.next(q, inserting == nil); group != nil {
				if !claim(group) {
					return
				}
				continue
			}
			if inserting == nil {
				return // next ended the leadership: nothing is left
			}
		}
		var err error
		select {
		case err = <-inserting.done:
		case <-q.notify:
			continue // a call came in: claim it while the insert runs
		}
		done := inserting
		inserting = nil
		if err != nil {
			i.logger.Warn("clickhouse insert failed; its batches are left pending", "source", source, "batches", len(done.flights), "err", err)
			err = fmt.Errorf("%w: %w", ErrUnavailable, err)
		} else {
			fctx, cancel := context.WithTimeout(ctx, stepTimeout)
			err = i.complete(fctx, done)
			cancel()
		}
		if err != nil {
			var groups [][]*storeReq
			for _, f := range done.flights {
				groups = append(groups, f.group)
			}
			abort(err, groups...)
			return
		}
		wantCalls = callsOf(done.flights) + callsOf(claimed)
		for _, f := range done.flights {
			i.answer(f)
		}
	}
}

// maxLinger bounds how long claimed calls wait for the callers just
// answered to send again, so that they share one insert.
const maxLinger = 60 * time.Millisecond

func callsOf(flights []*flight) int {
	n := 0
	for _, f := range flights {
		n += len(f.group)
	}
	return n
}

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

// answer tells each call of a stored group its counts: fresh is ascending,
// so it is shared out by the calls' offsets.
func (i *Ingester) answer(f *flight) {
	off, k := 0, 0
	for _, r := range f.group {
		end := off + len(r.events)
		acc := 0
		for k < len(f.fresh) && f.fresh[k] < end {
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
// error: their duplicates cannot be trusted until the pending batches are
// settled, which the next session does first. Callers retry.
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

// claimGroup joins the calls' events, finds duplicates within them (the
// first occurrence counts) and claims the keys of the rest (step 1).
func (i *Ingester) claimGroup(ctx context.Context, source string, group []*storeReq) (*flight, error) {
	events := group[0].events
	if len(group) > 1 {
		events = nil
		for _, r := range group {
			events = append(events, r.events...)
		}
	}
	keys := make([]eventKeyT, len(events))
	seen := make(map[eventKeyT]struct{}, len(events))
	uniq := make([]int, 0, len(events))
	prefix := keyPrefix(source)
	for n := range events {
		k := prefix + events[n].EventID
		keys[n] = k
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		uniq = append(uniq, n)
	}
	batchID, fresh, err := i.claim(ctx, source, events, keys, uniq)
	if err != nil {
		return nil, err
	}
	return &flight{group: group, batchID: batchID, events: events, fresh: fresh}, nil
}

// claim inserts the keys of events[uniq] into the ledger and records the
// batch as pending, in one transaction. It returns the batch and the indexes
// of the events whose keys were new (in order); the others are duplicates.
// When none is new no batch is recorded (batchID 0).
func (i *Ingester) claim(ctx context.Context, source string, events []Event, keys []eventKeyT, uniq []int) (batchID int64, fresh []int, err error) {
	now := i.now().UTC()
	err = i.db.Tx(ctx, func(tx *sql.Tx) error {
		fresh = fresh[:0]
		res, err := tx.ExecContext(ctx, `INSERT INTO ingest_batches (source, state, events, duplicates, min_occurred, max_occurred, created_at)
			VALUES (?, 'pending', 0, 0, 0, 0, ?)`, source, now)
		if err != nil {
			return err
		}
		if batchID, err = res.LastInsertId(); err != nil {
			return err
		}
		// isNew[n]: the key of events[n] was not in the ledger yet. The keys
		// RETURNING gives back are found in the (sorted) chunk by binary
		// search: no map, no copy of the key.
		isNew := make([]bool, len(events))
		newCount := 0
		var full *sql.Stmt
		args := make([]any, 0, keysPerStatement)
		// In key order: neighbouring keys share B-tree pages.
		order := slices.Clone(uniq)
		slices.SortFunc(order, func(a, b int) int { return strings.Compare(keys[a], keys[b]) })
		for start := 0; start < len(order); start += keysPerStatement {
			end := min(start+keysPerStatement, len(order))
			args = args[:0]
			for _, n := range order[start:end] {
				args = append(args, []byte(keys[n]))
			}
			var rows *sql.Rows
			if end-start == keysPerStatement {
				if full == nil {
					if full, err = tx.PrepareContext(ctx, claimSQL(keysPerStatement)); err != nil {
						return err
					}
					defer full.Close()
				}
				rows, err = full.QueryContext(ctx, args...)
			} else {
				rows, err = tx.QueryContext(ctx, claimSQL(end-start), args...)
			}
			if err != nil {
				return err
			}
			chunk := order[start:end]
			for rows.Next() {
				var k sql.RawBytes
				if err := rows.Scan(&k); err != nil {
					rows.Close()
					return err
				}
				p, found := slices.BinarySearchFunc(chunk, k, func(n int, k sql.RawBytes) int {
					switch {
					case keys[n] < string(k):
						return -1
					case keys[n] > string(k):
						return 1
					}
					return 0
				})
				if !found {
					rows.Close()
					return errors.New("analytics: the ledger returned a key that was not sent")
				}
				if !isNew[chunk[p]] {
					isNew[chunk[p]] = true
					newCount++
				}
			}
			if err := rows.Close(); err != nil {
				return err
			}
			if err := rows.Err(); err != nil {
				return err
			}
		}
		if newCount == 0 {
			_, err := tx.ExecContext(ctx, `DELETE FROM ingest_batches WHERE id = ?`, batchID)
			return err
		}
		blob := make([]byte, 0, newCount*24)
		var lo, hi int64
		for _, n := range uniq {
			if !isNew[n] {
				continue
			}
			fresh = append(fresh, n)
			blob = appendKey(blob, keys[n])
			t := events[n].OccurredAt.Unix()
			if len(fresh) == 1 || t < lo {
				lo = t
			}
			if len(fresh) == 1 || t > hi {
				hi = t
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE ingest_batches SET events = ?, duplicates = ?, min_occurred = ?, max_occurred = ?, keys = ? WHERE id = ?`,
			len(fresh), len(events)-len(fresh), lo, hi, blob, batchID)
		return err
	})
	if err != nil {
		return 0, nil, fmt.Errorf("analytics: claim event keys: %w", err)
	}
	if len(fresh) == 0 {
		batchID = 0
	}
	return batchID, fresh, nil
}

var claimSQLCache sync.Map

func claimSQL(n int) string {
	if s, ok := claimSQLCache.Load(n); ok {
		return s.(string)
	}
	s := "INSERT OR IGNORE INTO event_keys (k) VALUES (?)" + strings.Repeat(",(?)", n-1) + " RETURNING k"
	claimSQLCache.Store(n, s)
	return s
}

const insertEventsSQL = `INSERT INTO events (source, event_id, occurred_at, received_at, type, company_cvr, authority_cvr, channel,
	has_metadata, has_deep_link, by_rule, message_ref, user_ref, rights_model, reason, folder, role, batch_id)`

// insert writes the new events of the flights to ClickHouse in one block,
// column by column, each row tagged with its flight's batch.
func (i *Ingester) insert(ctx context.Context, source string, flights []*flight) error {
	n := 0
	for _, f := range flights {
		n += len(f.fresh)
	}
	if n == 0 {
		return nil
	}
	var (
		src, id, typ, company, authority, channel = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		msg, user, rights, reason, folder, role   = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		occurred, received                        = make([]time.Time, n), make([]time.Time, n)
		meta, deep, rule                          = make([]*uint8, n), make([]*uint8, n), make([]*uint8, n)
		batch                                     = make([]uint64, n)
	)
	j := 0
	for _, f := range flights {
		for _, k := range f.fresh {
			ev := &f.events[k]
			src[j], id[j], typ[j], company[j], authority[j], channel[j] = source, ev.EventID, ev.Type, ev.CompanyCVR, ev.AuthorityCVR, ev.Channel
			msg[j], user[j], rights[j], reason[j], folder[j], role[j] = ev.MessageRef, ev.UserRef, ev.RightsModel, ev.Reason, ev.Folder, ev.Role
			occurred[j], received[j] = ev.OccurredAt, ev.ReceivedAt
			meta[j], deep[j], rule[j] = boolByte(ev.HasMetadata), boolByte(ev.HasDeepLink), boolByte(ev.ByRule)
			batch[j] = uint64(f.batchID)
			j++
		}
	}
	b, err := i.ch.PrepareBatch(ctx, insertEventsSQL)
	if err != nil {
		return err
	}
	cols := []any{src, id, occurred, received, typ, company, authority, channel, meta, deep, rule, msg, user, rights, reason, folder, role, batch}
	for c, v := range cols {
		if err := b.Column(c).Append(v); err != nil {
			_ = b.Abort()
			return err
		}
	}
	return b.Send()
}

var (
	byteFalse, byteTrue = uint8(0), uint8(1)
)

func boolByte(b *bool) *uint8 {
	switch {
	case b == nil:
		return nil
	case *b:
		return &byteTrue
	default:
		return &byteFalse
	}
}

func (i *Ingester) markStored(ctx context.Context, batchIDs []int64) error {
	args := []any{i.now().UTC()}
	for _, id := range batchIDs {
		args = append(args, id)
	}
	_, err := i.db.ExecContext(ctx, `UPDATE ingest_batches SET state = 'stored', keys = NULL, stored_at = ?
		WHERE id IN (?`+strings.Repeat(",?", len(batchIDs)-1)+`)`, args...)
	if err != nil {
		return fmt.Errorf("analytics: mark batches %v stored: %w", batchIDs, err)
	}
	return nil
}

// Recover settles every pending batch of every source not busy in another
// process (call it at start).
func (i *Ingester) Recover(ctx context.Context) error {
	rows, err := i.db.QueryContext(ctx, `SELECT DISTINCT source FROM ingest_batches WHERE state = 'pending'`)
	if err != nil {
		return err
	}
	var sources []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return err
		}
		sources = append(sources, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, s := range sources {
		// A source another process is storing right now is left alone: its
		// pending batches may be in flight there, and it settles them itself
		// (or the next Store of the source here does, under the lock).
		lctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		unlock, err := i.lock(lctx, s)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			i.logger.Info("source busy in another process; its pending batches are settled there", "source", s)
			continue
		}
		if err != nil {
			return err
		}
		err = i.reconcile(ctx, s)
		unlock()
		if err != nil {
			return err
		}
	}
	return nil
}

// reconcile settles the source's pending batches: the batch's rows that
// ClickHouse has keep their keys, the others' keys are released (they were
// never stored, so a resend stores them), and the batch is marked stored.
// The caller holds the source's lock, so no pending batch of the source is
// in flight anywhere.
func (i *Ingester) reconcile(ctx context.Context, source string) error {
	type pending struct {
		id     int64
		lo, hi int64
		keys   []byte
	}
	rows, err := i.db.QueryContext(ctx, `SELECT id, min_occurred, max_occurred, keys FROM ingest_batches WHERE source = ? AND state = 'pending' ORDER BY id`, source)
	if err != nil {
		return fmt.Errorf("analytics: pending batches: %w", err)
	}
	var ps []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.id, &p.lo, &p.hi, &p.keys); err != nil {
			rows.Close()
			return err
		}
		ps = append(ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range ps {
		present, err := i.storedKeys(ctx, source, p.id, p.lo, p.hi)
		if err != nil {
			return fmt.Errorf("%w: settle pending batch %d: %w", ErrUnavailable, p.id, err)
		}
		claimed, err := splitKeys(p.keys)
		if err != nil {
			return err
		}
		var release [][]byte
		for _, k := range claimed {
			if _, ok := present[k]; !ok {
				release = append(release, []byte(k))
			}
		}
		err = i.db.Tx(ctx, func(tx *sql.Tx) error {
			del, err := tx.PrepareContext(ctx, `DELETE FROM event_keys WHERE k = ?`)
			if err != nil {
				return err
			}
			defer del.Close()
			for _, k := range release {
				if _, err := del.ExecContext(ctx, k); err != nil {
					return err
				}
			}
			_, err = tx.ExecContext(ctx, `UPDATE ingest_batches SET state = 'stored', events = ?, keys = NULL, stored_at = ? WHERE id = ?`,
				len(present), i.now().UTC(), p.id)
			return err
		})
		if err != nil {
			return fmt.Errorf("analytics: settle pending batch %d: %w", p.id, err)
		}
		i.logger.Warn("settled an interrupted ingest batch", "source", source, "batch", p.id,
			"stored", len(present), "released", len(release))
	}
	return nil
}

// storedKeys returns the ledger keys of the batch's rows in ClickHouse.
func (i *Ingester) storedKeys(ctx context.Context, source string, batchID, lo, hi int64) (map[eventKeyT]struct{}, error) {
	rows, err := i.ch.Query(ctx, `SELECT event_id FROM events
		WHERE occurred_at >= toDateTime(?) AND occurred_at <= toDateTime(?) AND batch_id = ? AND source = ?`,
		uint32(lo), uint32(hi), uint64(batchID), source)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[eventKeyT]struct{}{}
	prefix := keyPrefix(source)
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[prefix+id] = struct{}{}
	}
	return out, rows.Err()
}

// lock serialises Store and reconcile per source: a channel within this
// process, a flock on DATA_DIR/locks/source-HASH.lock across processes (the
// CLI import and a running server).
func (i *Ingester) lock(ctx context.Context, source string) (func(), error) {
	i.mu.Lock()
	ch := i.locks[source]
	if ch == nil {
		ch = make(chan struct{}, 1)
		i.locks[source] = ch
	}
	i.mu.Unlock()
	select {
	case ch <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
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
