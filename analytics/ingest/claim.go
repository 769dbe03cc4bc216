// Step 1: claiming. The ledger keys of a group's events are inserted into
// the ledger (the duplicates are those it has) and the group is recorded as
// a pending batch with its new events (spool.go), in one SQLite
// transaction: after it the callers may be answered.

package ingest

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/pilotpulse/pilotpulse/analytics/event"
)

// eventKeyT is a ledger key: the origin's number (ledger.go) as a uvarint,
// then the event_id itself. Exact (no hash of the id), and ids that grow
// over time (sequence numbers, ULIDs, UUIDv7) land next to each other in
// a day table's B-tree, so a batch touches few pages.
type eventKeyT = string

// keyPrefix is the origin part of the keys of the table from before the
// day tables (event_keys: 8 bytes of SHA-256 of the origin). An origin that
// is a source's own name gives the keys that source had before origins
// (0007_origins.sql), so old ledgers keep deduplicating.
func keyPrefix(origin string) string {
	sum := sha256.Sum256([]byte(origin))
	return string(sum[:8])
}

// keysPerStatement is how many keys one ledger INSERT carries.
const keysPerStatement = 500

// errCompacted: a compaction ran between a claim's look in ClickHouse and
// its transaction; the claim looks again.
var errCompacted = errors.New("analytics: the ledger was compacted meanwhile")

// claimGroup takes the calls' events together, finds duplicates within them (the
// first occurrence counts) and claims the keys of the rest (step 1), under
// the source's origin: a key another source of the origin claimed first is
// a duplicate (SQLite's uniqueness in the claim transaction decides, also
// for concurrent claims through two sources). Events of days the ledger
// has compacted are first looked up in ClickHouse (ledger.go). Then a
// sample of the new ids is looked up under the other origins
// (checkOverlap).
func (i *Ingester) claimGroup(ctx context.Context, source string, group []*storeReq) (*flight, error) {
	// The origin is read per group: a change of a source's origin applies
	// from the next group on.
	origin, err := i.originOf(ctx, source)
	if err != nil {
		return nil, err
	}
	prefix, err := i.originPrefix(ctx, origin)
	if err != nil {
		return nil, err
	}
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
	c := &claimRun{source: source, origin: origin, events: events, keys: make([]eventKeyT, len(events)), days: make([]int64, len(events))}
	// The keys are written into one buffer (one allocation, not one per
	// event); within the group the prefix is the same, so the ids alone
	// find the repeated ones.
	size := 0
	for _, ev := range events {
		size += len(prefix) + len(ev.EventID)
	}
	buf := make([]byte, 0, size)
	seen := make(map[string]struct{}, len(events))
	c.uniq = make([]int, 0, len(events))
	for n, ev := range events {
		off := len(buf)
		buf = append(append(buf, prefix...), ev.EventID...)
		c.keys[n] = unsafe.String(&buf[off], len(buf)-off) // buf never grows past size: no copy moves it
		c.days[n] = dayOf(ev.OccurredAt)
		if _, dup := seen[ev.EventID]; dup {
			continue
		}
		seen[ev.EventID] = struct{}{}
		c.uniq = append(c.uniq, n)
	}
	seen = nil
	var batchID int64
	var fresh []int
	var payload []byte
	for attempt := 0; ; attempt++ {
		batchID, fresh, payload, err = i.claimLate(ctx, c)
		if !errors.Is(err, errCompacted) || attempt == 3 {
			break
		}
	}
	var late *lateLookupError
	if errors.As(err, &late) {
		return i.claimWithoutLate(ctx, source, group, late)
	}
	if err != nil {
		return nil, err
	}
	// The sample for the overlap check is copied before the callers are
	// answered: after its answer a caller may reuse its events' memory.
	sample := overlapSampleOf(events, fresh)
	answer(group, fresh) // the batch is durable: its callers may know
	i.checkOverlap(ctx, source, origin, sample)
	return &flight{batchID: batchID, origin: origin, rows: len(fresh), payload: payload}, nil
}

// claimRun is one group's claim: its events, their keys and days, and the
// indexes of the first occurrence of each key (uniq).
type claimRun struct {
	source, origin string
	events         []*event.Event
	keys           []eventKeyT
	days           []int64
	uniq           []int
}

// lateLookupError: events older than the dedup horizon could not be
// looked up in ClickHouse (it is down). It is ErrUnavailable.
type lateLookupError struct {
	compactedBefore int64 // the ledger's compactedBefore the claim read
	err             error
}

