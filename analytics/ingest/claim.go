// Step 1: claiming. The ledger keys of a group's events are inserted into
// the ledger (the duplicates are those it has) and the group is recorded as
// a pending batch with its new events (spool.go), in one SQLite
// transaction: after it the callers may be answered.

package ingest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/pilotpulse/pilotpulse/analytics/event"
)

// eventKeyT is a ledger key: 8 bytes of SHA-256 of the origin (the
// upstream the source carries, by default the source itself: origin.go),
// then the event_id itself. Exact (no hash of the id), and ids that grow over time
// (sequence numbers, ULIDs, UUIDv7) land next to each other in the ledger's
// B-tree, so a batch touches few pages.
type eventKeyT = string

// keyPrefix is the origin part of its ledger keys. An origin that is a
// source's own name gives the keys that source had before origins
// (0007_origins.sql), so old ledgers keep deduplicating.
func keyPrefix(origin string) string {
	sum := sha256.Sum256([]byte(origin))
	return string(sum[:8])
}

// keysPerStatement is how many keys one ledger INSERT carries.
const keysPerStatement = 500

// claimGroup takes the calls' events together, finds duplicates within them (the
// first occurrence counts) and claims the keys of the rest (step 1), under
// the source's origin: a key another source of the origin claimed first is
// a duplicate (SQLite's uniqueness in the claim transaction decides, also
// for concurrent claims through two sources). Then a sample of the new ids
// is looked up under the other origins (checkOverlap).
func (i *Ingester) claimGroup(ctx context.Context, source string, group []*storeReq) (*flight, error) {
	// The origin is read per group: a change of a source's origin applies
	// from the next group on.
	origin, err := i.originOf(ctx, source)
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
	keys := make([]eventKeyT, len(events))
	seen := make(map[eventKeyT]struct{}, len(events))
	uniq := make([]int, 0, len(events))
	prefix := keyPrefix(origin)
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
	i.checkOverlap(ctx, source, origin, events, fresh)
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
