package survey_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/survey"
)

func TestTokensStoredHashedAndNeutralPage(t *testing.T) {
	f := newFixture(t)
	f.company("1000001", "Alfa A/S", "Anna:anna@alfa.dk", "Bo:bo@alfa.dk:en")
	w := f.openWave()
	toks := f.tokens(w.ID)
	if len(toks) != 2 {
		t.Fatalf("%d invitations, want 2", len(toks))
	}
	// The database holds the hash, never the token.
	rows, err := f.env.App.DB.Query(`SELECT token_hash, token_sealed FROM survey_invitations`)
	if err != nil {
		t.Fatal(err)
	}
	hashes := map[string]bool{}
	for rows.Next() {
		var h, sealed []byte
		rows.Scan(&h, &sealed)
		hashes[string(h)] = true
		for _, tok := range toks {
			if strings.Contains(string(sealed), tok) || strings.Contains(string(h), tok) {
				t.Error("a token is stored in clear")
			}
		}
	}
	rows.Close()
	for _, tok := range toks {
		sum := sha256.Sum256([]byte(tok))
		if !hashes[string(sum[:])] {
			t.Error("token_hash is not the SHA-256 of the token")
		}
	}

	c := f.env.Anonymous()
	ok := c.Get("/q/" + toks["anna@alfa.dk"])
	if ok.StatusCode != 200 || !strings.Contains(ok.Body, "Har jeres virksomhed brugt") {
		t.Fatalf("valid link: %d %.300s", ok.StatusCode, ok.Body)
	}
	if ok.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("Referrer-Policy %q", ok.Header.Get("Referrer-Policy"))
	}
	// The English contact sees the questions in English.
	if en := c.Get("/q/" + toks["bo@alfa.dk"]); !strings.Contains(en.Body, "Has your company used the digital mailbox") ||
		!strings.Contains(en.Body, "Submit answers") || !strings.Contains(en.Body, `<html lang="en">`) {
		t.Errorf("English contact's page is not in English: %.300s", en.Body)
	}
	if inv := f.invitation(w.ID, "anna@alfa.dk"); inv.Status != "opened" || inv.OpenedAt == nil {
		t.Errorf("after opening: status %s", inv.Status)
	}

	// A closed wave: a past week.
	past, _, err := f.store.CreateWave(context.Background(), "2012-W46", "test")
	if err != nil {
		t.Fatal(err)
	}
	closedTok := f.tokens(past.ID)["anna@alfa.dk"]
	wrongTok := survey.NewToken()
	pages := map[string]string{}
	for name, path := range map[string]string{
		"wrong": "/q/" + wrongTok, "closed": "/q/" + closedTok, "garbage": "/q/abc", "tampered": "/q/" + flipFirst(toks["anna@alfa.dk"]),
	} {
		r := c.Get(path)
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("%s token: status %d", name, r.StatusCode)
		}
		body := strings.ReplaceAll(csrfValue.ReplaceAllString(r.Body, ""), strings.TrimPrefix(path, "/q/"), "TOKEN")
		pages[name] = body
		if !strings.Contains(r.Body, "lukket, eller linket er ikke gyldigt") {
			t.Errorf("%s token: not the neutral page: %.300s", name, r.Body)
		}
		// POSTing to it gives the same page too.
		p := c.PostForm(path, url.Values{"action": {"submit"}})
		if p.StatusCode != http.StatusNotFound {
			t.Errorf("%s token POST: status %d", name, p.StatusCode)
		}
	}
	for name, body := range pages {
		if body != pages["wrong"] {
			t.Errorf("the %s-token page differs from the wrong-token page", name)
		}
	}
}

