package app_test

import (
	"context"
	"database/sql"
	"html"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/survey"
)

// TestUnknownStoreErrorIs500: a store error that is not an outage (here:
// the app database closed under the app, a fault of ours) answers 500
// "internal error" in the caller's language, logged with the request id,
// and no Retry-After: a bug must not look like an outage.
func TestUnknownStoreErrorIs500(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	admin := env.Bearer(env.TokenFor(env.User(auth.RoleAdmin, "")))
	if r := admin.Get("/api/v1/companies"); r.StatusCode != 200 {
		t.Fatalf("before: %d %s", r.StatusCode, r.Body)
	}
	env.App.DB.Close()
	r := admin.Get("/api/v1/companies")
	if r.StatusCode != http.StatusInternalServerError || r.Header.Get("Retry-After") != "" {
		t.Fatalf("closed database: %d (Retry-After %q) %s, want 500 without Retry-After", r.StatusCode, r.Header.Get("Retry-After"), r.Body)
	}
	var body web.ErrorBody
	r.JSON(t, &body)
	if body.Error != web.Translate("da", "error.internal_text") {
		t.Errorf("500 text %q, want the Danish internal error", body.Error)
	}
	if !strings.Contains(env.Logs.String(), `"msg":"request failed"`) || !regexp.MustCompile(`"request_id":"[^"]+"[^\n]*"status":500|"status":500[^\n]*"request_id":"[^"]+"`).MatchString(env.Logs.String()) {
		t.Errorf("the 500 is not logged with its request id: %s", env.Logs.String())
	}
}

// TestStoreOutageIs503: SQLite still locked past its busy timeout is an
// outage: 503 with Retry-After, and nothing stored.
func TestStoreOutageIs503(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	admin := env.Bearer(env.TokenFor(env.User(auth.RoleAdmin, "")))
	// Another process holds the write lock of the app database.
	holder, err := sql.Open("sqlite", "file:"+env.App.DB.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	tx, err := holder.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`DELETE FROM companies WHERE cvr = 'none'`); err != nil { // takes the write lock
		t.Fatal(err)
	}
	company := map[string]any{"cvr": validCVR(t, "4444444"), "name": "Låst A/S", "kind": "company"}
	r := admin.SendJSON("POST", "/api/v1/companies", company) // waits out the busy timeout
	tx.Rollback()
	if r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Fatalf("locked database: %d (Retry-After %q) %s, want 503 with Retry-After", r.StatusCode, r.Header.Get("Retry-After"), r.Body)
	}
	var body web.ErrorBody
	r.JSON(t, &body)
	if body.Error != web.Translate("da", "error.unavailable_store") {
		t.Errorf("503 text %q, want the Danish outage text", body.Error)
	}
	if r := admin.Get("/api/v1/companies/" + company["cvr"].(string)); r.StatusCode != http.StatusNotFound {
		t.Errorf("after the outage the company is %d, want 404 (nothing stored)", r.StatusCode)
	}
}

var shownMessage = regexp.MustCompile(`class="(?:field-error|error-message)"[^>]*>([^<]+)<|class="errors" role="alert"[^>]*><p>([^<]+)<`)

// shownMessages is every error message a page or API answer shows.
func shownMessages(t *testing.T, r apptest.Response) []string {
	t.Helper()
	var out []string
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var body web.ErrorBody
		r.JSON(t, &body)
		out = append(out, body.Error)
		for _, f := range body.Fields {
			out = append(out, f.Error)
		}
		return out
	}
	for _, m := range shownMessage.FindAllStringSubmatch(r.Body, -1) {
		out = append(out, html.UnescapeString(m[1]+m[2]))
	}
	return out
}

var word = regexp.MustCompile(`[\p{L}]{4,}`)

// userValues matches what a message quotes rather than says: quoted input,
// a column as the file names it, and a list of the codes the API accepts.
var userValues = regexp.MustCompile(`"[^"]*"|(?:kolonne|column) \S+|:\s*[a-z_0-9]+(?:, [a-z_0-9]+)+`)

