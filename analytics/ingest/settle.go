// Step 3 and recovery: settling. Batches are marked stored once ClickHouse
// has their rows; a batch left pending (a crash, an outage) is settled
// under its source's lock: the rows ClickHouse lacks are inserted from its
// payload, then it is marked stored.

package ingest

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// markStored marks batches stored (step 3), in one transaction; the ids go
// in statements of at most keysPerStatement (SQLite bounds the variables of
// one statement, and an insert may carry many small batches).
func (i *Ingester) markStored(ctx context.Context, batchIDs []int64) error {
	now := i.now().UTC()
	err := i.ledgerTx(ctx, func(tx *sql.Tx) error {
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

// settleMode says what settling does about a source whose lock is held
// (a session storing it, here or in another process).
type settleMode int

const (
	// settleIfFree leaves a held source alone: its pending batches may be
	// in flight there, and that session settles them itself (or the next
	// one does, under the lock). Settle, every second from Run.
	settleIfFree settleMode = iota
	// settleUnlessBusyElsewhere waits up to busyWait for the lock, then
	// leaves the source to the process that holds it. Recover, at start.
	settleUnlessBusyElsewhere
	// settleWaiting waits for the lock as long as ctx lasts. Flush, and
	// Store for its source.
	settleWaiting
)

// busyWait is how long settleUnlessBusyElsewhere waits for a source's lock.
const busyWait = 2 * time.Second

// settle settles the pending batches of each source, as mode says.
func (i *Ingester) settle(ctx context.Context, mode settleMode) error {
	sources, err := i.pendingSources(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, s := range sources {
		if err := i.settleSource(ctx, s, mode); err != nil {
			errs = append(errs, fmt.Errorf("source %s: %w", s, err))
			if errors.Is(err, ErrUnavailable) {
				break // the next source would wait for ClickHouse the same way
			}
		}
	}
	return errors.Join(errs...)
}

// settleSource settles a source's pending batches once it has the source's
// lock, as mode says.
func (i *Ingester) settleSource(ctx context.Context, source string, mode settleMode) error {
	var unlock func()
	var err error
	switch mode {
	case settleWaiting:
		unlock, err = i.lock(ctx, source, true)
	case settleIfFree:
		unlock, err = i.lock(ctx, source, false)
		if errors.Is(err, errBusy) {
			return nil
		}
	case settleUnlessBusyElsewhere:
		lctx, cancel := context.WithTimeout(ctx, busyWait)
		unlock, err = i.lock(lctx, source, true)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			i.logger.Info("source busy; its pending batches are settled where it is stored", "source", source)
			return nil
		}
	default:
		return fmt.Errorf("analytics: unknown settle mode %d", mode)
	}
	if err != nil {
		return err
	}
	defer unlock()
	return i.reconcile(ctx, source, math.MaxInt64)
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

// flushSource is Flush for one source.
func (i *Ingester) flushSource(ctx context.Context, source string) error {
	return i.settleSource(ctx, source, settleWaiting)
}

// reconcile settles the source's pending batches up to upTo, oldest
// first. A batch carries its events and was acknowledged: its rows that
// ClickHouse lacks are inserted. A batch with keys only (claimed by a
// version before the spool, whose caller was not yet answered) keeps the
// keys of the rows ClickHouse has and releases the others, so a resend
// stores them. Then the batch is marked stored. The caller holds the
// source's lock, so no pending batch of the source is in flight anywhere.
// The events are read from the ledger a group at a time: a backlog of
// gigabytes is not held in memory.
func (i *Ingester) reconcile(ctx context.Context, source string, upTo int64) error {
	defer i.backlogStale()
	type pending struct {
		id, events    int64
		lo, hi        int64
		keysOnly      bool
		keys, payload []byte         // read when its turn comes
		origin        sql.NullString // NULL: claimed before 0012_ledger_days.sql
	}
	rows, err := i.db.QueryContext(ctx, `SELECT id, events, min_occurred, max_occurred, payload IS NULL, origin FROM ingest_batches
		WHERE source = ? AND state = 'pending' AND id <= ? ORDER BY id`, source, upTo)
	if err != nil {
		return fmt.Errorf("analytics: pending batches: %w", err)
	}
	var ps []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.id, &p.events, &p.lo, &p.hi, &p.keysOnly, &p.origin); err != nil {
			rows.Close()
			return err
		}
		ps = append(ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// readBlobs reads the payload (or the keys) of batches.
	readBlobs := func(batches []pending) error {
		for n := range batches {
			p := &batches[n]
			if err := i.db.QueryRowContext(ctx, `SELECT keys, payload FROM ingest_batches WHERE id = ?`, p.id).Scan(&p.keys, &p.payload); err != nil {
				return fmt.Errorf("analytics: pending batch %d: %w", p.id, err)
			}
		}
		return nil
	}
	// What ClickHouse has of a batch is found by its batch_id (unique across
	// sources and origins), so a batch's rows are exactly its own, whichever
	// origin its keys are under. The keys compared here carry the source's
	// prefix: for a spooled batch only to match storedKeys, and a keys-only
	// batch predates origins (0007_origins.sql), so its keys are the source's.
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
		if err := readBlobs(batches); err != nil {
			return err
		}
		ids := make([]int64, len(batches))
		lo, hi := batches[0].lo, batches[0].hi
		for n, p := range batches {
			ids[n], lo, hi = p.id, min(lo, p.lo), max(hi, p.hi)
		}
		if err := i.awaitOrphanInserts(ctx, source); err != nil {
			return fmt.Errorf("%w: settle pending batches %d to %d: %w", ErrUnavailable, ids[0], ids[len(ids)-1], err)
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
				origin := p.origin.String
				if !p.origin.Valid {
					if origin, err = i.originOf(ctx, source); err != nil {
						return err
					}
				}
				flights = append(flights, &flight{batchID: p.id, origin: origin, rows: len(missing), payload: encodeSpool(eventPtrs(events), missing)})
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
		if !p.keysOnly {
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
		one := []pending{p}
		if err := readBlobs(one); err != nil {
			return err
		}
		p := one[0]
		if err := i.awaitOrphanInserts(ctx, source); err != nil {
			return fmt.Errorf("%w: settle pending batch %d: %w", ErrUnavailable, p.id, err)
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

// splitKeys reads the key list of a batch claimed before the spool (keys
// only, each preceded by its length as a uvarint: 0004_ingest.sql).
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

// storedKeys returns, per batch, the keys of the batches' rows in
// ClickHouse under the source's prefix (the batches' events occurred
// between lo and hi).
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

// awaitOrphanInserts waits until ClickHouse lists no insert of source's
// events any more (insertQueryPrefix). The caller holds the source's lock,
// so no live session of any process inserts for it: an insert still listed
// is one whose connection broke, and the rows it may still write must be
// visible before reconcile decides which rows are missing.
func (i *Ingester) awaitOrphanInserts(ctx context.Context, source string) error {
	like := insertQueryPrefix(source) + "%"
	for {
		var n uint64
		if err := i.ch.QueryRow(ctx, `SELECT count() FROM system.processes WHERE query_id LIKE ?`, like).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(orphanInsertPoll):
		}
	}
}

// orphanInsertPoll is how often awaitOrphanInserts looks again.
const orphanInsertPoll = 50 * time.Millisecond
