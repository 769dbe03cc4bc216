// Package demopilot loads the demo pilot (`pilotpulse demo`): the seed's
// 2012 running-in pilot as data, made from a seed number and stored
// through the app's own stores: the registry's participants and
// authorities, eight weekly questionnaire waves replayed with their 2012
// dates, the support-call log, interview notes, the usage events pulled by
// an http-feed source from the demo feed, and a demo user per role. Loading
// again adds nothing; the same seed gives the same figures.
package demopilot

import (
	"context"
	"errors"
	"fmt"

	"github.com/pilotpulse/pilotpulse/analytics/demofeed"
	"github.com/pilotpulse/pilotpulse/internal/app"
	"github.com/pilotpulse/pilotpulse/survey"
)

// Options say which demo pilot to load.
type Options struct {
	Seed  uint64
	Weeks int // pilot weeks from 2012-W45, one wave each (8: to 2012-W52)
}

// Count is how many of a kind of record the demo has, and how many of
// those this load added.
type Count struct{ Total, New int }

func (c Count) String() string { return fmt.Sprintf("%d (%d new)", c.Total, c.New) }

// Result is what a load found and added.
type Result struct {
	Companies, Authorities Count
	Waves, Answers         Count
	Calls, Interviews      Count
	// Events are the events pulled from the demo feed this time: New were
	// stored, Total-New were there already.
	Events Count
	Source string // the source the events came through
	Logins []Login
}

// actor names the demo in the records it makes (created_by, handled_by).
const actor = "demo"

// Load loads the demo pilot into the app a (opened with ClickHouse).
func Load(ctx context.Context, a *app.App, opt Options) (Result, error) {
	var res Result
	d := demofeed.DemoEvents(opt.Seed, 30, opt.Weeks)
	na, err := a.Registry.UpsertAuthorities(ctx, d.Authorities)
	if err != nil {
		return res, fmt.Errorf("demo authorities: %w", err)
	}
	nc, err := a.Registry.UpsertCompanies(ctx, d.Companies)
	if err != nil {
		return res, fmt.Errorf("demo companies: %w", err)
	}
	res.Authorities, res.Companies = Count{len(d.Authorities), na.Created}, Count{len(d.Companies), nc.Created}

	st := a.Survey.Store
	sc, err := st.Schedule(ctx)
	if err != nil {
		return res, err
	}
	windows := make([]Window, opt.Weeks)
	for w := range windows {
		if windows[w].Opens, windows[w].Closes, err = sc.Window(pilotWeek(w)); err != nil {
			return res, err
		}
	}
	plan := MakePlan(d, opt.Weeks, windows)
	for w, answers := range plan.Waves {
		res.Waves.Total++
		res.Answers.Total += len(answers)
		r, err := st.ReplayWave(ctx, pilotWeek(w).String(), actor, answers)
		switch {
		case errors.Is(err, survey.ErrExists):
		case err != nil:
			return res, fmt.Errorf("demo wave %s: %w", pilotWeek(w), err)
		default:
			res.Waves.New++
			res.Answers.New += r.Submitted
		}
	}
	calls, err := a.Support.ImportInputs(ctx, plan.Calls, actor)
	if err != nil {
		return res, fmt.Errorf("demo support calls: %w", err)
	}
	res.Calls = Count{len(plan.Calls), calls.Created}
	if res.Interviews, err = addInterviews(ctx, st, plan.Interviews); err != nil {
		return res, err
	}
	if res.Events, res.Source, err = pullEvents(ctx, a, d); err != nil {
		return res, err
	}
	if res.Logins, err = ensureUsers(ctx, a, d); err != nil {
		return res, err
	}
	return res, nil
}

// addInterviews stores the interviews not stored before (same company,
// day and interviewer).
func addInterviews(ctx context.Context, st *survey.Store, ivs []survey.Interview) (Count, error) {
	n := Count{Total: len(ivs)}
	for _, iv := range ivs {
		have, err := st.Interviews(ctx, survey.InterviewFilter{CompanyCVR: iv.CompanyCVR})
		if err != nil {
			return n, err
		}
		dup := false
		for _, h := range have {
			dup = dup || (h.HeldOn == iv.HeldOn && h.Interviewer == iv.Interviewer)
		}
		if dup {
			continue
		}
		if _, err := st.AddInterview(ctx, iv, actor); err != nil {
			return n, fmt.Errorf("demo interview %s %s: %w", iv.CompanyCVR, iv.HeldOn, err)
		}
		n.New++
	}
	return n, nil
}
