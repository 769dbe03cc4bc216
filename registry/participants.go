package registry

import (
	"context"
	"encoding/json"
)

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

// ContactsOf is the current contacts of the companies with the given CVRs,
// by CVR, each company's in its order: one query for the whole set (the
// dashboards' lists), however many companies. A company without contacts
// (or not in the registry) has no entry.
func (s *Store) ContactsOf(ctx context.Context, cvrs []string) (map[string][]Contact, error) {
	out := map[string][]Contact{}
	if len(cvrs) == 0 {
		return out, nil
	}
	set, err := json.Marshal(cvrs)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT co.cvr, ct.name, ct.email, ct.phone, ct.language
		FROM contacts ct JOIN companies co ON co.id = ct.company_id
		WHERE ct.removed_at IS NULL AND co.cvr IN (SELECT value FROM json_each(?))
		ORDER BY co.cvr, ct.position, ct.id`, string(set))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var cvr string
		var ct Contact
		if err := rows.Scan(&cvr, &ct.Name, &ct.Email, &ct.Phone, &ct.Language); err != nil {
			return nil, err
		}
		out[cvr] = append(out[cvr], ct)
	}
	return out, rows.Err()
}
