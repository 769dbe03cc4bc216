package survey_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/survey"
)

func TestAdminPagesScheduleWavesAndPublishing(t *testing.T) {
	f := newFixture(t)
	f.company("5000001", "Admin A/S", "Ida:ida@admin.dk")
	admin := f.env.As(auth.RoleAdmin, "")
	ctx := context.Background()

	// Schedule: bad values are named next to their fields; good ones are saved.
	bad := admin.PostForm("/survey/schedule", url.Values{"open_weekday": {"8"}, "open_time": {"25:00"}, "close_after_days": {"0"}, "reminder_after_days": {"2"}, "max_reminders": {"11"}})
	if bad.StatusCode != http.StatusBadRequest || !strings.Contains(bad.Body, "skal være 1 (mandag) til 7 (søndag)") || !strings.Contains(bad.Body, "skal være et klokkeslæt TT:MM") || !strings.Contains(bad.Body, "skal være fra 0 til 10") {
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
	if r := admin.PostForm("/survey/waves", url.Values{"week": {"2012-W99"}}); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "er ikke en uge") {
		t.Errorf("bad week: %d %.500s", r.StatusCode, r.Body)
	}
	r := admin.PostForm("/survey/waves", url.Values{"week": {"2012-W46"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/survey/waves/2012-W46" {
		t.Fatalf("create wave: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	w, _ := f.store.Wave(ctx, "2012-W46")
	if got := w.OpensAt.In(week.Copenhagen).Format("Mon 15:04"); got != "Tue 08:30" {
		t.Errorf("wave opens %s", got)
	}
	if r := admin.PostForm("/survey/waves", url.Values{"week": {"2012-W46"}}); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "overskrives aldrig") {
		t.Errorf("second wave: %d", r.StatusCode)
	}
	for _, same := range []string{"2012w46", "2012-11-14"} { // other spellings of the same week
		if r := admin.PostForm("/survey/waves", url.Values{"week": {same}}); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "overskrives aldrig") {
			t.Errorf("wave of %s: %d", same, r.StatusCode)
		}
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

// builderForm fills the builder form the way the page does, from a definition.
func builderForm(d survey.Definition, extra int) url.Values {
	v := url.Values{"title_da": {d.Title.DA}, "title_en": {d.Title.EN}, "intro_da": {d.Intro.DA}, "intro_en": {d.Intro.EN}}
	for i, q := range d.Questions {
		s := func(name, val string) { v.Set(fmt.Sprintf("%s_%d", name, i), val) }
		s("pos", fmt.Sprint((i+1)*10))
		s("key", q.Key)
		s("type", q.Type)
		if q.Required {
			s("required", "1")
		}
		s("text_da", q.Text.DA)
		s("text_en", q.Text.EN)
		s("help_da", q.Help.DA)
		s("help_en", q.Help.EN)
		var opts []string
		for _, o := range q.Options {
			opts = append(opts, o.Key+" | "+o.Text.DA+" | "+o.Text.EN)
		}
		s("options", strings.Join(opts, "\r\n"))
		if q.ShowIf != nil {
			s("show_if", q.ShowIf.Key+"="+q.ShowIf.Equals)
		}
	}
	v.Set("rows", fmt.Sprint(len(d.Questions)+extra))
	return v
}

func TestQuestionnaireBuilder(t *testing.T) {
	f := newFixture(t)
	admin := f.env.As(auth.RoleAdmin, "")
	ctx := context.Background()
	page := admin.Get("/survey/questionnaire/builder")
	if page.StatusCode != 200 || !strings.Contains(page.Body, `name="key_0" value="used_mailbox"`) || !strings.Contains(page.Body, "employee_signature | Medarbejdersignaturer (NemID) | Employee signatures (NemID)") {
		t.Fatalf("builder page: %d %.500s", page.StatusCode, page.Body)
	}
	d := survey.DefaultDefinition()
	// Unchanged: no new version.
	if r := admin.PostForm("/survey/questionnaire/builder", builderForm(d, 3)); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("unchanged: %d %.1000s", r.StatusCode, r.Body)
	}
	if v, _ := f.store.Current(ctx, survey.DefaultSlug); v.Version != 1 {
		t.Fatalf("an unchanged builder form published version %d", v.Version)
	}
	// Change a text, drop comments, add an NPS question first.
	form := builderForm(d, 3)
	n := len(d.Questions)
	form.Set("text_da_3", "Hvor nemt var det?")
	form.Set(fmt.Sprintf("key_%d", n-1), "")
	form.Set(fmt.Sprintf("key_%d", n), "recommend")
	form.Set(fmt.Sprintf("type_%d", n), "nps")
	form.Set(fmt.Sprintf("pos_%d", n), "5")
	form.Set(fmt.Sprintf("text_da_%d", n), "Vil du anbefale postkassen?")
	form.Set(fmt.Sprintf("text_en_%d", n), "Would you recommend the mailbox?")
	if r := admin.PostForm("/survey/questionnaire/builder", form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d %.2000s", r.StatusCode, r.Body)
	}
	v, _ := f.store.Current(ctx, survey.DefaultSlug)
	keys := v.Definition.Keys()
	if v.Version != 2 || keys[0] != "recommend" || slices.Contains(keys, "comments") || len(keys) != n {
		t.Errorf("version %d keys %v", v.Version, keys)
	}
	if q, _ := v.Definition.Question("ease"); q.Text.DA != "Hvor nemt var det?" || q.Type != survey.TypeRating {
		t.Errorf("ease %+v", q)
	}
	if q, _ := v.Definition.Question("setup_problem_kinds"); len(q.Options) != 7 || q.ShowIf == nil || q.ShowIf.Equals != "yes" {
		t.Errorf("options or condition lost: %+v", q)
	}
	// Errors are shown next to the row; nothing is published.
	bad := builderForm(v.Definition, 1)
	bad.Set("key_1", "Bad Key")
	bad.Set("options_2", "only-one-part")
	bad.Set("show_if_3", "no equals sign")
	bad.Set("type_0", "text") // recommend was published as nps
	r := admin.PostForm("/survey/questionnaire/builder", bad)
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "skriv nøgle | dansk | english") || !strings.Contains(r.Body, "skriv nøgle=værdi") {
		t.Errorf("bad form: %d %.1000s", r.StatusCode, r.Body)
	}
	bad = builderForm(v.Definition, 1)
	bad.Set("key_1", "Bad Key")
	bad.Set("type_0", "text")
	r = admin.PostForm("/survey/questionnaire/builder", bad)
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "skal være små bogstaver") || !strings.Contains(r.Body, `value="Bad Key"`) {
		t.Errorf("bad key: %d %.1000s", r.StatusCode, r.Body)
	}
	bad.Set("key_1", v.Definition.Questions[1].Key)
	r = admin.PostForm("/survey/questionnaire/builder", bad)
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "beholder sin type") {
		t.Errorf("type change: %d %.1000s", r.StatusCode, r.Body)
	}
	if cur, _ := f.store.Current(ctx, survey.DefaultSlug); cur.Version != 2 {
		t.Errorf("a bad form published version %d", cur.Version)
	}
}
