package ingest

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
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/internal/store"
)

// ErrUnavailable marks a Spool or Store that failed because ClickHouse did
// not answer or refused the insert. A Spool that fails stored nothing;
// retrying is safe.
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

	mu       sync.Mutex
	locks    map[string]chan struct{} // per source: one store or reconcile at a time in this process
	queues   map[string]*sourceQueue  // per source: calls waiting for a group commit
	sessions int                      // leader goroutines running
	idle     chan struct{}            // closed when sessions drops to 0 (Wait)
	stmts    map[string]*sql.Stmt     // prepared ledger statements (claimStmt)

	settingsKnown  bool                // insertSettings was read from the server
	insertSettings clickhouse.Settings // nil: the server's defaults (insertContext)

	// afterInsert, when set (tests only), runs after the ClickHouse insert and
	// before the batch is marked stored. A non-nil error ends the session
	// right there, leaving the batch pending exactly as a crash at that point
	// would.
	afterInsert func(batchID int64) error
	// beforeInsert, when set (tests only), runs before each ClickHouse insert
	// of a session; a non-nil error fails that insert, as an outage would.
	beforeInsert func() error
	// now is the clock (tests may set it).
	now func() time.Time
}

// New returns an ingester keeping its ledger in db and the events in ch.
// Lock files live in DATA_DIR/locks (the folder of the app database).
func New(db *store.DB, ch driver.Conn, logger *slog.Logger) *Ingester {
	if logger == nil {
		logger = slog.Default()
	}
	return &Ingester{db: db, ch: ch, logger: logger, lockDir: filepath.Join(filepath.Dir(db.Path), "locks"),
		locks: map[string]chan struct{}{}, queues: map[string]*sourceQueue{}, stmts: map[string]*sql.Stmt{}, now: time.Now}
}

// CH is the ClickHouse connection the ingester writes to.
func (i *Ingester) CH() driver.Conn { return i.ch }

// Spool stores events of one source exactly once and returns as soon as
// the new ones are stored for good: durable in the ledger (one SQLite
// commit, with the events themselves). ClickHouse gets them in the
// source's next insert, normally well within a second; a crash or an
// outage after Spool returned loses nothing (the batch is inserted at
// start, by Run, or before the source's next batch). It returns how many
// were new and how many were duplicates (same source + event_id seen
// before, or twice in this call). On error nothing of this call is stored
// (a retry is safe); errors.Is(err, ErrUnavailable) while ClickHouse does
// not answer. The events' Source fields are ignored: source is what counts.
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
	defer i.mu.Unlock()
	i.sessions--
	if i.sessions == 0 && i.idle != nil {
		close(i.idle)
		i.idle = nil
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
	rows    int    // how many new events
	payload []byte // the new events (encodeSpool)
}

// insertion is one ClickHouse insert of the new events of several flights.
type insertion struct {
	flights []*flight
	done    chan error
}

