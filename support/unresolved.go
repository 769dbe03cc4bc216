package support

import (
	"context"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/auth"
)

// Unresolved lists the live calls received before the instant before whose
// problem is still open: a follow-up needed and not done, or a resolution
// other than resolved (partly, not_resolved, escalated) with no follow-up
// done. Newest first; every company. Definition:
// docs/figures.md#follow-up-list. The scope must cover every authority
// (else ErrScope), as for Facts.
func (s *Store) Unresolved(ctx context.Context, scope auth.Scope, before time.Time) ([]Call, error) {
	if !scope.All() {
		return nil, ErrScope
	}
	return scanCalls(s.db.QueryContext(ctx, `SELECT `+callColumns+` FROM support_calls c JOIN companies co ON co.id = c.company_id
		WHERE c.deleted_at IS NULL AND c.received_at < ? AND c.follow_up_done = 0
			AND (c.follow_up_needed = 1 OR c.resolution <> 'resolved')
		ORDER BY c.received_at DESC, c.id DESC`, before.UTC()))
}
