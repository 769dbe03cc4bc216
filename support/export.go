package support

import (
	"context"
	"time"
)

// The raw export of the calls (reports/exports) reads every live call
// received in a period, each as its latest version (support_calls holds
// a call as it stands; support_call_versions its history).
const exportCallsWhere = ` FROM support_calls c JOIN companies co ON co.id = c.company_id
	WHERE c.deleted_at IS NULL AND c.received_at >= ? AND c.received_at < ?`

// CountExportCalls is how many live calls were received in [from, to).
func (s *Store) CountExportCalls(ctx context.Context, from, to time.Time) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT count(*)`+exportCallsWhere, from.UTC(), to.UTC()).Scan(&n)
	return n, err
}

// EachExportCall calls fn with every live call received in [from, to),
// oldest first, read as a stream (never all at once).
func (s *Store) EachExportCall(ctx context.Context, from, to time.Time, fn func(Call) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT `+callColumns+exportCallsWhere+` ORDER BY c.received_at, c.id`, from.UTC(), to.UTC())
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}
