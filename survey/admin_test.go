package survey_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/survey"
)

func TestAdminPagesScheduleWavesAndPublishing(t *testing.T) {
	f := newFixture(t)
	f.company("5000001", "Admin A/S", "Ida:ida@admin.dk")
	admin := f.env.As(auth.RoleAdmin, "")
	ctx := context.Background()

	// Schedule: bad values are named next to their fields; good ones are saved.
	bad := admin.PostForm("/survey/schedule", url.Values{"open_weekday": {"8"}, "open_time": {"25:00"}, "close_after_days": {"0"}, "reminder_after_days": {"2"}, "max_reminders": {"11"}})
	if bad.StatusCode != http.StatusBadRequest || !strings.Contains(bad.Body, "want 1 (Monday) to 7 (Sunday)") || !strings.Contains(bad.Body, "want HH:MM") || !strings.Contains(bad.Body, "want 0 to 10") {
		t.Errorf("bad schedule: %d %.500s", bad.StatusCode, bad.Body)
	}
	good := admin.PostForm("/survey/schedule", url.Values{"enabled": {"1"}, "open_weekday": {"2"}, "open_time": {"08:30"}, "close_after_days": {"4"}, "reminder_after_days": {"1"}, "max_reminders": {"3"}})
	if good.StatusCode != http.StatusSeeOther {
		t.Fatalf("schedule: %d %.500s", good.StatusCode, good.Body)
	}
	sc, _ := f.store.Schedule(ctx)
	if sc != (survey.Schedule{Enabled: true, OpenWeekday: 2, OpenTime: "08:30", CloseAfterDays: 4, ReminderAfterDays: 1, MaxReminders: 3}) {
		t.Errorf("schedule stored %+v", sc)
	}

	// Waves: a bad week, a good one, the same again.
	if r := admin.PostForm("/survey/waves", url.Values{"week": {"2012-W99"}}); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "does not exist") {
		t.Errorf("bad week: %d %.500s", r.StatusCode, r.Body)
	}
	r := admin.PostForm("/survey/waves", url.Values{"week": {"2012-W46"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/survey/waves/2012-W46" {
		t.Fatalf("create wave: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	w, _ := f.store.Wave(ctx, "2012-W46")
	if got := w.OpensAt.In(survey.Copenhagen).Format("Mon 15:04"); got != "Tue 08:30" {
		t.Errorf("wave opens %s", got)
	}
	if r := admin.PostForm("/survey/waves", url.Values{"week": {"2012-W46"}}); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "never overwritten") {
		t.Errorf("second wave: %d", r.StatusCode)
	}
	if p := admin.Get("/survey"); p.StatusCode != 200 || !strings.Contains(p.Body, "2012-W46") {
		t.Errorf("overview: %d", p.StatusCode)
	}
	if p := admin.Get("/survey/waves/2012-W46"); p.StatusCode != 200 || !strings.Contains(p.Body, "ida@admin.dk") {
		t.Errorf("wave page: %d", p.StatusCode)
	}
	if r := admin.Get("/survey/waves/1999-W01"); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown wave: %d", r.StatusCode)
	}

	// Publishing from the editor: an error is shown with nothing published;
	// a change publishes version 2; a file upload works too.
	exp := admin.Get("/survey/questionnaire/export?format=yaml")
	if exp.StatusCode != 200 || !strings.Contains(exp.Body, "key: setup_problem") {
		t.Fatalf("export: %d %.300s", exp.StatusCode, exp.Body)
	}
	broken := strings.Replace(exp.Body, "type: rating", "type: stars", 1)
	if r := admin.PostForm("/survey/questionnaire", url.Values{"definition": {broken}}); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "stars") {
		t.Errorf("broken definition: %d %.500s", r.StatusCode, r.Body)
	}
	if v, _ := f.store.Current(ctx, survey.DefaultSlug); v.Version != 1 {
		t.Errorf("a broken definition published version %d", v.Version)
	}
	changed := strings.Replace(exp.Body, "Kommentarer", "Bemærkninger", 1)
	if r := admin.PostForm("/survey/questionnaire", url.Values{"definition": {changed}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d %.500s", r.StatusCode, r.Body)
	}
	if r := admin.PostForm("/survey/questionnaire", url.Values{"definition": {changed}}); r.StatusCode != 200 || !strings.Contains(r.Body, "Intet er ændret") {
		t.Errorf("unchanged publish: %d", r.StatusCode)
	}
	jsonDef := admin.Get("/survey/questionnaire/export?format=json").Body
	up := admin.Upload("/survey/questionnaire", "q.json", []byte(strings.Replace(jsonDef, "Bemærkninger", "Andet", 1)))
	if up.StatusCode != http.StatusSeeOther {
		t.Errorf("upload: %d %.500s", up.StatusCode, up.Body)
	}
	if v, _ := f.store.Current(ctx, survey.DefaultSlug); v.Version != 3 {
		t.Errorf("current version %d, want 3", v.Version)
	}

	// Managers read but do not change.
	m := f.env.As(auth.RoleManager, "")
	if r := m.Get("/survey/questionnaire"); r.StatusCode != 200 || strings.Contains(r.Body, `action="/survey/questionnaire"`) {
		t.Errorf("manager editor page: %d", r.StatusCode)
	}
	for _, path := range []string{"/survey/schedule", "/survey/waves", "/survey/questionnaire", "/survey/tick"} {
		if r := m.PostForm(path, url.Values{"week": {"2012-W47"}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("manager POST %s: %d", path, r.StatusCode)
		}
	}
	if r := admin.PostForm("/survey/tick", nil); r.StatusCode != 200 {
		t.Errorf("tick: %d", r.StatusCode)
	}
}
