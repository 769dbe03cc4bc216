package survey

// The survey's figures, each computed in one function here so that pages,
// JSON routes and (later) dashboards and Excel sheets show the same numbers.
// Definitions: docs/figures.md#survey.

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
)

// WaveFigures is the response tracking of one wave. Every invitation is in
// exactly one status; ResponseRate = Submitted / Invitations (0 when there
// are none). CompanyRate counts companies with at least one submitted answer
// over companies invited.
type WaveFigures struct {
	Wave              string  `json:"wave"`
	State             string  `json:"state"`
	Invitations       int     `json:"invitations"`
	Invited           int     `json:"invited"` // not opened yet
	Opened            int     `json:"opened"`  // opened, nothing saved
	Draft             int     `json:"draft"`
	Submitted         int     `json:"submitted"`
	ResponseRate      float64 `json:"response_rate"`
	Companies         int     `json:"companies"`
	CompaniesAnswered int     `json:"companies_answered"`
	CompanyRate       float64 `json:"company_response_rate"`
}

// Percent formats a rate as a whole-number percentage.
func Percent(rate float64) string { return strconv.FormatFloat(rate*100, 'f', 0, 64) + " %" }

// FigWaveResponse computes the response figures of a wave.
func (s *Store) FigWaveResponse(ctx context.Context, w Wave, now time.Time) (WaveFigures, error) {
	f := WaveFigures{Wave: w.ID, State: w.State(now)}
	err := s.db.QueryRowContext(ctx, `SELECT count(*),
		coalesce(sum(status = 'invited'), 0), coalesce(sum(status = 'opened'), 0),
		coalesce(sum(status = 'draft'), 0), coalesce(sum(status = 'submitted'), 0),
		count(DISTINCT company_id),
		count(DISTINCT CASE WHEN status = 'submitted' THEN company_id END)
		FROM survey_invitations WHERE wave_id = ?`, w.ID).
		Scan(&f.Invitations, &f.Invited, &f.Opened, &f.Draft, &f.Submitted, &f.Companies, &f.CompaniesAnswered)
	if err != nil {
		return f, err
	}
	if f.Invitations > 0 {
		f.ResponseRate = float64(f.Submitted) / float64(f.Invitations)
	}
	if f.Companies > 0 {
		f.CompanyRate = float64(f.CompaniesAnswered) / float64(f.Companies)
	}
	return f, nil
}

// FigNonRespondents lists a wave's invitations that have not been submitted.
func (s *Store) FigNonRespondents(ctx context.Context, wave string) ([]Invitation, error) {
	return s.invitations(ctx, `i.wave_id = ? AND i.status <> 'submitted'`, wave)
}

// Flag kinds of a change between two answered waves of a company.
const (
	FlagFell          = "fell"           // a rating, NPS or number went down
	FlagRose          = "rose"           // … went up
	FlagFirstReported = "first_reported" // a yes/no answered yes for the first time
	FlagChanged       = "changed"        // any other change of answer
)

// Flag is one change in a company's answers against its previous answered wave.
type Flag struct {
	Key  string `json:"key"`
	Kind string `json:"kind"`
	From string `json:"from"`
	To   string `json:"to"`
}

// HistoryWave is a company's answers in one wave it was invited to.
type HistoryWave struct {
	Wave     string            `json:"wave"`
	Answered bool              `json:"answered"`
	Values   map[string]string `json:"values"`
	Flags    []Flag            `json:"flags"`
}