func (e *lateLookupError) Error() string {
	return fmt.Sprintf("%v: look up events older than the dedup horizon: %v", ErrUnavailable, e.err)
}

func (e *lateLookupError) Unwrap() []error { return []error{ErrUnavailable, e.err} }

// claimWithoutLate is claimGroup when ClickHouse could not be asked about
// events older than the horizon (late): the calls carrying such events
// fail with ErrUnavailable (their callers retry), the others are claimed
// and answered as ever, so a backlog still grows through an outage.
func (i *Ingester) claimWithoutLate(ctx context.Context, source string, group []*storeReq, late *lateLookupError) (*flight, error) {
	rest := make([]*storeReq, 0, len(group))
	for _, r := range group {
		if slices.ContainsFunc(r.events, func(ev event.Event) bool { return dayOf(ev.OccurredAt) < late.compactedBefore }) {
			r.done <- storeRes{err: late}
		} else {
			rest = append(rest, r)
		}
	}
	switch len(rest) {
	case 0:
		return &flight{}, nil
	case len(group): // no call carries a late event: cannot be, but fail them rather than lose them
		return nil, late
	}
	return i.claimGroup(ctx, source, rest)
}

// claimLate claims c after looking its events of compacted days up in
// ClickHouse: those found there are duplicates, the others are claimed in
// their day tables like any (a table is made again for its day), so that
// two concurrent claims of one old event still decide in SQLite. The
// claim fails with errCompacted if a compaction ran after the look.
func (i *Ingester) claimLate(ctx context.Context, c *claimRun) (batchID int64, fresh []int, payload []byte, err error) {
	st, err := i.ledgerState(ctx, nil)
	if err != nil {
		return 0, nil, nil, err
	}
	claimable := c.uniq
	var late []string
	for _, n := range c.uniq {
		if c.days[n] < st.compactedBefore {
			late = append(late, c.events[n].EventID)
		}
	}
	if len(late) > 0 {
		stored, err := i.storedInClickHouse(ctx, c.origin, late)
		if err != nil {
			return 0, nil, nil, &lateLookupError{compactedBefore: st.compactedBefore, err: err}
		}
		if len(stored) > 0 {
			claimable = make([]int, 0, len(c.uniq))
			for _, n := range c.uniq {
				if _, ok := stored[c.events[n].EventID]; ok && c.days[n] < st.compactedBefore {
					continue
				}
				claimable = append(claimable, n)
			}
		}
	}
	return i.claim(ctx, c, claimable, st.compactions)
}

