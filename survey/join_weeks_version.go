package survey

import (
	"context"
	"strconv"
)

// InvitationsVersion changes whenever an invitation is added (invitations
// are never deleted, nor moved to another wave or company): with the
// registry's ParticipantsVersion it tells when JoinWeeks may have changed.
// One lookup of the newest id.
func (s *Store) InvitationsVersion(ctx context.Context) (string, error) {
	var id int64
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM survey_invitations`).Scan(&id); err != nil {
		return "", err
	}
	return strconv.FormatInt(id, 10), nil
}
