// The ledger's fixed statements (those whose text does not change from
// call to call) are prepared once per Ingester, not parsed again for every
// claim: SQLite's parser was a tenth of the ingest's CPU.

package ingest

import (
	"context"
	"database/sql"
)

// fixedStmts holds the prepared fixed statements by their text.
type fixedStmts struct {
	byQuery map[string]*sql.Stmt
}

// prepared is the statement of q, prepared for the database once (nil if
// it cannot be: the caller runs q unprepared, which reports the error).
func (i *Ingester) prepared(ctx context.Context, q string) *sql.Stmt {
	l := &i.ledger
	l.mu.Lock()
	defer l.mu.Unlock()
	if st, ok := l.fixed.byQuery[q]; ok {
		return st
	}
	st, err := i.db.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	if l.fixed.byQuery == nil {
		l.fixed.byQuery = map[string]*sql.Stmt{}
	}
	l.fixed.byQuery[q] = st
	return st
}

// execFixed runs a fixed statement in tx, or on the database without one.
func (i *Ingester) execFixed(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	st := i.prepared(ctx, q)
	switch {
	case st == nil && tx != nil:
		return tx.ExecContext(ctx, q, args...)
	case st == nil:
		return i.db.ExecContext(ctx, q, args...)
	case tx != nil:
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return st.ExecContext(ctx, args...)
}

// queryRowFixed runs a fixed query of one row in tx, or on the database
// without one.
func (i *Ingester) queryRowFixed(ctx context.Context, tx *sql.Tx, q string, args ...any) *sql.Row {
	st := i.prepared(ctx, q)
	switch {
	case st == nil && tx != nil:
		return tx.QueryRowContext(ctx, q, args...)
	case st == nil:
		return i.db.QueryRowContext(ctx, q, args...)
	case tx != nil:
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return st.QueryRowContext(ctx, args...)
}
