// The bounded ledger: the keys of claimed events, kept per day of
// occurrence (UTC) in tables event_keys_YYYYMMDD for a dedup horizon and
// compacted after (0012_ledger_days.sql); an event of a day already
// compacted is looked up in ClickHouse's key table (event_keys, fed by
// every insert) before it is claimed.

package ingest

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultDedupHorizon is how long the ledger keeps an event's key by
// default (PILOTPULSE_DEDUP_HORIZON), counted back from the newest event it
// has seen.
const DefaultDedupHorizon = 90 * 24 * time.Hour

// secondsPerDay: ledger days are UTC days, days since 1970-01-01.
const secondsPerDay = 86400

// ledger is the ingester's view of the ledger tables: the horizon, the
// numbers of the origins and a few prepared statements of the day tables
// in use.
type ledger struct {
	mu          sync.Mutex
	horizonDays int64
	origins     map[string]uint64 // origin name -> ledger_origins.id
	stmts       []cachedStmt      // most recently used first
	fixed       fixedStmts        // stmts.go

	txMu sync.Mutex // one ledger transaction at a time on conn
	conn *sql.Conn  // held while sessions run (ledgerTx)
}

// ledgerTx runs fn in one transaction (BEGIN IMMEDIATE) on a connection
// the ledger keeps while sessions run: its prepared claim statements are
// compiled once for it (not once for each connection of the pool), and its
// page cache is not thrown away because another connection wrote between
// two claims. The writes are serialised by SQLite anyway. The connection
// goes back to the pool when the last session ends (releaseLedgerConn).
func (i *Ingester) ledgerTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	l := &i.ledger
	l.txMu.Lock()
	defer l.txMu.Unlock()
	if l.conn == nil {
		c, err := i.db.Conn(ctx)
		if err != nil {
			return err
		}
		l.conn = c
	}
	tx, err := l.conn.BeginTx(ctx, nil)
	if err != nil {
		l.conn.Close() // a broken connection is not kept
		l.conn = nil
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	err = tx.Commit()
	i.mu.Lock()
	idle := i.sessions == 0
	i.mu.Unlock()
	if idle {
		l.conn.Close()
		l.conn = nil
	}
	return err
}

// releaseLedgerConn gives the ledger's connection back to the pool (the
// last session ended).
func (i *Ingester) releaseLedgerConn() {
	l := &i.ledger
	l.txMu.Lock()
	defer l.txMu.Unlock()
	if l.conn != nil {
		l.conn.Close()
		l.conn = nil
	}
}

type cachedStmt struct {
	query string
	stmt  *sql.Stmt
}

// maxCachedStmts bounds the prepared claim statements kept (a live feed
// claims into a day or two; a backfill moves on from day to day).
const maxCachedStmts = 8

// SetDedupHorizon sets how long the ledger keeps an event's key (rounded
// up to whole days, at least one), counted back from the newest event it
// has seen; older events are looked up in ClickHouse before they are
// claimed. Set it before the first Spool or Store.
func (i *Ingester) SetDedupHorizon(d time.Duration) {
	days := int64((d + 24*time.Hour - 1) / (24 * time.Hour))
	i.ledger.mu.Lock()
	i.ledger.horizonDays = max(days, 1)
	i.ledger.mu.Unlock()
}

func (i *Ingester) horizonDays() int64 {
	i.ledger.mu.Lock()
	defer i.ledger.mu.Unlock()
	if i.ledger.horizonDays == 0 {
		return int64(DefaultDedupHorizon / (24 * time.Hour))
	}
	return i.ledger.horizonDays
}

// dayOf is the ledger day of a time.
func dayOf(t time.Time) int64 {
	s := t.Unix()
	if s < 0 {
		return (s - secondsPerDay + 1) / secondsPerDay
	}
	return s / secondsPerDay
}

// dayTable names the table of a ledger day: event_keys_20121105.
func dayTable(day int64) string {
	return "event_keys_" + time.Unix(day*secondsPerDay, 0).UTC().Format("20060102")
}

// tableDay reads the day of a day table's name.
func tableDay(name string) (int64, bool) {
	s, ok := strings.CutPrefix(name, "event_keys_")
	if !ok || len(s) != 8 {
		return 0, false
	}
	t, err := time.Parse("20060102", s)
	if err != nil {
		return 0, false
	}
	return dayOf(t), true
}

