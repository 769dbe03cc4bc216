package survey

// Replaying a past wave: the import path of a pilot that ran before
// Pilotpulse recorded it (`pilotpulse demo` loads the 2012 pilot this way).
// Live waves are created by CreateWave and answered on the respondent's
// page, whose rules stay as they are: a wave created for a past week is
// closed, and nobody can answer it. ReplayWave is not reachable from the
// web; it records what was answered back then, with the dates it was
// answered on.

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// PastAnswer is one contact's answers in a replayed wave, as the contact
// submitted them then.
type PastAnswer struct {
	ContactEmail string // an invited contact of the company (any case)
	CompanyCVR   string
	// Values are the answers by question key, each as the respondent's
	// form sends it (a multiple choice: one value per chosen option).
	Values map[string][]string
	// OpenedAt and SubmittedAt lie in the wave's window; a zero OpenedAt
	// is SubmittedAt.
	OpenedAt, SubmittedAt time.Time
}

// Replayed is what ReplayWave stored.
type Replayed struct {
	Wave      Wave `json:"wave"`
	Invited   int  `json:"invited"`
	Submitted int  `json:"submitted"`
}

// ReplayWave records the past wave of an ISO week with its real dates: the
// wave with the schedule's window and the current questionnaire version,
// an invitation for every contact of the cohort (dated the wave's
// opening), and the answers as submitted then, each checked as the
// respondent's final submit checks it. It refuses a week whose wave has
// not closed by now (a current or future wave is created with CreateWave
// and answered by its respondents), an answer dated outside the window
// and a contact not invited; nothing is stored then. A week that has a
// wave already gives ErrExists and changes nothing, so replaying twice
// stores the wave once.
func (s *Store) ReplayWave(ctx context.Context, weekText, by string, answers []PastAnswer) (Replayed, error) {
	var res Replayed
	p, err := s.planWave(ctx, weekText)
	if err != nil {
		return res, err
	}
	if !s.Now().After(p.closes) {
		return res, FieldErrors{{Field: "week", Message: problem.Msg("survey.v.replay_not_past", p.id, stamp(p.closes))}}
	}
	if _, err := s.Wave(ctx, p.id); err == nil {
		return res, ErrExists
	}
	type answerSet struct {
		values            map[string]string
		opened, submitted time.Time
	}
	sets := make([]answerSet, len(answers))
	var fe FieldErrors
	for i, a := range answers {
		field := fmt.Sprintf("answers[%d]", i)
		if a.OpenedAt.IsZero() {
			a.OpenedAt = a.SubmittedAt
		}
		for _, t := range []struct {
			name string
			at   time.Time
		}{{".opened_at", a.OpenedAt}, {".submitted_at", a.SubmittedAt}} {
			if t.at.Before(p.opens) || !t.at.Before(p.closes) {
				fe.Add(field+t.name, "survey.v.replay_time", stamp(p.opens), stamp(p.closes))
			}
		}
		if a.SubmittedAt.Before(a.OpenedAt) {
			fe.Add(field+".submitted_at", "survey.v.replay_order")
		}
		form := make(map[string][]string, len(a.Values))
		for k, v := range a.Values {
			form[FormField(k)] = v
		}
		values, problems := ParseAnswers(p.version.Definition, form, true)
		keys := make([]string, 0, len(problems))
		for k := range problems {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			pr := problems[k]
			fe.Add(field+".values."+k, "survey.err."+pr.Code, pr.Args...)
		}
		sets[i] = answerSet{values: values, opened: a.OpenedAt.UTC(), submitted: a.SubmittedAt.UTC()}
	}
	if err := fe.Err(); err != nil {
		return res, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		n, err := s.insertWave(ctx, tx, p, by, p.opens)
		if err != nil {
			return err
		}
		res.Invited = n
		invited, err := waveContacts(ctx, tx, p.id)
		if err != nil {
			return err
		}
		var fe FieldErrors
		for i, a := range answers {
			inv, ok := invited[contactKey(a.CompanyCVR, a.ContactEmail)]
			if !ok {
				fe.Add(fmt.Sprintf("answers[%d].contact_email", i), "survey.v.replay_contact", a.ContactEmail, a.CompanyCVR)
				continue
			}
			set := sets[i]
			upd, err := tx.ExecContext(ctx, `UPDATE survey_invitations SET status = 'submitted', opened_at = ?, saved_at = ?, submitted_at = ?
				WHERE id = ? AND status <> 'submitted'`, set.opened, set.submitted, set.submitted, inv.id)
			if err != nil {
				return err
			}
			if n, _ := upd.RowsAffected(); n == 0 {
				fe.Add(fmt.Sprintf("answers[%d].contact_email", i), "survey.v.replay_twice", a.ContactEmail)
				continue
			}
			for k, v := range set.values {
				if _, err := tx.ExecContext(ctx, `INSERT INTO survey_answers (invitation_id, wave_id, company_id, contact_id, version_id, question_key, value)
					VALUES (?, ?, ?, ?, ?, ?, ?)`, inv.id, p.id, inv.company, inv.contact, p.version.ID, k, v); err != nil {
					return err
				}
			}
		}
		return fe.Err()
	})
	if err != nil {
		return Replayed{}, err
	}
	res.Submitted = len(answers)
	res.Wave, err = s.Wave(ctx, p.id)
	return res, err
}

// stamp is a moment as messages show it: Copenhagen wall clock.
func stamp(t time.Time) string { return t.In(week.Copenhagen).Format("2006-01-02 15:04") }

type invitedContact struct{ id, company, contact int64 }

func contactKey(cvr, email string) string {
	return strings.ReplaceAll(cvr, " ", "") + "\x00" + strings.ToLower(strings.TrimSpace(email))
}

// waveContacts are a wave's invitations by company CVR and contact e-mail.
func waveContacts(ctx context.Context, tx *sql.Tx, wave string) (map[string]invitedContact, error) {
	rows, err := tx.QueryContext(ctx, `SELECT i.id, i.company_id, i.contact_id, co.cvr, ct.email FROM survey_invitations i
		JOIN contacts ct ON ct.id = i.contact_id JOIN companies co ON co.id = i.company_id WHERE i.wave_id = ?`, wave)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]invitedContact{}
	for rows.Next() {
		var ic invitedContact
		var cvr, email string
		if err := rows.Scan(&ic.id, &ic.company, &ic.contact, &cvr, &email); err != nil {
			return nil, err
		}
		out[contactKey(cvr, email)] = ic
	}
	return out, rows.Err()
}
