package dashboards_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/support"
)

// Shared builders of a pilot's data for the dashboards' tests: companies,
// support calls, usage events and questionnaire waves, stored through the
// app's own stores (real SQLite, real ClickHouse).

// addCompany adds a participant with one contact and returns its CVR.
func addCompany(t *testing.T, env *apptest.Env, prefix, name, kind, cohort string) string {
	t.Helper()
	c := registry.Company{CVR: cvr(t, prefix), Name: name, Kind: kind, Cohort: cohort,
		Contacts: []registry.Contact{{Name: "Kontakt", Email: "k" + prefix + "@firma.test", Language: "da"}}}
	if _, err := env.App.Registry.CreateCompany(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c.CVR
}

// logCall logs a support call (caller Anna, by phone) and returns it.
func logCall(t *testing.T, env *apptest.Env, in support.Input) support.Call {
	t.Helper()
	if in.CallerName == "" {
		in.CallerName = "Anna"
	}
	if in.Channel == "" {
		in.Channel = "phone"
	}
	if in.Description == "" {
		in.Description = "test"
	}
	c, err := env.App.Support.Create(context.Background(), in, "test")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// eventLog collects usage events to store at once; ids are ev-1, ev-2, …
// so storing the same log again re-sends every event.
type eventLog []event.Event

func (l *eventLog) add(typ, company, authority, reason string, at time.Time) {
	ev := event.Event{EventID: fmt.Sprintf("ev-%d", len(*l)+1), OccurredAt: at.UTC(), ReceivedAt: at.UTC(), Type: typ,
		CompanyCVR: company, AuthorityCVR: authority, Reason: reason}
	if typ == event.TypeMessageSent {
		ev.Channel, ev.MessageRef = "digital", ev.EventID
	}
	*l = append(*l, ev)
}

// store sends the events and returns how many were new and duplicates.
func (l eventLog) store(t *testing.T, env *apptest.Env) (accepted, duplicates int) {
	t.Helper()
	accepted, duplicates, err := env.App.Ingester.Store(context.Background(), "test", l)
	if err != nil {
		t.Fatal(err)
	}
	return accepted, duplicates
}

// answerWave creates the wave of an ISO week (every contact invited) and
// submits the answers given per company CVR.
func answerWave(t *testing.T, env *apptest.Env, wave string, answers map[string]map[string]string) {
	t.Helper()
	ctx := context.Background()
	st := env.App.Survey.Store
	w, _, err := st.CreateWave(ctx, wave, "test")
	if err != nil {
		t.Fatal(err)
	}
	invs, err := st.Invitations(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	saved := st.Now
	st.Now = func() time.Time { return w.OpensAt.Add(time.Hour) }
	defer func() { st.Now = saved }()
	for _, inv := range invs {
		if values, ok := answers[inv.CompanyCVR]; ok {
			if err := st.Save(ctx, inv, w, values, true); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// getJSON gets path and reads its JSON answer, which must be 200.
func getJSON[T any](t *testing.T, c *apptest.Client, path string) T {
	t.Helper()
	r := c.Get(path)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %.500s", path, r.StatusCode, r.Body)
	}
	var v T
	r.JSON(t, &v)
	return v
}