// foreignWords are the words of the other language's texts that lang's
// texts never use: one of them in a message shows a text not translated.
// A text that is the same in both languages ("Chat", or an English text
// copied into the Danish table) counts for neither, so a text left
// untranslated in the table does not make its words look like lang's.
func foreignWords(lang string) map[string]bool {
	other := "en"
	if lang == "en" {
		other = "da"
	}
	mine, theirs := web.Table(lang), web.Table(other)
	own := map[string]bool{}
	for k, s := range mine {
		if theirs[k] == s {
			continue
		}
		for _, w := range word.FindAllString(strings.ToLower(s), -1) {
			own[w] = true
		}
	}
	foreign := map[string]bool{}
	for k, s := range theirs {
		if mine[k] == s {
			continue
		}
		for _, w := range word.FindAllString(strings.ToLower(s), -1) {
			if !own[w] {
				foreign[w] = true
			}
		}
	}
	return foreign
}

// respondentTokens opens this week's wave for a company with a Danish and
// an English contact and returns their tokens by language, with the wave.
func respondentTokens(t *testing.T, env *apptest.Env, cvr string) (map[string]string, survey.Wave) {
	t.Helper()
	ctx := context.Background()
	co := registry.Company{CVR: cvr, Name: "Svar A/S", Kind: "company", Contacts: []registry.Contact{
		{Name: "Dorthe", Email: "dorthe@svar.dk", Language: "da"}, {Name: "Emma", Email: "emma@svar.dk", Language: "en"}}}
	if _, err := env.App.Registry.CreateCompany(ctx, co); err != nil {
		t.Fatal(err)
	}
	st := env.App.Survey.Store
	if err := st.SetSchedule(ctx, survey.Schedule{OpenWeekday: 1, OpenTime: "00:00", CloseAfterDays: 7, ReminderAfterDays: 2, MaxReminders: 2}); err != nil {
		t.Fatal(err)
	}
	w, _, err := st.CreateWave(ctx, week.Of(time.Now()).String(), "test")
	if err != nil {
		t.Fatal(err)
	}
	invs, err := st.Invitations(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for _, inv := range invs {
		tok, err := st.Token(inv)
		if err != nil {
			t.Fatal(err)
		}
		tokens[inv.Language] = tok
	}
	return tokens, w
}

// badDefinition is a questionnaire (YAML) with a problem in every part: an
// empty English title, a bad key, an unknown type, too few options and a
// condition on no earlier question.
const badDefinition = `slug: weekly
title: {da: Uge, en: ""}
questions:
  - {key: Bad Key, type: smiley, text: {da: Hvordan går det, en: How is it going}}
  - {key: kind, type: single, text: {da: Hvilken slags, en: Which kind}, options: [{key: o, text: {da: o, en: o}}], show_if: {key: zz, equals: "yes"}}
`

// TestErrorsSpeakTheReadersLanguage renders the error cases of the pages
// and the API (404, 403, 401, bad form input, bad JSON; the support call
// form, list, import and figures; the survey respondent page, builder,
// editor, schedule, waves and interviews; the user and token forms) in
// Danish and in English and finds no message with a word of the other
// language.
func TestErrorsSpeakTheReadersLanguage(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	authority := env.Authority(validCVR(t, "1234567"), "Styrelsen A")
	respondentCVR := validCVR(t, "2345678")
	tokens, wave := respondentTokens(t, env, respondentCVR)
	someone := env.User(auth.RoleSupport, "")
	badBuilder := url.Values{"title_da": {"Uge"}, "title_en": {""}, "rows": {"2"},
		"pos_0": {"10"}, "key_0": {"Bad Key"}, "type_0": {"smiley"}, "text_da_0": {"Hvordan går det?"}, "text_en_0": {""},
		"pos_1": {"20"}, "key_1": {"kind"}, "type_1": {"single"}, "text_da_1": {"Hvilken slags?"}, "text_en_1": {"Which kind?"},
		"options_1": {"only-one-part"}, "show_if_1": {"no equals sign"}, "min_1": {"x"}}
	badCall := url.Values{"company": {"Ingen Sådan ApS"}, "caller_name": {""}, "desk": {"helpdesk"}, "channel": {""}, "category": {"printer"},
		"description": {""}, "resolution": {""}, "duration_minutes": {"-4"}, "received_at": {"i går"}, "ended_at": {"2026-11-10T09:00"}, "follow_up_by": {"31-02-2026"}}
	badCallJSON := map[string]any{"company_cvr": validCVR(t, "9988776"), "caller_name": "Kim", "desk": "portal", "channel": "fax",
		"description": "x", "resolution": "maybe", "duration_minutes": 2000, "received_at": "2026-11-10T09:15:00+01:00", "ended_at": "2026-11-10T09:00:00+01:00",
		"follow_up_needed": true}
	badCalls := "company;caller_name;received_at;desk;channel;category;description;resolution;duration_minutes;follow_up_needed\n" +
		"Gamma A/S;Bo;i går;helpdesk;phone;printer;ok;resolved;x;måske\n"
	for _, lang := range []string{"da", "en"} {
		t.Run(lang, func(t *testing.T) {
			foreign := foreignWords(lang)
			admin := env.As(auth.RoleAdmin, "")
			support := env.As(auth.RoleSupport, "")
			for _, c := range []*apptest.Client{admin, support} {
				if r := c.PostForm("/lang", url.Values{"lang": {lang}}); r.StatusCode != http.StatusSeeOther {
					t.Fatalf("choose %s: %d", lang, r.StatusCode)
				}
			}
			anonymous := env.Anonymous()
			anonymous.Header = http.Header{"Cookie": {"pp_lang=" + lang}}
			badCompany := url.Values{"cvr": {"12345678"}, "name": {""}, "kind": {"planet"}, "p_numbers": {"12"},
				"contact_rows": {"1"}, "contact_name_0": {"Kim"}, "contact_email_0": {"kim@"}, "contact_phone_0": {"ring"}}
			cases := []struct {
				name string
				send func() apptest.Response
			}{
				{"404 page", func() apptest.Response { return admin.Get("/no-such-page") }},
				{"404 API", func() apptest.Response { return admin.Get("/api/v1/no-such-route") }},
				{"404 record", func() apptest.Response { return admin.Get("/api/v1/companies/" + validCVR(t, "7777777")) }},
				{"403 page", func() apptest.Response { return support.Get("/authorities") }},
				{"403 API", func() apptest.Response { return support.Get("/api/v1/authorities") }},
				{"401 API", func() apptest.Response { return anonymous.Get("/api/v1/companies") }},
				{"company form", func() apptest.Response { return admin.PostForm("/companies", badCompany) }},
				{"authority form", func() apptest.Response {
					return admin.PostForm("/authorities", url.Values{"cvr": {"1"}, "name": {""}, "kind": {"state"}, "weekly_target": {"x"}})
				}},
				{"authority form, CVR taken", func() apptest.Response {
					return admin.PostForm("/authorities", url.Values{"cvr": {authority}, "name": {"Igen"}, "kind": {"state"}})
				}},
				{"company API", func() apptest.Response {
					return admin.SendJSON("POST", "/api/v1/companies", map[string]any{"cvr": "12345678", "kind": "x", "contacts": []map[string]any{{"email": "x"}}})
				}},
				{"unknown JSON field", func() apptest.Response {
					return admin.SendJSON("POST", "/api/v1/authorities", map[string]any{"cvr": authority, "is_admin": true})
				}},
				{"JSON wrong type", func() apptest.Response {
					return admin.SendJSON("POST", "/api/v1/authorities", map[string]any{"cvr": 12345678})
				}},
				{"import file", func() apptest.Response {
					return admin.Upload("/api/v1/companies/import", "firms.csv", []byte("cvr,name,kind,colour\n12345678,,planet,red\n"))
				}},
				{"import page", func() apptest.Response {
					return admin.Upload("/companies/import", "firms.txt", []byte("x"))
				}},
				{"source API", func() apptest.Response {
					return admin.SendJSON("POST", "/api/v1/sources", map[string]any{"name": "", "kind": "http-feed", "url": "ftp://x", "interval_seconds": -5})
				}},
				{"source API, 404", func() apptest.Response { return admin.Get("/api/v1/sources/999") }},
				{"source form, numbers", func() apptest.Response {
					return admin.PostForm("/sources", url.Values{"name": {"x"}, "kind": {"directory"}, "directory": {"/"}, "interval_seconds": {"soon"}, "batch_limit": {"0"}})
				}},
				{"source form, folder", func() apptest.Response {
					return admin.PostForm("/sources", url.Values{"name": {"x"}, "kind": {"directory"}, "directory": {"/no/such/folder"}})
				}},
				{"survey export, format", func() apptest.Response { return admin.Get("/survey/questionnaire/export?format=xml") }},
				{"survey questionnaire API, slug", func() apptest.Response {
					return admin.SendJSON("POST", "/api/v1/survey/questionnaires", map[string]any{"slug": "monthly", "title": map[string]string{"da": "Måned"}})
				}},
				{"support call form", func() apptest.Response { return support.PostForm("/support/calls", maps.Clone(badCall)) }},
				{"support call API", func() apptest.Response { return support.SendJSON("POST", "/api/v1/support/calls", badCallJSON) }},
				{"support call list, bad filters", func() apptest.Response {
					return support.Get("/support/calls?week=nope&category=printer&follow_up=soon&company=Nobody")
				}},
				{"support call list API, bad filters", func() apptest.Response {
					return support.Get("/api/v1/support/calls?week=2026-W60&desk=helpdesk&deleted=only&limit=-1")
				}},
				{"support import", func() apptest.Response {
					return support.Upload("/api/v1/support/calls/import", "f.csv", []byte(badCalls))
				}},
				{"support import page", func() apptest.Response { return support.Upload("/support/calls/import", "f.csv", []byte(badCalls)) }},
				{"support figures, to before from", func() apptest.Response { return admin.Get("/support/figures?from=2026-W47&to=2026-W46") }},
				{"support figures, bad week", func() apptest.Response { return admin.Get("/support/figures?from=2026-W60&to=uge") }},
				{"support figures API, too many weeks", func() apptest.Response {
					return admin.Get("/api/v1/support/figures?from=2020-W01&to=2026-W46&kind=planet")
				}},
				{"support figures API, to before from", func() apptest.Response {
					return admin.Get("/api/v1/support/figures?from=2026-W47&to=2026-W46")
				}},
				{"survey respondent, required left empty", func() apptest.Response {
					respondent := env.Anonymous()
					page := "/q/" + tokens[lang]
					if r := respondent.Get(page); r.StatusCode != http.StatusOK {
						t.Fatalf("respondent page: %d", r.StatusCode)
					}
					return respondent.PostForm(page, url.Values{"wave": {wave.ID}, "version": {strconv.FormatInt(wave.VersionID, 10)}, "action": {"submit"}})
				}},
				{"survey builder", func() apptest.Response {
					return admin.PostForm("/survey/questionnaire/builder", maps.Clone(badBuilder))
				}},
				{"survey builder, definition", func() apptest.Response {
					return admin.PostForm("/survey/questionnaire/builder", url.Values{"title_da": {"Uge"}, "title_en": {"Week"}, "rows": {"1"},
						"pos_0": {"10"}, "key_0": {"Bad Key"}, "type_0": {"smiley"}, "text_da_0": {"Hvordan går det"}, "text_en_0": {""}})
				}},
				{"survey editor", func() apptest.Response {
					return admin.PostForm("/survey/questionnaire", url.Values{"definition": {badDefinition}})
				}},
				{"survey editor, YAML", func() apptest.Response {
					return admin.PostForm("/survey/questionnaire", url.Values{"definition": {"slug: weekly\nbogus: 1\n"}})
				}},
				{"survey questionnaire API", func() apptest.Response {
					return admin.SendJSON("POST", "/api/v1/survey/questionnaires", map[string]any{"slug": "weekly", "title": map[string]string{"da": "Uge"},
						"questions": []map[string]any{{"key": "a", "type": "smiley", "text": map[string]string{"da": "Hvordan går det?", "en": "How is it going?"}},
							{"key": "a", "type": "number", "min": 5, "max": 1, "text": map[string]string{"da": "Hvor mange?", "en": "How many?"}}}})
				}},
				{"survey schedule form", func() apptest.Response {
					return admin.PostForm("/survey/schedule", url.Values{"open_weekday": {"8"}, "open_time": {"25:00"}, "close_after_days": {"0"}, "max_reminders": {"11"}})
				}},
				{"survey wave form, bad week", func() apptest.Response { return admin.PostForm("/survey/waves", url.Values{"week": {"2012-W99"}}) }},
				{"survey wave form, wave exists", func() apptest.Response { return admin.PostForm("/survey/waves", url.Values{"week": {wave.ID}}) }},
				{"survey wave API, bad week", func() apptest.Response {
					return admin.SendJSON("POST", "/api/v1/survey/waves", map[string]any{"week": "2012-W99"})
				}},
				{"survey interview form", func() apptest.Response {
					return admin.PostForm("/survey/companies/"+respondentCVR+"/interviews", url.Values{"held_on": {"20-11-2012"}, "interviewer": {""}, "topics": {"nope"}})
				}},
				{"user form", func() apptest.Response {
					return admin.PostForm("/admin/users", url.Values{"email": {"kim@"}, "role": {"boss"}, "authority_cvr": {"12345678"}, "language": {"fr"}})
				}},
				{"user API, short password", func() apptest.Response {
					return admin.SendJSON("POST", "/api/v1/users", map[string]any{"email": "kim@", "role": "authority", "password": "kort"})
				}},
				{"user change form", func() apptest.Response {
					return admin.PostForm("/admin/users/"+strconv.FormatInt(someone.ID, 10), url.Values{"role": {"authority"}, "authority_cvr": {""}})
				}},
				{"user change API", func() apptest.Response {
					return admin.SendJSON("PATCH", "/api/v1/users/"+strconv.FormatInt(someone.ID, 10), map[string]any{"role": "boss", "language": "fr"})
				}},
				{"token form", func() apptest.Response {
					return admin.PostForm("/admin/tokens", url.Values{"kind": {"user"}, "owner": {"nobody@example.dk"}, "name": {"feed"}})
				}},
				{"token form, kind", func() apptest.Response {
					return admin.PostForm("/admin/tokens", url.Values{"kind": {"robot"}, "owner": {"x"}})
				}},
			}
			for _, tc := range cases {
				r := tc.send()
				if r.StatusCode < 400 {
					t.Errorf("%s: %d, want an error", tc.name, r.StatusCode)
					continue
				}
				msgs := shownMessages(t, r)
				if len(msgs) == 0 {
					t.Errorf("%s: %d shows no error message: %.300s", tc.name, r.StatusCode, r.Body)
				}
				for _, m := range msgs {
					for _, w := range word.FindAllString(strings.ToLower(userValues.ReplaceAllString(m, "")), -1) {
						if foreign[w] {
							t.Errorf("%s (%s): %q has the word %q of the other language", tc.name, lang, m, w)
							break
						}
					}
				}
			}
		})
	}
}