// FigCompanyHistory is a company's answers wave by wave (oldest first) with
// changes flagged against the previous wave it answered. When several
// contacts of the company submitted in a wave, the latest submission counts.
func (s *Store) FigCompanyHistory(ctx context.Context, companyID int64) ([]HistoryWave, error) {
	types := map[string]string{}
	rows, err := s.db.QueryContext(ctx, `SELECT key, type FROM survey_question_keys`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var k, t string
		if err := rows.Scan(&k, &t); err != nil {
			rows.Close()
			return nil, err
		}
		types[k] = t
	}
	rows.Close()

	rows, err = s.db.QueryContext(ctx, `SELECT DISTINCT w.id FROM survey_waves w JOIN survey_invitations i ON i.wave_id = w.id
		WHERE i.company_id = ? ORDER BY w.opens_at`, companyID)
	if err != nil {
		return nil, err
	}
	var hist []HistoryWave
	index := map[string]int{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		index[id] = len(hist)
		hist = append(hist, HistoryWave{Wave: id, Values: map[string]string{}, Flags: []Flag{}})
	}
	rows.Close()

	rows, err = s.db.QueryContext(ctx, `SELECT a.wave_id, i.id, a.question_key, a.value FROM survey_answers a
		JOIN survey_invitations i ON i.id = a.invitation_id
		WHERE i.company_id = ? AND i.status = 'submitted' ORDER BY i.submitted_at, i.id`, companyID)
	if err != nil {
		return nil, err
	}
	latest := map[string]int64{} // wave -> invitation whose answers count
	for rows.Next() {
		var wave, key, value string
		var inv int64
		if err := rows.Scan(&wave, &inv, &key, &value); err != nil {
			rows.Close()
			return nil, err
		}
		h := &hist[index[wave]]
		if latest[wave] != inv { // a later submission replaces the earlier one entirely
			latest[wave] = inv
			h.Values = map[string]string{}
		}
		h.Answered = true
		h.Values[key] = value
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// A submission with no answers at all still counts as answered.
	rows, err = s.db.QueryContext(ctx, `SELECT DISTINCT wave_id FROM survey_invitations WHERE company_id = ? AND status = 'submitted'`, companyID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var wave string
		rows.Scan(&wave)
		hist[index[wave]].Answered = true
	}
	rows.Close()

	everYes := map[string]bool{}
	var prev map[string]string
	for i := range hist {
		h := &hist[i]
		if !h.Answered {
			continue
		}
		if prev != nil {
			h.Flags = compareAnswers(types, prev, h.Values, everYes)
		} else {
			for k, v := range h.Values {
				if types[k] == TypeYesNo && v == "yes" {
					h.Flags = append(h.Flags, Flag{Key: k, Kind: FlagFirstReported, To: v})
				}
			}
			sortFlags(h.Flags)
		}
		for k, v := range h.Values {
			if v == "yes" {
				everYes[k] = true
			}
		}
		prev = h.Values
	}
	return hist, nil
}

func compareAnswers(types, prev, cur map[string]string, everYes map[string]bool) []Flag {
	flags := []Flag{}
	for k, to := range cur {
		from, had := prev[k]
		switch types[k] {
		case TypeYesNo:
			if to == "yes" && !everYes[k] {
				flags = append(flags, Flag{Key: k, Kind: FlagFirstReported, From: from, To: to})
				continue
			}
		case TypeRating, TypeNPS, TypeNumber:
			a, e1 := parseNumber(from)
			b, e2 := parseNumber(to)
			if had && e1 == nil && e2 == nil && a != b {
				kind := FlagRose
				if b < a {
					kind = FlagFell
				}
				flags = append(flags, Flag{Key: k, Kind: kind, From: from, To: to})
				continue
			}
		case TypeText:
			continue // free text changes every week: not a signal
		}
		if had && from != to {
			flags = append(flags, Flag{Key: k, Kind: FlagChanged, From: from, To: to})
		}
	}
	sortFlags(flags)
	return flags
}

func sortFlags(fs []Flag) {
	slices.SortFunc(fs, func(a, b Flag) int { return strings.Compare(a.Key, b.Key) })
}

// RatePercent is the response rate as a whole-number percentage.
func (f WaveFigures) RatePercent() string { return Percent(f.ResponseRate) }

// CompanyFlags is one company's changes in one wave.
type CompanyFlags struct {
	CompanyCVR  string `json:"company_cvr"`
	CompanyName string `json:"company_name"`
	Flags       []Flag `json:"flags"`
}

// FigWaveFlags lists, for every company invited to the wave that answered
// it, the changes against its previous answered wave (companies without
// changes are left out). It is FigCompanyHistory's flags, wave by wave.
func (s *Store) FigWaveFlags(ctx context.Context, wave string) ([]CompanyFlags, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT co.id, co.cvr, co.name FROM survey_invitations i JOIN companies co ON co.id = i.company_id
		WHERE i.wave_id = ? AND i.status = 'submitted' ORDER BY co.name, co.cvr`, wave)
	if err != nil {
		return nil, err
	}
	type company struct {
		id        int64
		cvr, name string
	}
	var cs []company
	for rows.Next() {
		var c company
		if err := rows.Scan(&c.id, &c.cvr, &c.name); err != nil {
			rows.Close()
			return nil, err
		}
		cs = append(cs, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []CompanyFlags{}
	for _, c := range cs {
		hist, err := s.FigCompanyHistory(ctx, c.id)
		if err != nil {
			return nil, err
		}
		for _, h := range hist {
			if h.Wave == wave && len(h.Flags) > 0 {
				out = append(out, CompanyFlags{CompanyCVR: c.cvr, CompanyName: c.name, Flags: h.Flags})
			}
		}
	}
	return out, nil
}
