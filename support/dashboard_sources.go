package support

import (
	"context"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/week"
)

// CallNote is a live call's description, as the dashboards' wishes read it
// (docs/figures.md#wishes).
type CallNote struct {
	ID          int64
	CompanyCVR  string
	CompanyName string
	ReceivedAt  time.Time
	Description string
}

// CallNotes lists the descriptions of the live calls received in the weeks
// from to to (inclusive), oldest first.
func (s *Store) CallNotes(ctx context.Context, from, to week.Week) ([]CallNote, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, co.cvr, co.name, c.received_at, c.description
		FROM support_calls c JOIN companies co ON co.id = c.company_id
		WHERE c.deleted_at IS NULL AND c.received_at >= ? AND c.received_at < ? ORDER BY c.received_at, c.id`,
		from.Start().UTC(), to.End().UTC())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CallNote
	for rows.Next() {
		var n CallNote
		if err := rows.Scan(&n.ID, &n.CompanyCVR, &n.CompanyName, &n.ReceivedAt, &n.Description); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// CallCounts counts the live calls received in each week from to to, by
// week; weeks without calls are absent. Unlike List it has no cap.
func (s *Store) CallCounts(ctx context.Context, from, to week.Week) (map[week.Week]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT received_at FROM support_calls WHERE deleted_at IS NULL AND received_at >= ? AND received_at < ?`,
		from.Start().UTC(), to.End().UTC())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[week.Week]int{}
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			return nil, err
		}
		out[week.Of(at)]++
	}
	return out, rows.Err()
}

// OpenFollowUps counts the live calls whose follow-up is needed and not done.
func (s *Store) OpenFollowUps(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM support_calls WHERE deleted_at IS NULL AND follow_up_needed = 1 AND follow_up_done = 0`).Scan(&n)
	return n, err
}