func TestDraftSubmitAndDoubleSubmit(t *testing.T) {
	f := newFixture(t)
	f.company("1000002", "Beta ApS", "Cai:cai@beta.dk")
	w := f.openWave()
	tok := f.tokens(w.ID)["cai@beta.dk"]
	c := f.env.Anonymous()
	c.Get("/q/" + tok)

	// A partial draft is saved and shown again.
	draft := url.Values{"wave": {w.ID}, "version": {fmt.Sprint(w.VersionID)}, "action": {"draft"}, "q_ease": {"2"}, "q_comments": {"halvvejs"}}
	r := c.PostForm("/q/"+tok, draft)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("draft: %d %.300s", r.StatusCode, r.Body)
	}
	page := c.Get("/q/" + tok + "?saved=1")
	if !strings.Contains(page.Body, `value="2" checked`) || !strings.Contains(page.Body, "halvvejs") || !strings.Contains(page.Body, "kladde er gemt") {
		t.Errorf("draft not shown again: %.2000s", page.Body)
	}
	if inv := f.invitation(w.ID, "cai@beta.dk"); inv.Status != "draft" {
		t.Errorf("status %s, want draft", inv.Status)
	}
	if n := f.count(`SELECT count(*) FROM survey_answers`); n != 2 {
		t.Errorf("%d draft answers, want 2", n)
	}
	// Drafts are not answers in the API yet.
	admin := f.env.As(auth.RoleAdmin, "")
	var rows []survey.AnswerRow
	admin.Get("/api/v1/survey/answers?wave="+w.ID).JSON(t, &rows)
	if len(rows) != 0 {
		t.Errorf("draft answers in the API: %v", rows)
	}

	// Submitting without the required answers: clear messages, nothing changed.
	bad := url.Values{"wave": {w.ID}, "version": {fmt.Sprint(w.VersionID)}, "action": {"submit"}, "q_ease": {"5"}}
	r = c.PostForm("/q/"+tok, bad)
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "Besvar venligst dette spørgsmål") || !strings.Contains(r.Body, `id="err-used_mailbox"`) {
		t.Errorf("missing required: %d %.3000s", r.StatusCode, r.Body)
	}
	if v := f.answer(w.ID, "cai@beta.dk", "ease"); v != "2" {
		t.Errorf("a failed submit changed the draft: ease %q", v)
	}

	// A full submit, then a second one: one answer set.
	full := fullAnswers(w)
	if r := c.PostForm("/q/"+tok, full); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d %.2000s", r.StatusCode, r.Body)
	}
	n := f.count(`SELECT count(*) FROM survey_answers`)
	if n != 8 {
		t.Errorf("%d answers, want 8", n)
	}
	full.Set("q_ease", "1")
	r = c.PostForm("/q/"+tok, full)
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "Dine svar er indsendt") {
		t.Errorf("second submit: %d %.300s", r.StatusCode, r.Body)
	}
	if got := f.count(`SELECT count(*) FROM survey_answers`); got != n || f.answer(w.ID, "cai@beta.dk", "ease") != "4" {
		t.Errorf("a second submit changed the answers")
	}
	if page := c.Get("/q/" + tok); !strings.Contains(page.Body, "Dine svar er indsendt") || strings.Contains(page.Body, `name="action"`) {
		t.Errorf("after submit the form is still editable: %.300s", page.Body)
	}
	admin.Get("/api/v1/survey/answers?wave="+w.ID).JSON(t, &rows)
	if len(rows) != 8 {
		t.Fatalf("%d long-format rows, want 8", len(rows))
	}
	got := map[string]string{}
	for _, r := range rows {
		got[r.QuestionKey] = r.Value
		if r.Wave != w.ID || r.CompanyCVR != f.cvrs[0] || r.Contact != "cai@beta.dk" || r.Version != 1 {
			t.Errorf("row %+v", r)
		}
	}
	if got["setup_problem_kinds"] != `["employee_signature","rights_roles"]` || got["comments"] != "Fint <b>nok</b>" || got["ease"] != "4" {
		t.Errorf("values %v", got)
	}

	// An admin reopens; the respondent may change and submit again.
	inv := f.invitation(w.ID, "cai@beta.dk")
	if r := admin.PostForm(fmt.Sprintf("/survey/invitations/%d/reopen", inv.ID), nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("reopen: %d %.300s", r.StatusCode, r.Body)
	}
	if r := c.PostForm("/q/"+tok, full); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit after reopen: %d", r.StatusCode)
	}
	if f.answer(w.ID, "cai@beta.dk", "ease") != "1" || f.count(`SELECT count(*) FROM survey_answers`) != 8 {
		t.Error("the resubmission did not replace the answers")
	}
}

func (f *fixture) answer(wave, email, key string) string {
	f.t.Helper()
	var v string
	f.env.App.DB.QueryRow(`SELECT a.value FROM survey_answers a JOIN contacts c ON c.id = a.contact_id WHERE a.wave_id = ? AND c.email = ? AND a.question_key = ?`,
		wave, email, key).Scan(&v)
	return v
}

