package figures

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// TestCompanyEventDays: the first and last day per company and type, and a
// company's events per day, on the Copenhagen calendar: Sunday 23:30 and
// Monday 00:30 (Sunday 23:30 UTC) are two days, also on the Monday after
// the end of summer time (29 October 2012); a resent batch counts once; a
// bound leaves out the days from it on; only a scope covering every
// authority reads company events.
func TestCompanyEventDays(t *testing.T) {
	analyticstest.OnEachEngine(t, testCompanyEventDays)
}

func testCompanyEventDays(t *testing.T, eng analyticstest.Engine) {
	ing, _ := newTestIngester(t, eng)
	ctx := context.Background()
	a, b := analyticstest.CVRCompanyA, analyticstest.CVRCompanyB
	cph := func(s string) time.Time {
		at, err := time.ParseInLocation("2006-01-02 15:04", s, week.Copenhagen)
		if err != nil {
			t.Fatal(err)
		}
		return at.UTC()
	}
	var evs []event.Event
	add := func(typ, company, at string) {
		evs = append(evs, event.Event{EventID: fmt.Sprintf("e%d", len(evs)), OccurredAt: cph(at), ReceivedAt: cph(at), Type: typ, CompanyCVR: company})
	}
	add(event.TypeLogin, a, "2012-11-11 23:30")       // Sunday
	add(event.TypeLogin, a, "2012-11-12 00:30")       // Monday (Sunday 23:30 UTC)
	add(event.TypeLogin, a, "2012-11-12 09:00")       // the same Monday
	add(event.TypeLogin, a, "2012-11-14 10:00")       //
	add(event.TypeMessageRead, a, "2012-11-12 00:30") //
	add(event.TypeLogin, b, "2012-10-29 00:30")       // Monday after summer time (Sunday 23:30 UTC)
	add("custom.thing", b, "2012-10-28 23:30")        // an unknown type, the Sunday of the change
	for range 2 {                                     // the batch, then resent whole
		if _, _, err := ing.Store(ctx, "feed", evs); err != nil {
			t.Fatal(err)
		}
	}
	all := auth.SystemScope()
	days, err := CompanyEventDays(ctx, ing.CH(), all, []string{event.TypeLogin, event.TypeMessageRead}, "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]EventDays{
		a: {event.TypeLogin: {"2012-11-11", "2012-11-14"}, event.TypeMessageRead: {"2012-11-12", "2012-11-12"}},
		b: {event.TypeLogin: {"2012-10-29", "2012-10-29"}},
	}
	if fmt.Sprint(days) != fmt.Sprint(want) {
		t.Errorf("first and last days: %v, want %v", days, want)
	}
	// Before Monday 12 November: Sunday's login only.
	days, err = CompanyEventDays(ctx, ing.CH(), all, []string{event.TypeLogin, event.TypeMessageRead}, "2012-11-12")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(days); got != fmt.Sprint(map[string]map[string]EventDays{a: {event.TypeLogin: {"2012-11-11", "2012-11-11"}}, b: {event.TypeLogin: {"2012-10-29", "2012-10-29"}}}) {
		t.Errorf("before 2012-11-12: %s", got)
	}

	perDay, err := CompanyDays(ctx, ing.CH(), all, a)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(perDay); got != "[{2012-11-14 user.login 1} {2012-11-12 message.read 1} {2012-11-12 user.login 2} {2012-11-11 user.login 1}]" {
		t.Errorf("A per day: %s", got)
	}
	perDay, err = CompanyDays(ctx, ing.CH(), all, b)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(perDay); got != "[{2012-10-29 user.login 1} {2012-10-28 custom.thing 1}]" {
		t.Errorf("B per day: %s", got)
	}

	// An authority's scope, and no scope, read no company events.
	for _, scope := range []auth.Scope{auth.AuthorityScope(analyticstest.CVRAuthorityX), {}} {
		days, err := CompanyEventDays(ctx, ing.CH(), scope, []string{event.TypeLogin}, "")
		perDay, err2 := CompanyDays(ctx, ing.CH(), scope, a)
		if err != nil || err2 != nil || len(days) != 0 || len(perDay) != 0 {
			t.Errorf("scope %+v: %v %v (%v %v)", scope, days, perDay, err, err2)
		}
	}
}