// claim inserts the keys of c.events[claimable] into the day tables of
// their days (and looks those of days before the day tables up in the
// table from before them) and records the batch as pending with its new
// events (payload), in one transaction. It returns the batch, the indexes
// of the events whose keys were new (in order; the others are duplicates)
// and the payload. When none is new no batch is recorded (batchID 0). It
// fails with errCompacted when the ledger's compactions are no longer
// compactions (a compaction ran since the caller read the state).
func (i *Ingester) claim(ctx context.Context, c *claimRun, claimable []int, compactions int64) (batchID int64, fresh []int, payload []byte, err error) {
	if len(claimable) == 0 {
		return 0, nil, nil, nil
	}
	events, keys := c.events, c.keys
	days := make([]int64, 0, 4)
	for _, n := range claimable {
		if !slices.Contains(days, c.days[n]) {
			days = append(days, c.days[n])
		}
	}
	if err := i.ensureDayTables(ctx, days); err != nil {
		return 0, nil, nil, fmt.Errorf("analytics: ledger day tables: %w", err)
	}
	now := i.now().UTC()
	err = i.ledgerTx(ctx, func(tx *sql.Tx) error {
		fresh = fresh[:0]
		st, err := i.ledgerState(ctx, tx)
		if err != nil {
			return err
		}
		if st.compactions != compactions {
			return errCompacted
		}
		order, err := i.withoutLegacyKeys(ctx, tx, c, claimable, st.legacyUntil)
		if err != nil {
			return err
		}
		// isNew[n]: the key of events[n] was not in the ledger yet. Each
		// chunk of keys (of one day) is inserted without RETURNING first:
		// the number of rows added settles the usual cases (all new: a live
		// feed; none new: a resend). Only a chunk with both is done again
		// (from a savepoint) with RETURNING, whose keys are found in the
		// (sorted) chunk by binary search: no map, no copy of the key.
		isNew := make([]bool, len(events))
		newCount := 0
		args := make([]any, 0, keysPerStatement)
		// By day, in key order: neighbouring keys share B-tree pages.
		slices.SortFunc(order, func(a, b int) int {
			if c.days[a] != c.days[b] {
				return cmp.Compare(c.days[a], c.days[b])
			}
			return strings.Compare(keys[a], keys[b])
		})
		made := false // the day's table is made by this transaction
		for start := 0; start < len(order); {
			day := c.days[order[start]]
			if start == 0 || c.days[order[start-1]] != day {
				if made, err = i.createDayTable(ctx, tx, day); err != nil {
					return err
				}
			}
			end := start + 1
			for end < len(order) && end-start < keysPerStatement && c.days[order[end]] == day {
				end++
			}
			chunk := order[start:end]
			start = end
			table := dayTable(day)
			// Every statement carries keysPerStatement keys, the missing
			// ones NULL (which OR IGNORE skips: a key is NOT NULL), so one
			// prepared statement serves every chunk of a day.
			args = args[:0]
			for _, n := range chunk {
				args = append(args, unsafeBytes(keys[n]))
			}
			for len(args) < keysPerStatement {
				args = append(args, nil)
			}
			if _, err := i.execFixed(ctx, tx, `SAVEPOINT claim_chunk`); err != nil {
				return err
			}
			st, err := i.claimStmt(ctx, tx, table, false, made)
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
				if _, err := i.execFixed(ctx, tx, `ROLLBACK TO claim_chunk`); err != nil {
					return err
				}
				st, err := i.claimStmt(ctx, tx, table, true, made)
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
						return strings.Compare(keys[n], string(k))
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
			if _, err := i.execFixed(ctx, tx, `RELEASE claim_chunk`); err != nil {
				return err
			}
		}
		if newCount == 0 {
			return nil // no batch
		}
		var lo, hi int64
		for _, n := range c.uniq {
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
		if newest := dayOf(time.Unix(hi, 0)); newest > st.newest {
			if _, err := i.execFixed(ctx, tx, `UPDATE ledger_state SET newest = ? WHERE id = 1`, newest); err != nil {
				return err
			}
		}
		// The batch is written once, with its payload (its id is not needed
		// before).
		payload = encodeSpool(events, fresh)
		res, err := i.execFixed(ctx, tx, `INSERT INTO ingest_batches (source, origin, state, events, duplicates, min_occurred, max_occurred, created_at, payload)
			VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?)`, c.source, c.origin, len(fresh), len(events)-len(fresh), lo, hi, now, payload)
		if err != nil {
			return err
		}
		batchID, err = res.LastInsertId()
		return err
	})
	if errors.Is(err, errCompacted) {
		return 0, nil, nil, err
	}
	if err != nil {
		return 0, nil, nil, fmt.Errorf("analytics: claim event keys: %w", err)
	}
	if len(fresh) == 0 {
		batchID, payload = 0, nil
	}
	return batchID, fresh, payload, nil
}

// withoutLegacyKeys returns claimable less the events whose keys the table
// from before the day tables (event_keys) has: it is looked in for events
// of days up to legacyUntil while it holds keys.
func (i *Ingester) withoutLegacyKeys(ctx context.Context, tx *sql.Tx, c *claimRun, claimable []int, legacyUntil int64) ([]int, error) {
	var old []int
	for _, n := range claimable {
		if c.days[n] <= legacyUntil {
			old = append(old, n)
		}
	}
	out := slices.Clone(claimable)
	if len(old) == 0 {
		return out, nil
	}
	var held bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM event_keys)`).Scan(&held); err != nil || !held {
		return out, err
	}
	legacy := keyPrefix(c.origin)
	known := map[int]bool{}
	args := make([]any, 0, keysPerStatement)
	for start := 0; start < len(old); start += keysPerStatement {
		chunk := old[start:min(start+keysPerStatement, len(old))]
		args = args[:0]
		byKey := make(map[string]int, len(chunk))
		for _, n := range chunk {
			k := legacy + c.events[n].EventID
			byKey[k] = n
			args = append(args, []byte(k))
		}
		rows, err := tx.QueryContext(ctx, `SELECT k FROM event_keys WHERE k IN (?`+strings.Repeat(",?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k []byte
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return nil, err
			}
			known[byKey[string(k)]] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return slices.DeleteFunc(out, func(n int) bool { return known[n] }), nil
}

// unsafeBytes is the bytes of s, not copied (bound as a BLOB, only read).
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
