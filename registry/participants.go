package registry

import "context"

// Participants lists every company of the registry (all kinds) with its
// id, CVR, name, kind, cohort and creation time only: no P-numbers or
// contacts. The
// dashboards count and match companies with it.
func (s *Store) Participants(ctx context.Context) ([]Company, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, cvr, name, kind, cohort, created_at FROM companies ORDER BY name, cvr`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Company
	for rows.Next() {
		var c Company
		if err := rows.Scan(&c.ID, &c.CVR, &c.Name, &c.Kind, &c.Cohort, &c.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
