package support_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/support"
)

// Without weeks asked for, the figures cover the 8 weeks up to the newest
// week with a call: a log replayed from 2012 shows its figures; naming
// weeks still works as before.
func TestFiguresDefaultToTheNewestWeekWithCalls(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	cvr := company(env, validCVR(t, "3100000"), "Replay A/S")
	manager := env.As(auth.RoleManager, "")
	var rep support.Report
	manager.Get("/api/v1/support/figures").JSON(t, &rep)
	if now := week.Of(time.Now()); rep.To != now.String() || rep.From != now.Add(-7).String() {
		t.Errorf("empty log: figures of %s..%s, want the 8 weeks up to this one", rep.From, rep.To)
	}
	at := time.Date(2012, 12, 19, 10, 0, 0, 0, week.Copenhagen)
	if _, err := env.App.Support.ImportInputs(t.Context(), []support.Input{{CompanyCVR: cvr, CallerName: "Mette", ReceivedAt: &at,
		Desk: support.DeskMailboxOperator, Channel: "phone", Category: "deleted_mail", Description: "Vil gendanne slettet post", Resolution: support.NotResolved}}, "test"); err != nil {
		t.Fatal(err)
	}
	manager.Get("/api/v1/support/figures").JSON(t, &rep)
	if rep.From != "2012-W44" || rep.To != "2012-W51" || rep.Total.Calls != 1 {
		t.Errorf("replayed log: figures of %s..%s with %d calls, want 2012-W44..2012-W51 with 1", rep.From, rep.To, rep.Total.Calls)
	}
	manager.Get("/api/v1/support/figures?week=2012-W50").JSON(t, &rep)
	if rep.From != "2012-W50" || rep.To != "2012-W50" || rep.Total.Calls != 0 {
		t.Errorf("a named week: %s..%s, %d calls", rep.From, rep.To, rep.Total.Calls)
	}
	if r := manager.Get("/support/figures"); r.StatusCode != 200 || !strings.Contains(r.Body, "2012-W51") {
		t.Errorf("figures page: %d", r.StatusCode)
	}
}
