package dashboards_test

import (
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/support"
)

// Denominators as the seed counts them (docs/figures.md#denominators): 30
// companies and 1 municipality, 7 of the companies and the municipality
// call in one week. The support figures count the weekly callers against
// the 30 companies by default, against 31 with kind=all and 1 for the
// municipalities; the overview, setup, adoption and support figures pages
// each say what their shares are of and where the other participants are.
func TestDenominatorsAsTheSeedCountsThem(t *testing.T) {
	env := apptest.New(t)
	var companies []string
	for i := 0; len(companies) < 30; i++ {
		c, ok := registry.CompleteCVR(fmt.Sprintf("71%05d", i))
		if !ok {
			continue
		}
		if _, err := env.App.Registry.CreateCompany(t.Context(), registry.Company{CVR: c, Name: fmt.Sprintf("Firma %02d", len(companies)), Kind: registry.KindCompany}); err != nil {
			t.Fatal(err)
		}
		companies = append(companies, c)
	}
	municipality := addCompany(t, env, "7200001", "Pilotkommunen", registry.KindMunicipality, "")
	at := time.Date(2012, 11, 14, 10, 0, 0, 0, week.Copenhagen) // 2012-W46
	for _, c := range append(companies[:7:7], municipality) {
		logCall(t, env, support.Input{CompanyCVR: c, ReceivedAt: &at, Desk: support.DeskPortal, Category: "mailbox_creation", Resolution: support.Resolved})
		logCall(t, env, support.Input{CompanyCVR: c, ReceivedAt: &at, Desk: support.DeskPortal, Category: "mailbox_creation", Resolution: support.Resolved})
	}
	manager := env.As(auth.RoleManager, "")
	for _, c := range []struct {
		query       string
		part, whole int
		calls       int
	}{{"", 7, 30, 14}, {"&kind=company", 7, 30, 14}, {"&kind=all", 8, 31, 16}, {"&kind=municipality", 1, 1, 2}} {
		var rep support.Report
		r := manager.Get("/api/v1/support/figures?week=2012-W46" + c.query)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("support figures%s: %d %s", c.query, r.StatusCode, r.Body)
		}
		r.JSON(t, &rep)
		if len(rep.Weeks) != 1 || rep.PilotCompanies != c.whole || rep.Weeks[0].CallingCompanies.Part != c.part ||
			rep.Weeks[0].CallingCompanies.Whole != c.whole || rep.Weeks[0].Calls != c.calls {
			t.Errorf("support figures%s: %d companies, %+v, %d calls; want %d of %d, %d calls", c.query, rep.PilotCompanies,
				rep.Weeks, rep.Total.Calls, c.part, c.whole, c.calls)
		}
	}

	const company = "Andelene er af 30 virksomheder i piloten."
	const others = "Kommuner, regioner og statslige institutioner er deltagere af en anden type og vises under filteret Deltagertype."
	for _, p := range []struct {
		path string
		want []string
	}{
		{"/support/figures?week=2012-W46", []string{"7 / 30", company + " " + others}},
		{"/support/figures?week=2012-W46&kind=all", []string{"8 / 31", "Andelene er af alle 31 deltagere. Virksomheder, kommuner, regioner og statslige institutioner tælles alle"}},
		{"/support/figures?week=2012-W46&kind=municipality", []string{"1 / 1", "Andelene er af deltagerne af typen kommune, 1 i alt. Virksomhederne i piloten, som tælles som standard, vises under filteret Deltagertype."}},
		{"/?week=2012-W46", []string{"7 af 30", company + " " + others}},
		{"/dashboards/setup-problems?from=2012-W46&to=2012-W46", []string{"Andele er af 30 deltagere (deltagertype: virksomheder). " + others}},
		{"/dashboards/adoption?from=2012-W46&to=2012-W46", []string{company + " " + others}},
	} {
		r := manager.Get(p.path)
		page := html.UnescapeString(r.Body)
		for _, want := range p.want {
			if r.StatusCode != http.StatusOK || !strings.Contains(page, want) {
				t.Errorf("%s: %d, want %q on the page: %.300s", p.path, r.StatusCode, want, pageMain(page))
			}
		}
	}
}
