package registry

import (
	"context"
	"fmt"
)

// ParticipantsVersion changes whenever a company is added or changed (by
// any process: every write sets updated_at; companies are never deleted),
// so that a reader may keep Participants while it stays the same (the
// dashboards at national scale). One scan of the companies' updated_at,
// no rows read into Go.
func (s *Store) ParticipantsVersion(ctx context.Context) (string, error) {
	var n int64
	var latest any
	if err := s.db.QueryRowContext(ctx, `SELECT count(*), max(updated_at) FROM companies`).Scan(&n, &latest); err != nil {
		return "", err
	}
	return fmt.Sprint(n, " ", latest), nil
}