func TestConcurrentSubmitsStoreOneAnswerSet(t *testing.T) {
	f := newFixture(t)
	f.company("1000003", "Gamma", "Dan:dan@gamma.dk")
	w := f.openWave()
	inv := f.invitation(w.ID, "dan@gamma.dk")
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, already := 0, 0
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := f.store.Save(ctx, inv, w, map[string]string{"ease": fmt.Sprint(i%5 + 1), "used_mailbox": "yes"}, true)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case err == survey.ErrAlreadySubmitted:
				already++
			default:
				t.Errorf("save: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 || already != 11 {
		t.Errorf("%d submits stored, %d refused; want 1 and 11", ok, already)
	}
	if n := f.count(`SELECT count(*) FROM survey_answers WHERE invitation_id = ?`, inv.ID); n != 2 {
		t.Errorf("%d answers, want 2", n)
	}
}

func TestBadInputNothingSaved(t *testing.T) {
	f := newFixture(t)
	f.company("1000004", "Delta", "Eva:eva@delta.dk")
	w := f.openWave()
	tok := f.tokens(w.ID)["eva@delta.dk"]
	other, _, err := f.store.CreateWave(context.Background(), "2012-W46", "test")
	if err != nil {
		t.Fatal(err)
	}
	c := f.env.Anonymous()
	c.Get("/q/" + tok)
	cases := []struct {
		name string
		edit func(url.Values)
		want string
	}{
		{"rating out of range", func(v url.Values) { v.Set("q_ease", "7") }, "Vælg en værdi fra 1 til 5"},
		{"rating not a number", func(v url.Values) { v.Set("q_ease", "fire") }, "Vælg en værdi fra 1 til 5"},
		{"oversized text", func(v url.Values) { v.Set("q_comments", strings.Repeat("x", survey.MaxTextLength+1)) }, "højst være 2000 tegn"},
		{"unknown option", func(v url.Values) { v.Add("q_setup_problem_kinds", "hacked") }, "Vælg et af svarene"},
		{"tampered field", func(v url.Values) { v.Set("q_is_admin", "1") }, "felter, vi ikke kender"},
		{"tampered action", func(v url.Values) { v.Set("action", "delete") }, "felter, vi ikke kender"},
		{"form of another wave", func(v url.Values) { v.Set("wave", other.ID) }, "anden uge eller version"},
		{"another version", func(v url.Values) { v.Set("version", "999") }, "anden uge eller version"},
		{"missing required", func(v url.Values) { v.Del("q_third_party_access") }, "Besvar venligst"},
	}
	for _, tc := range cases {
		v := fullAnswers(w)
		tc.edit(v)
		r := c.PostForm("/q/"+tok, v)
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, tc.want) || !strings.Contains(r.Body, "Intet er gemt") {
			t.Errorf("%s: %d, body lacks %q: %.300s", tc.name, r.StatusCode, tc.want, r.Body)
		}
		if n := f.count(`SELECT count(*) FROM survey_answers`); n != 0 {
			t.Fatalf("%s: %d answers saved", tc.name, n)
		}
		if inv := f.invitation(w.ID, "eva@delta.dk"); inv.Status != "opened" {
			t.Fatalf("%s: status became %s", tc.name, inv.Status)
		}
	}
	// The typed values are shown again, escaped.
	v := fullAnswers(w)
	v.Set("q_ease", "9")
	v.Set("q_comments", `<script>alert(1)</script>`)
	r := c.PostForm("/q/"+tok, v)
	if strings.Contains(r.Body, "<script>alert") || !strings.Contains(r.Body, "&lt;script&gt;") {
		t.Errorf("typed text not re-shown escaped")
	}
	// A token of the other (closed) wave gets the neutral page, not the form.
	otherTok := f.tokens(other.ID)["eva@delta.dk"]
	if r := c.PostForm("/q/"+otherTok, fullAnswers(other)); r.StatusCode != http.StatusNotFound {
		t.Errorf("closed wave's token: %d", r.StatusCode)
	}
	// Without the CSRF field the guard refuses.
	if r := c.PostForm("/q/"+tok, url.Values{"_csrf": {"x"}, "action": {"draft"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("no CSRF: %d", r.StatusCode)
	}
}

func TestVersionPublishKeepsOldAnswersAndKeys(t *testing.T) {
	f := newFixture(t)
	f.company("1000005", "Epsilon", "Finn:finn@eps.dk")
	ctx := context.Background()
	v1, err := f.store.Current(ctx, survey.DefaultSlug)
	if err != nil || v1.Version != 1 {
		t.Fatalf("default version: %+v %v", v1, err)
	}
	w1 := f.openWave()
	c := f.env.Anonymous()
	tok := f.tokens(w1.ID)["finn@eps.dk"]
	c.Get("/q/" + tok)
	if r := c.PostForm("/q/"+tok, fullAnswers(w1)); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.StatusCode)
	}
	before := f.answersOf(w1.ID)

	// An admin edits: new wording of ease, a new question, comments dropped.
	d := survey.DefaultDefinition()
	for i := range d.Questions {
		if d.Questions[i].Key == "ease" {
			d.Questions[i].Text = survey.Text{DA: "Hvor nemt var det?", EN: "How easy was it?"}
		}
	}
	d.Questions = d.Questions[:len(d.Questions)-1]
	d.Questions = append(d.Questions, survey.Question{Key: "nps", Type: survey.TypeNPS, Text: survey.Text{DA: "Anbefal?", EN: "Recommend?"}})
	admin := f.env.As(auth.RoleAdmin, "")
	r := admin.SendJSON("POST", "/api/v1/survey/questionnaires", d)
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("publish: %d %s", r.StatusCode, r.Body)
	}
	var v2 survey.Version
	r.JSON(t, &v2)
	if v2.Version != 2 || v2.ID == v1.ID {
		t.Fatalf("published %+v", v2)
	}
	// Publishing the same again makes no new version.
	r = admin.SendJSON("POST", "/api/v1/survey/questionnaires", d)
	var same survey.Version
	r.JSON(t, &same)
	if r.StatusCode != http.StatusOK || same.ID != v2.ID {
		t.Errorf("unchanged publish: %d %+v", r.StatusCode, same)
	}
	// A key keeps its type.
	d2 := d
	d2.Questions = append([]survey.Question{}, d.Questions...)
	d2.Questions[3] = survey.Question{Key: "ease", Type: survey.TypeText, Text: survey.Text{DA: "a", EN: "b"}}
	if r := admin.SendJSON("POST", "/api/v1/survey/questionnaires", d2); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "beholder sin type") {
		t.Errorf("type change: %d %s", r.StatusCode, r.Body)
	}
	// The old answers are untouched and still point at version 1.
	if after := f.answersOf(w1.ID); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("answers changed by publishing:\n%v\n%v", before, after)
	}
	if n := f.count(`SELECT count(*) FROM survey_answers WHERE version_id = ?`, v1.ID); n != len(before) {
		t.Errorf("%d answers on version 1, want %d", n, len(before))
	}
	// The old wave still shows version 1's questions; a new wave uses version 2.
	if r := c.Get("/q/" + tok); !strings.Contains(r.Body, "Dine svar er indsendt") {
		t.Errorf("old wave page: %.300s", r.Body)
	}
	w2, _, err := f.store.CreateWave(ctx, "2030-W10", "test")
	if err != nil {
		t.Fatal(err)
	}
	if w2.VersionID != v2.ID {
		t.Errorf("new wave uses version %d", w2.Version)
	}
	// The same key is comparable across versions in the long format.
	var rows []survey.AnswerRow
	admin.Get("/api/v1/survey/answers?key=ease").JSON(t, &rows)
	if len(rows) != 1 || rows[0].Version != 1 || rows[0].Value != "4" {
		t.Errorf("ease rows %+v", rows)
	}
	// Creating the same week's wave again is refused: nothing is overwritten.
	if r := admin.SendJSON("POST", "/api/v1/survey/waves", map[string]string{"week": w1.ID}); r.StatusCode != http.StatusConflict {
		t.Errorf("second wave for %s: %d %s", w1.ID, r.StatusCode, r.Body)
	}
}

func (f *fixture) answersOf(wave string) map[string]string {
	rows, err := f.env.App.DB.Query(`SELECT question_key, value, version_id FROM survey_answers WHERE wave_id = ?`, wave)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var k, v string
		var ver int64
		rows.Scan(&k, &v, &ver)
		m[k] = fmt.Sprintf("%s@%d", v, ver)
	}
	return m
}

func flipFirst(tok string) string {
	if tok[0] == 'B' {
		return "C" + tok[1:]
	}
	return "B" + tok[1:]
}