// lead stores the waiting calls of a source until none is left. Each group
// of waiting calls is claimed in SQLite (its own pending batch, with its
// events) and answered at once. At most one ClickHouse insert runs at a
// time; while it runs, arriving groups are claimed, and when it ends they
// all go into the next insert together: big inserts (fewer parts for
// ClickHouse to merge) with the ledger work overlapped. At most
// maxGroupEvents new events wait for an insert; further calls wait for
// their turn. If an insert fails, the calls still waiting fail and the
// session ends; its batches stay pending and are settled (their missing
// rows inserted) by the next session or by Run.
func (i *Ingester) lead(ctx context.Context, source string, q *sourceQueue) {
	unlock, err := i.lock(ctx, source, true)
	if err == nil {
		// Batches this source left pending (a crash, or ClickHouse failing
		// mid-insert) are settled first, so that the ledger says the truth;
		// and nothing is acknowledged while ClickHouse does not answer.
		rctx, cancel := context.WithTimeout(ctx, stepTimeout)
		err = i.reconcile(rctx, source)
		if err == nil {
			pctx, cancel := context.WithTimeout(ctx, pingTimeout)
			if perr := i.ch.Ping(pctx); perr != nil {
				err = fmt.Errorf("%w: %w", ErrUnavailable, perr)
			}
			cancel()
		}
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
		claimed       []*flight // not yet in an insert
		claimedEvents int
	)
	// abort ends the session after a failure: an insert still running is
	// waited for (the next session must see it finished), the calls still
	// waiting fail.
	abort := func(err error) {
		if inserting != nil {
			<-inserting.done
		}
		i.drainAfterFailure(q, err)
	}
	for {
		if inserting == nil && len(claimed) > 0 {
			inserting = i.startInsert(ctx, source, claimed)
			claimed, claimedEvents = nil, 0
		}
		if claimedEvents < maxGroupEvents {
			if group := i.next(q, inserting == nil); group != nil {
				cctx, cancel := context.WithTimeout(ctx, stepTimeout)
				f, err := i.claimGroup(cctx, source, group)
				cancel()
				if err != nil {
					for _, r := range group {
						r.done <- storeRes{err: err}
					}
					abort(err)
					return
				}
				if f.rows > 0 {
					claimed = append(claimed, f)
					claimedEvents += f.rows
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
			abort(err)
			return
		}
	}
}

// pingTimeout bounds the check that ClickHouse answers, at the start of a
// session.
const pingTimeout = 5 * time.Second

// startInsert inserts the new events of the flights (step 2) in the background.
func (i *Ingester) startInsert(ctx context.Context, source string, flights []*flight) *insertion {
	ins := &insertion{flights: flights, done: make(chan error, 1)}
	go func() {
		if i.beforeInsert != nil {
			if err := i.beforeInsert(); err != nil {
				ins.done <- err
				return
			}
		}
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

// claimGroup takes the calls' events together, finds duplicates within them (the
// first occurrence counts) and claims the keys of the rest (step 1).
func (i *Ingester) claimGroup(ctx context.Context, source string, group []*storeReq) (*flight, error) {
	// The calls' events are not copied into one slice (a group may hold
	// hundreds of thousands): the claim works on pointers to them.
	total := 0
	for _, r := range group {
		total += len(r.events)
	}
	events := make([]*event.Event, 0, total)
	for _, r := range group {
		for k := range r.events {
			events = append(events, &r.events[k])
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
	batchID, fresh, payload, err := i.claim(ctx, source, events, keys, uniq)
	if err != nil {
		return nil, err
	}
	answer(group, fresh) // the batch is durable: its callers may know
	return &flight{batchID: batchID, rows: len(fresh), payload: payload}, nil
}

// claim inserts the keys of events[uniq] into the ledger and records the
// batch as pending with its new events (payload), in one transaction. It
// returns the batch, the indexes of the events whose keys were new (in
// order; the others are duplicates) and the payload. When none is new no
// batch is recorded (batchID 0).
func (i *Ingester) claim(ctx context.Context, source string, events []*event.Event, keys []eventKeyT, uniq []int) (batchID int64, fresh []int, payload []byte, err error) {
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
		// isNew[n]: the key of events[n] was not in the ledger yet. Each
		// chunk of keys is inserted without RETURNING first: the number of
		// rows added settles the usual cases (all new: a live feed; none
		// new: a resend). Only a chunk with both is done again (from a
		// savepoint) with RETURNING, whose keys are found in the (sorted)
		// chunk by binary search: no map, no copy of the key.
		isNew := make([]bool, len(events))
		newCount := 0
		args := make([]any, 0, keysPerStatement)
		// In key order: neighbouring keys share B-tree pages.
		order := slices.Clone(uniq)
		slices.SortFunc(order, func(a, b int) int { return strings.Compare(keys[a], keys[b]) })
		for start := 0; start < len(order); start += keysPerStatement {
			end := min(start+keysPerStatement, len(order))
			chunk := order[start:end]
			args = args[:0]
			for _, n := range chunk {
				args = append(args, []byte(keys[n]))
			}
			if _, err := tx.ExecContext(ctx, `SAVEPOINT claim_chunk`); err != nil {
				return err
			}
			st, err := i.claimStmt(ctx, tx, len(chunk), false)
			if err != nil {
				return err
			}
			res, err := st.ExecContext(ctx, args...)
			if err != nil {
				return err
			}
			added, err := res.RowsAffected()
			if err != nil {
				return err
			}
			switch {
			case added == int64(len(chunk)):
				for _, n := range chunk {
					isNew[n] = true
				}
				newCount += len(chunk)
			case added > 0:
				if _, err := tx.ExecContext(ctx, `ROLLBACK TO claim_chunk`); err != nil {
					return err
				}
				st, err := i.claimStmt(ctx, tx, len(chunk), true)
				if err != nil {
					return err
				}
				rows, err := st.QueryContext(ctx, args...)
				if err != nil {
					return err
				}
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
			if _, err := tx.ExecContext(ctx, `RELEASE claim_chunk`); err != nil {
				return err
			}
		}
		if newCount == 0 {
			_, err := tx.ExecContext(ctx, `DELETE FROM ingest_batches WHERE id = ?`, batchID)
			return err
		}
		var lo, hi int64
		for _, n := range uniq {
			if !isNew[n] {
				continue
			}
			fresh = append(fresh, n)
			t := events[n].OccurredAt.Unix()
			if len(fresh) == 1 || t < lo {
				lo = t
			}
			if len(fresh) == 1 || t > hi {
				hi = t
			}
		}
		payload = encodeSpool(events, fresh)
		_, err = tx.ExecContext(ctx, `UPDATE ingest_batches SET events = ?, duplicates = ?, min_occurred = ?, max_occurred = ?, payload = ? WHERE id = ?`,
			len(fresh), len(events)-len(fresh), lo, hi, payload, batchID)
		return err
	})
	if err != nil {
		return 0, nil, nil, fmt.Errorf("analytics: claim event keys: %w", err)
	}
	if len(fresh) == 0 {
		batchID, payload = 0, nil
	}
	return batchID, fresh, payload, nil
}

// claimStmt is the claim statement for n keys in tx. The one for full
// chunks is prepared once for the database (and per connection by
// database/sql), not for every transaction: 500 rows of VALUES take a
// while to compile.
func (i *Ingester) claimStmt(ctx context.Context, tx *sql.Tx, n int, returning bool) (*sql.Stmt, error) {
	q := claimSQL(n, returning)
	if n != keysPerStatement {
		return tx.PrepareContext(ctx, q) // closed with tx
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	st := i.stmts[q]
	if st == nil {
		var err error
		if st, err = i.db.PrepareContext(ctx, q); err != nil {
			return nil, err
		}
		i.stmts[q] = st
	}
	return tx.StmtContext(ctx, st), nil
}

var claimSQLCache sync.Map

// claimSQL inserts n keys into the ledger, skipping those it has; with
// returning it gives back the keys it added.
func claimSQL(n int, returning bool) string {
	type key struct {
		n         int
		returning bool
	}
	if s, ok := claimSQLCache.Load(key{n, returning}); ok {
		return s.(string)
	}
	s := "INSERT OR IGNORE INTO event_keys (k) VALUES (?)" + strings.Repeat(",(?)", n-1)
	if returning {
		s += " RETURNING k"
	}
	claimSQLCache.Store(key{n, returning}, s)
	return s
}

const insertEventsSQL = `INSERT INTO events (source, event_id, occurred_at, received_at, type, company_cvr, authority_cvr, channel,
	has_metadata, has_deep_link, by_rule, message_ref, user_ref, rights_model, reason, folder, role, batch_id)`

// insert writes the new events of the flights to ClickHouse in one INSERT,
// each row tagged with its flight's batch. The rows go in blocks of at most
// insertBlockRows (the server joins them into one part per partition: it
// squashes blocks up to min_insert_block_size_rows), so the client's
// column buffers stay small and are reused from block to block.
func (i *Ingester) insert(ctx context.Context, source string, flights []*flight) error {
	n := 0
	for _, f := range flights {
		n += f.rows
	}
	if n == 0 {
		return nil
	}
	size := min(n, insertBlockRows)
	var (
		src, id, typ, company, authority, channel = make([]string, size), make([]string, size), make([]string, size), make([]string, size), make([]string, size), make([]string, size)
		msg, user, rights, reason, folder, role   = make([]string, size), make([]string, size), make([]string, size), make([]string, size), make([]string, size), make([]string, size)
		occurred, received                        = make([]time.Time, size), make([]time.Time, size)
		meta, deep, rule                          = make([]*uint8, size), make([]*uint8, size), make([]*uint8, size)
		batch                                     = make([]uint64, size)
	)
	b, err := i.ch.PrepareBatch(i.insertContext(ctx), insertEventsSQL)
	if err != nil {
		return err
	}
	j := 0
	flush := func(last bool) error {
		cols := []any{src[:j], id[:j], occurred[:j], received[:j], typ[:j], company[:j], authority[:j], channel[:j],
			meta[:j], deep[:j], rule[:j], msg[:j], user[:j], rights[:j], reason[:j], folder[:j], role[:j], batch[:j]}
		for c, v := range cols {
			if err := b.Column(c).Append(v); err != nil {
				return err
			}
		}
		j = 0
		if last {
			return b.Send()
		}
		return b.Flush()
	}
	for _, f := range flights {
		if f.rows == 0 {
			continue
		}
		// The strings point into the payload; the columns copy them.
		err := scanSpool(f.payload, true, func(ev *event.Event) error {
			if j == size {
				if err := flush(false); err != nil {
					return err
				}
			}
			src[j], id[j], typ[j], company[j], authority[j], channel[j] = source, ev.EventID, ev.Type, ev.CompanyCVR, ev.AuthorityCVR, ev.Channel
			msg[j], user[j], rights[j], reason[j], folder[j], role[j] = ev.MessageRef, ev.UserRef, ev.RightsModel, ev.Reason, ev.Folder, ev.Role
			occurred[j], received[j] = ev.OccurredAt, ev.ReceivedAt
			meta[j], deep[j], rule[j] = boolByte(ev.HasMetadata), boolByte(ev.HasDeepLink), boolByte(ev.ByRule)
			batch[j] = uint64(f.batchID)
			j++
			return nil
		})
		if err != nil {
			_ = b.Abort()
			return err
		}
	}
	if err := flush(true); err != nil {
		_ = b.Abort()
		return err
	}
	return nil
}

// insertContext carries the settings of an insert. ClickHouse 19.x and
// later refuse an insert that spans more than max_partitions_per_insert_block
// (default 100) months; an insert here joins many calls (a backfill may span
// years), and refusing it would hold its batches pending for ever, so the
// limit is lifted where the server has it (18.16 has no such limit, and
// refuses unknown settings).
func (i *Ingester) insertContext(ctx context.Context) context.Context {
	i.mu.Lock()
	known, settings := i.settingsKnown, i.insertSettings
	i.mu.Unlock()
	if !known { // asked until the server answers
		var n uint64
		qctx, cancel := context.WithTimeout(ctx, pingTimeout)
		err := i.ch.QueryRow(qctx, `SELECT count() FROM system.settings WHERE name = 'max_partitions_per_insert_block'`).Scan(&n)
		cancel()
		if err == nil {
			if n > 0 {
				settings = clickhouse.Settings{"max_partitions_per_insert_block": 0}
			}
			i.mu.Lock()
			i.settingsKnown, i.insertSettings = true, settings
			i.mu.Unlock()
		}
	}
	if settings == nil {
		return ctx
	}
	return clickhouse.Context(ctx, clickhouse.WithSettings(settings))
}

// insertBlockRows is the most rows one block of an insert carries.
const insertBlockRows = 16384

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

// markStored marks batches stored (step 3), in one transaction; the ids go
// in statements of at most keysPerStatement (SQLite bounds the variables of
// one statement, and an insert may carry many small batches).
func (i *Ingester) markStored(ctx context.Context, batchIDs []int64) error {
	now := i.now().UTC()
	err := i.db.Tx(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(batchIDs); start += keysPerStatement {
			chunk := batchIDs[start:min(start+keysPerStatement, len(batchIDs))]
			args := make([]any, 0, len(chunk)+1)
			args = append(args, now)
			for _, id := range chunk {
				args = append(args, id)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE ingest_batches SET state = 'stored', keys = NULL, payload = NULL, stored_at = ?
				WHERE id IN (?`+strings.Repeat(",?", len(chunk)-1)+`)`, args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("analytics: mark %d batches (%d...%d) stored: %w", len(batchIDs), batchIDs[0], batchIDs[len(batchIDs)-1], err)
	}
	return nil
}

// Recover settles every pending batch of every source not busy in another
// process (call it at start).
func (i *Ingester) Recover(ctx context.Context) error {
	return i.settle(ctx, 2*time.Second)
}

// Settle settles the pending batches of every source that is not being
// stored right now (in this process or another); see Run.
func (i *Ingester) Settle(ctx context.Context) error {
	return i.settle(ctx, 0)
}

// settle settles the pending batches of each source whose lock it gets
// within wait (0: only if free now; below 0: as long as ctx lasts).
func (i *Ingester) settle(ctx context.Context, wait time.Duration) error {
	sources, err := i.pendingSources(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, s := range sources {
		if err := i.settleSource(ctx, s, wait); err != nil {
			errs = append(errs, fmt.Errorf("source %s: %w", s, err))
			if errors.Is(err, ErrUnavailable) {
				break // the next source would wait for ClickHouse the same way
			}
		}
	}
	return errors.Join(errs...)
}

// settleSource settles a source's pending batches if it gets the source's
// lock within wait (as settle). A source stored right now is left alone
// unless the caller waits: its pending batches may be in flight there, and
// the session settles them itself (or the next one does, under the lock).
func (i *Ingester) settleSource(ctx context.Context, source string, wait time.Duration) error {
	var unlock func()
	var err error
	switch {
	case wait < 0:
		unlock, err = i.lock(ctx, source, true)
	case wait == 0:
		unlock, err = i.lock(ctx, source, false)
		if errors.Is(err, errBusy) {
			return nil
		}
	default:
		lctx, cancel := context.WithTimeout(ctx, wait)
		unlock, err = i.lock(lctx, source, true)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			i.logger.Info("source busy; its pending batches are settled where it is stored", "source", source)
			return nil
		}
	}
	if err != nil {
		return err
	}
	defer unlock()
	return i.reconcile(ctx, source)
}

func (i *Ingester) pendingSources(ctx context.Context) ([]string, error) {
	rows, err := i.db.QueryContext(ctx, `SELECT DISTINCT source FROM ingest_batches WHERE state = 'pending'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var sources []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		sources = append(sources, s)
	}
	return sources, rows.Err()
}

// Flush returns once every event spooled before the call is in ClickHouse:
// it waits for the sessions of sources with pending batches and settles
// what they left (errors.Is(err, ErrUnavailable) while ClickHouse is down).
func (i *Ingester) Flush(ctx context.Context) error {
	return i.settle(ctx, -1)
}

// flushSource is Flush for one source.
func (i *Ingester) flushSource(ctx context.Context, source string) error {
	return i.settleSource(ctx, source, -1)
}

// Run settles, every interval until ctx ends, the pending batches no
// session is working on: spooled batches whose insert failed (ClickHouse
// was down) are inserted once it answers again, without waiting for the
// next event of their source.
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

// reconcile settles the source's pending batches. A batch carries its
// events and was acknowledged: its rows that ClickHouse lacks are
// inserted. A batch with keys only (claimed by a version before the spool,
// whose caller was not yet answered) keeps the keys of the rows ClickHouse
// has and releases the others, so a resend stores them. Then the batch is
// marked stored. The caller holds the source's lock, so no pending batch of
// the source is in flight anywhere.
func (i *Ingester) reconcile(ctx context.Context, source string) error {
	type pending struct {
		id, events    int64
		lo, hi        int64
		keys, payload []byte
	}
	rows, err := i.db.QueryContext(ctx, `SELECT id, events, min_occurred, max_occurred, keys, payload FROM ingest_batches WHERE source = ? AND state = 'pending' ORDER BY id`, source)
	if err != nil {
		return fmt.Errorf("analytics: pending batches: %w", err)
	}
	var ps []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.id, &p.events, &p.lo, &p.hi, &p.keys, &p.payload); err != nil {
			rows.Close()
			return err
		}
		ps = append(ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	prefix := keyPrefix(source)
	// Batches with their events are settled in groups: one query for the
	// rows ClickHouse has, one insert of the missing ones, one commit.
	var group []pending
	var groupEvents int64
	settleGroup := func() error {
		if len(group) == 0 {
			return nil
		}
		batches := group
		group, groupEvents = nil, 0
		ids := make([]int64, len(batches))
		lo, hi := batches[0].lo, batches[0].hi
		for n, p := range batches {
			ids[n], lo, hi = p.id, min(lo, p.lo), max(hi, p.hi)
		}
		present, err := i.storedKeys(ctx, source, ids, lo, hi)
		if err != nil {
			return fmt.Errorf("%w: settle pending batches %d to %d: %w", ErrUnavailable, ids[0], ids[len(ids)-1], err)
		}
		var flights []*flight
		were, inserted := 0, 0
		for _, p := range batches {
			events, err := decodeSpool(p.payload)
			if err != nil {
				return fmt.Errorf("analytics: settle pending batch %d: %w", p.id, err)
			}
			var missing []int
			for n := range events {
				if _, ok := present[p.id][prefix+events[n].EventID]; ok {
					were++
				} else {
					missing = append(missing, n)
				}
			}
			if len(missing) > 0 {
				flights = append(flights, &flight{batchID: p.id, rows: len(missing), payload: encodeSpool(eventPtrs(events), missing)})
				inserted += len(missing)
			}
		}
		ictx, cancel := context.WithTimeout(ctx, stepTimeout)
		err = i.insert(ictx, source, flights)
		cancel()
		if err != nil {
			return fmt.Errorf("%w: settle pending batches %d to %d: %w", ErrUnavailable, ids[0], ids[len(ids)-1], err)
		}
		if err := i.markStored(ctx, ids); err != nil {
			return err
		}
		i.logger.Warn("settled interrupted ingest batches", "source", source, "batches", len(ids),
			"first", ids[0], "last", ids[len(ids)-1], "were_stored", were, "inserted", inserted)
		return nil
	}
	for _, p := range ps {
		if p.payload != nil {
			group = append(group, p)
			groupEvents += p.events
			if len(group) >= keysPerStatement || groupEvents >= maxGroupEvents {
				if err := settleGroup(); err != nil {
					return err
				}
			}
			continue
		}
		// Keys only: claimed by a version before the spool.
		if err := settleGroup(); err != nil {
			return err
		}
		present, err := i.storedKeys(ctx, source, []int64{p.id}, p.lo, p.hi)
		if err != nil {
			return fmt.Errorf("%w: settle pending batch %d: %w", ErrUnavailable, p.id, err)
		}
		claimed, err := splitKeys(p.keys)
		if err != nil {
			return err
		}
		var release [][]byte
		for _, k := range claimed {
			if _, ok := present[p.id][k]; !ok {
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
				len(present[p.id]), i.now().UTC(), p.id)
			return err
		})
		if err != nil {
			return fmt.Errorf("analytics: settle pending batch %d: %w", p.id, err)
		}
		i.logger.Warn("settled interrupted ingest batches", "source", source, "batches", 1,
			"first", p.id, "last", p.id, "were_stored", len(present[p.id]), "released", len(release))
	}
	return settleGroup()
}

// storedKeys returns, per batch, the ledger keys of the batches' rows in
// ClickHouse (the batches' events occurred between lo and hi).
func (i *Ingester) storedKeys(ctx context.Context, source string, batchIDs []int64, lo, hi int64) (map[int64]map[eventKeyT]struct{}, error) {
	list := make([]string, len(batchIDs))
	for n, id := range batchIDs {
		list[n] = strconv.FormatInt(id, 10)
	}
	rows, err := i.ch.Query(ctx, `SELECT batch_id, event_id FROM events
		WHERE occurred_at >= toDateTime(?) AND occurred_at <= toDateTime(?) AND source = ? AND batch_id IN (`+strings.Join(list, ",")+`)`,
		uint32(lo), uint32(hi), source)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]map[eventKeyT]struct{}{}
	prefix := keyPrefix(source)
	for rows.Next() {
		var batch uint64
		var id string
		if err := rows.Scan(&batch, &id); err != nil {
			return nil, err
		}
		keys := out[int64(batch)]
		if keys == nil {
			keys = map[eventKeyT]struct{}{}
			out[int64(batch)] = keys
		}
		keys[prefix+id] = struct{}{}
	}
	return out, rows.Err()
}

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
