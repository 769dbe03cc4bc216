package registry

import (
	"context"
	"strconv"
)

// ParticipantsVersion changes whenever a company is added, changed or
// removed, by any process: a counter kept by triggers on the companies
// table (migration 0014_company_changes.sql), so that a reader may keep
// Participants while it stays the same (the dashboards at national scale).
// One row read, whatever the number of companies.
func (s *Store) ParticipantsVersion(ctx context.Context) (string, error) {
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT changes FROM change_counters WHERE name = 'companies'`).Scan(&n); err != nil {
		return "", err
	}
	return strconv.FormatInt(n, 10), nil
}