// ledgerState is the row of ledger_state.
type ledgerState struct {
	newest, compactedBefore, compactions, legacyUntil int64
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func readLedgerState(ctx context.Context, q queryer) (ledgerState, error) {
	return scanLedgerState(q.QueryRowContext(ctx, ledgerStateSQL))
}

const ledgerStateSQL = `SELECT newest, compacted_before, compactions, legacy_until FROM ledger_state WHERE id = 1`

// ledgerState reads the row of ledger_state in tx (or without one) with a
// prepared statement.
func (i *Ingester) ledgerState(ctx context.Context, tx *sql.Tx) (ledgerState, error) {
	return scanLedgerState(i.queryRowFixed(ctx, tx, ledgerStateSQL))
}

func scanLedgerState(row *sql.Row) (ledgerState, error) {
	var s ledgerState
	err := row.Scan(&s.newest, &s.compactedBefore, &s.compactions, &s.legacyUntil)
	if err != nil {
		return s, fmt.Errorf("analytics: ledger state: %w", err)
	}
	return s, nil
}

// originPrefix is the start of the day-table keys of an origin: its number
// in ledger_origins as a uvarint (numbered on first use).
func (i *Ingester) originPrefix(ctx context.Context, origin string) (string, error) {
	id, err := i.originNumber(ctx, origin, true)
	if err != nil {
		return "", err
	}
	return string(binary.AppendUvarint(nil, id)), nil
}

// originNumber is an origin's number in ledger_origins; without create, 0
// for an origin that has none yet (it never claimed into a day table).
func (i *Ingester) originNumber(ctx context.Context, origin string, create bool) (uint64, error) {
	i.ledger.mu.Lock()
	id, ok := i.ledger.origins[origin]
	i.ledger.mu.Unlock()
	if ok {
		return id, nil
	}
	if create {
		// On the ledger's connection, between its claims: another
		// connection would wait for the write lock behind a steady stream
		// of claims (SQLite's busy wait is not a queue) and could time out.
		err := i.ledgerTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO ledger_origins (name) VALUES (?) ON CONFLICT (name) DO NOTHING`, origin)
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("analytics: number origin %s: %w", origin, err)
		}
	}
	err := i.db.QueryRowContext(ctx, `SELECT id FROM ledger_origins WHERE name = ?`, origin).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows) && !create:
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("analytics: number of origin %s: %w", origin, err)
	}
	i.ledger.mu.Lock()
	if i.ledger.origins == nil {
		i.ledger.origins = map[string]uint64{}
	}
	i.ledger.origins[origin] = id
	i.ledger.mu.Unlock()
	return id, nil
}

// claimStmt is the claim statement of keysPerStatement keys into a day
// table, in tx. It is prepared for the database (and per connection by
// database/sql) and kept for the day tables used last, not prepared for
// every transaction: 500 rows of VALUES take a while to compile. It runs in
// a claim's transaction, so one claim at a time uses the cache. A table
// made by tx (made) is not there for other connections yet: its statement
// is prepared in tx.
func (i *Ingester) claimStmt(ctx context.Context, tx *sql.Tx, table string, returning, made bool) (*sql.Stmt, error) {
	q := claimSQL(table, keysPerStatement, returning)
	if made {
		return tx.PrepareContext(ctx, q) // closed with tx
	}
	l := &i.ledger
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, c := range l.stmts {
		if c.query == q {
			copy(l.stmts[1:k+1], l.stmts[:k])
			l.stmts[0] = c
			return tx.StmtContext(ctx, c.stmt), nil
		}
	}
	st, err := i.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if len(l.stmts) == maxCachedStmts {
		l.stmts[len(l.stmts)-1].stmt.Close()
		l.stmts = l.stmts[:len(l.stmts)-1]
	}
	l.stmts = append([]cachedStmt{{q, st}}, l.stmts...)
	return tx.StmtContext(ctx, st), nil
}

// forgetStmts closes the cached statements of a dropped day table.
func (i *Ingester) forgetStmts(table string) {
	l := &i.ledger
	l.mu.Lock()
	defer l.mu.Unlock()
	kept := l.stmts[:0]
	for _, c := range l.stmts {
		if strings.Contains(c.query, " "+table+" ") {
			c.stmt.Close()
			continue
		}
		kept = append(kept, c)
	}
	l.stmts = kept
}

// claimSQL inserts n keys into a day table, skipping those it has; with
// returning it gives back the keys it added.
func claimSQL(table string, n int, returning bool) string {
	s := "INSERT OR IGNORE INTO " + table + " (k) VALUES (?)" + strings.Repeat(",(?)", n-1)
	if returning {
		s += " RETURNING k"
	}
	return s
}

// ensureDayTables makes the day tables of days that have none, in a
// transaction of their own before the claim's, so that the claim finds them
// there and uses its prepared statements (a table made in the claim's own
// transaction is not there for the statements prepared for the pool).
func (i *Ingester) ensureDayTables(ctx context.Context, days []int64) error {
	tables, err := dayTables(ctx, i.db)
	if err != nil {
		return err
	}
	var missing []int64
	for _, d := range days {
		if _, ok := tables[d]; !ok && !slices.Contains(missing, d) {
			missing = append(missing, d)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return i.ledgerTx(ctx, func(tx *sql.Tx) error {
		for _, d := range missing {
			if _, err := i.createDayTable(ctx, tx, d); err != nil {
				return err
			}
		}
		return nil
	})
}

// createDayTable creates a day table unless it exists, and says whether it
// did.
func (i *Ingester) createDayTable(ctx context.Context, tx *sql.Tx, day int64) (made bool, err error) {
	var there bool
	if err := i.queryRowFixed(ctx, tx, `SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?)`, dayTable(day)).Scan(&there); err != nil || there {
		return false, err
	}
	_, err = tx.ExecContext(ctx, `CREATE TABLE `+dayTable(day)+` (k BLOB PRIMARY KEY) WITHOUT ROWID`)
	return err == nil, err
}

// dayTables lists the day tables there are, by day.
func dayTables(ctx context.Context, q interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}) (map[int64]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name GLOB 'event_keys_[0-9]*'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		if d, ok := tableDay(name); ok {
			out[d] = name
		}
	}
	return out, rows.Err()
}

// Compact drops the day tables of the ledger older than the horizon
// (counted back from the newest event claimed) whose events are all in
// ClickHouse (no pending batch has events of that day), and empties the
// table of keys from before the day tables (event_keys) once the horizon
// has passed the day they end and no batch of theirs is pending. It
// returns how many day tables it dropped. Run calls it; it is cheap when
// there is nothing to drop.
func (i *Ingester) Compact(ctx context.Context) (dropped int, err error) {
	horizon := i.horizonDays()
	var gone []string
	err = i.ledgerTx(ctx, func(tx *sql.Tx) error {
		gone = gone[:0]
		st, err := readLedgerState(ctx, tx)
		if err != nil {
			return err
		}
		cutoff := max(st.newest-horizon, st.compactedBefore)
		tables, err := dayTables(ctx, tx)
		if err != nil {
			return err
		}
		for day, table := range tables {
			if day >= cutoff {
				continue
			}
			var pending bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM ingest_batches WHERE state = 'pending'
				AND min_occurred < ? AND max_occurred >= ?)`, (day+1)*secondsPerDay, day*secondsPerDay).Scan(&pending); err != nil {
				return err
			}
			if pending {
				continue // dropped by a later compaction, once stored
			}
			if _, err := tx.ExecContext(ctx, `DROP TABLE `+table); err != nil {
				return err
			}
			gone = append(gone, table)
		}
		legacyUntil := st.legacyUntil
		var legacyKeys bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM event_keys)`).Scan(&legacyKeys); err != nil {
			return err
		}
		if legacyUntil > 0 && !legacyKeys {
			legacyUntil = 0 // nothing to look in
		}
		if legacyUntil > 0 && legacyUntil < cutoff {
			// The keys of before the day tables: their batches were claimed
			// without an origin recorded.
			var pending bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM ingest_batches WHERE state = 'pending' AND origin IS NULL)`).Scan(&pending); err != nil {
				return err
			}
			if !pending {
				if _, err := tx.ExecContext(ctx, `DELETE FROM event_keys`); err != nil {
					return err
				}
				legacyUntil = 0
			}
		}
		if len(gone) == 0 && cutoff == st.compactedBefore && legacyUntil == st.legacyUntil {
			return nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE ledger_state SET compacted_before = ?, compactions = compactions + 1, legacy_until = ? WHERE id = 1`,
			cutoff, legacyUntil)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("analytics: compact the ledger: %w", err)
	}
	for _, t := range gone {
		i.forgetStmts(t)
	}
	if len(gone) > 0 {
		i.logger.Info("ledger compacted", "dropped_days", len(gone), "horizon_days", horizon)
	}
	return len(gone), nil
}

// keysPerLookup is how many event ids one ClickHouse key lookup carries.
const keysPerLookup = 5000

// storedInClickHouse returns which of ids ClickHouse's key table has under
// origin, or under a source of origin (rows stored before the key table
// carry their source: 0006_event_keys.sql).
func (i *Ingester) storedInClickHouse(ctx context.Context, origin string, ids []string) (map[string]struct{}, error) {
	names := []string{origin}
	rows, err := i.db.QueryContext(ctx, `SELECT name FROM sources WHERE coalesce(nullif(origin, ''), name) = ? AND name <> ?`, origin, origin)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if i.beforeLookup != nil {
		if err := i.beforeLookup(); err != nil {
			return nil, err
		}
	}
	found := map[string]struct{}{}
	for start := 0; start < len(ids); start += keysPerLookup {
		chunk := ids[start:min(start+keysPerLookup, len(ids))]
		args := make([]any, 0, len(names)+len(chunk))
		for _, n := range names {
			args = append(args, n)
		}
		for _, id := range chunk {
			args = append(args, id)
		}
		q := `SELECT DISTINCT event_id FROM event_keys WHERE origin IN (?` + strings.Repeat(",?", len(names)-1) +
			`) AND event_id IN (?` + strings.Repeat(",?", len(chunk)-1) + `)`
		rows, err := i.ch.Query(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			found[id] = struct{}{}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return found, nil
}

// LedgerSize is what the ledger's keys take on disk: the bytes of the day
// tables and of the table from before them, and how many day tables there
// are.
func (i *Ingester) LedgerSize(ctx context.Context) (bytes int64, days int, err error) {
	tables, err := dayTables(ctx, i.db)
	if err != nil {
		return 0, 0, err
	}
	err = i.db.QueryRowContext(ctx, `SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name GLOB 'event_keys*' OR name GLOB 'sqlite_autoindex_event_keys*'`).Scan(&bytes)
	if err != nil {
		return 0, 0, fmt.Errorf("analytics: ledger size: %w", err)
	}
	return bytes, len(tables), nil
}
