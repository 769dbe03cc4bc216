package app_test

import (
	"database/sql"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
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

var shownMessage = regexp.MustCompile(`class="(?:field-error|error-message)"[^>]*>([^<]+)<|class="errors" role="alert"><p>([^<]+)<`)

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
func foreignWords(lang string) map[string]bool {
	other := "en"
	if lang == "en" {
		other = "da"
	}
	own := map[string]bool{}
	for _, s := range web.Table(lang) {
		for _, w := range word.FindAllString(strings.ToLower(s), -1) {
			own[w] = true
		}
	}
	foreign := map[string]bool{}
	for _, s := range web.Table(other) {
		for _, w := range word.FindAllString(strings.ToLower(s), -1) {
			if !own[w] {
				foreign[w] = true
			}
		}
	}
	return foreign
}

// TestErrorsSpeakTheReadersLanguage renders the error cases of the pages
// and the API (404, 403, 401, bad form input, bad JSON) in Danish and in
// English and finds no message with a word of the other language.
func TestErrorsSpeakTheReadersLanguage(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	authority := env.Authority(validCVR(t, "1234567"), "Styrelsen A")
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
