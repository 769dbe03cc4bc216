package main

// The weekly workbook's bench (-workbook): a pilot of 3,000 companies, 50
// authorities and N usage events (same shape otherwise), two questionnaire
// waves answered by half the companies and 1,000 support calls in their
// weeks; it prints how long dashboards.Reader.WeeklyWorkbook takes to build
// the workbook of 2012-W52 (median of -workbook-runs builds) and its size.

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/pilotpulse/pilotpulse/dashboards"
	"github.com/pilotpulse/pilotpulse/internal/app"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/support"
	"github.com/pilotpulse/pilotpulse/survey"
)

// The workbook's pilot.
const (
	workbookCompanies   = 3_000
	workbookAuthorities = 50
	workbookWeek        = "2012-W52"
)

// seedPilot gives the companies a contact each, creates the waves of the
// week and the week before (every contact invited), submits answers for
// every other company and logs 1,000 calls in those weeks.
func seedPilot(ctx context.Context, a *app.App) error {
	if _, err := a.DB.ExecContext(ctx, `INSERT INTO contacts (company_id, position, name, email, language)
		SELECT id, 0, 'Kontakt ' || cvr, 'k' || cvr || '@firma.test', 'da' FROM companies`); err != nil {
		return fmt.Errorf("contacts: %w", err)
	}
	st := a.Survey.Store
	w := week.MustParse(workbookWeek)
	for i, wk := range []week.Week{w.Prev(), w} {
		wave, _, err := st.CreateWave(ctx, wk.String(), "bench")
		if err != nil {
			return fmt.Errorf("wave %s: %w", wk, err)
		}
		invs, err := st.Invitations(ctx, wave.ID)
		if err != nil {
			return err
		}
		saved := st.Now
		st.Now = func() time.Time { return wave.OpensAt.Add(time.Hour) }
		for j, inv := range invs {
			if j%2 == 1 {
				continue
			}
			yes := map[bool]string{true: "yes", false: "no"}
			values := map[string]string{survey.KeyUsedMailbox: "yes", survey.KeySetupProblem: yes[j%5 == i], survey.KeyEase: strconv.Itoa(1 + j%5),
				survey.KeyThirdPartyAccess: yes[j%11 == 0], survey.KeyContactedSupport: "no", survey.KeyComments: "Kommentar " + strconv.Itoa(j)}
			if j%5 == i {
				values[survey.KeySetupProblemKinds] = `["creating_mailbox"]`
			}
			if err := st.Save(ctx, inv, wave, values, true); err != nil {
				st.Now = saved
				return fmt.Errorf("answers: %w", err)
			}
		}
		st.Now = saved
	}
	for i := range 1000 {
		at := w.Prev().Start().Add(time.Duration(i) * 14 * 24 * time.Hour / 1000)
		in := support.Input{CompanyCVR: strconv.Itoa(30000000 + i*3%workbookCompanies), CallerName: "Anna", Channel: "phone", ReceivedAt: &at,
			Desk: support.Desks[i%len(support.Desks)], Category: support.Categories[i%len(support.Categories)],
			Resolution: support.Resolutions[i%len(support.Resolutions)], Description: "bench"}
		if _, err := a.Support.Create(ctx, in, "bench"); err != nil {
			return fmt.Errorf("call: %w", err)
		}
	}
	return nil
}

// benchWorkbook times the weekly workbook of workbookWeek as a manager.
func benchWorkbook(ctx context.Context, a *app.App, n int64, runs int) error {
	fmt.Printf("seeding the pilot (contacts, waves %s and %s with answers, 1000 calls) ... ", week.MustParse(workbookWeek).Prev(), workbookWeek)
	start := time.Now()
	if err := seedPilot(ctx, a); err != nil {
		return err
	}
	fmt.Printf("%.1f s\n", time.Since(start).Seconds())
	r := dashboards.NewReader(a.DashboardDeps())
	manager := &auth.Principal{Email: "bench", Role: auth.RoleManager}
	var took []time.Duration
	var size int
	for range runs + 1 {
		var buf bytes.Buffer
		start := time.Now()
		if _, err := r.WeeklyWorkbook(ctx, manager, week.MustParse(workbookWeek), "da", &buf); err != nil {
			return err
		}
		took, size = append(took, time.Since(start)), buf.Len()
	}
	took = took[1:] // the first build warms the caches
	slices.Sort(took)
	fmt.Printf("\nweekly workbook %s, %d companies, %d authorities, %d events: built in %s (median of %d; fastest %s, slowest %s), %d KB\n",
		workbookWeek, workbookCompanies, workbookAuthorities, n, ms(took[len(took)/2]), len(took), ms(took[0]), ms(took[len(took)-1]), size>>10)
	return nil
}
