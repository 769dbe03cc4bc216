package dashboards_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/dashboards"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
)

func getReview(t *testing.T, c *apptest.Client, query string) dashboards.Review {
	t.Helper()
	return getJSON[dashboards.Review](t, c, "/api/v1/metrics/week-in-review"+query)
}

// checkSentences fails unless got are exactly want.
func checkSentences(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

// The week in review of the constructed pilot (overviewFixture): one
// sentence per figure with data, the changes against the week before, the
// top wishes and the volume against the targets, in Danish and English;
// the overview shows the same sentences; the text box holds them for
// pasting.
func TestWeekInReview(t *testing.T) {
	f := newOverviewFixture(t)
	admin := f.env.As(auth.RoleAdmin, "")
	rv := getReview(t, admin, "")
	want := []string{
		"3 af 4 virksomheder havde problemer med at oprette eller opsætte postkassen (+1 siden uge 45).",
		"2 af 4 virksomheder ringede til support (±0 siden uge 45); 3 opkald i alt.",
		"Ikke løst: Portalens support løste ikke 1 af 2 opkald (50,0 %); Postkasseoperatørens support løste ikke 1 af 1 opkald (100,0 %).",
		"3 af 5 invitationer til spørgeskemaet blev besvaret (60,0 %), +20,0 procentpoint siden uge 45.",
		"2 af 4 virksomheder har givet en tredjepart adgang til postkassen (+1 siden uge 45).",
		"Postkassen fik i gennemsnit 3,7 af 5 for, hvor let den er at bruge (3 svar), +0,2 siden uge 45.",
		"Oftest ønsket: Søgning på tværs af mapper (2 omtaler fra 2 virksomheder); Genfinde slettet post (2 omtaler fra 2 virksomheder); Se hvem der har gjort hvad (1 omtaler fra 1 virksomheder).",
		"Myndighederne sendte 15 meddelelser (+10 siden uge 45). 0 af 1 myndigheder med ugemål nåede målet.",
	}
	checkSentences(t, "2012-W46", rv.Sentences, want)
	if rv.Heading != "Uge 46 (2012-W46)" || rv.Text != "Uge 46 (2012-W46)\n- "+strings.Join(want, "\n- ") {
		t.Errorf("heading %q, text %q", rv.Heading, rv.Text)
	}
	page := admin.Get("/dashboards/week-in-review").Body
	if !strings.Contains(page, `<textarea id="review-text" class="review-text" readonly`) || !strings.Contains(page, `data-copy-from="review-text"`) ||
		!strings.Contains(page, "- 2 af 4 virksomheder ringede til support (±0 siden uge 45); 3 opkald i alt.") {
		t.Error("the page lacks the text box with the sentences and the copy button")
	}
	home := html.UnescapeString(admin.Get("/").Body)
	if !strings.Contains(home, "<li>3 af 4 virksomheder havde problemer med at oprette eller opsætte postkassen (+1 siden uge 45).</li>") ||
		!strings.Contains(home, `href="/dashboards/week-in-review?"`) {
		t.Error("the overview lacks the week in review")
	}

	// Four weeks against the four before (empty): every figure counted
	// once over the period, the changes against nothing.
	rv = getReview(t, f.env.As(auth.RoleManager, ""), "?period=4w")
	if rv.Heading != "Perioden 2012-W43 – 2012-W46" || len(rv.Sentences) != 8 ||
		rv.Sentences[0] != "4 af 4 virksomheder havde problemer med at oprette eller opsætte postkassen (+4 mod 2012-W39 – 2012-W42)." ||
		rv.Sentences[3] != "5 af 10 invitationer til spørgeskemaet blev besvaret (50,0 %)." {
		t.Errorf("four weeks: %s %q", rv.Heading, rv.Sentences)
	}
	// An empty week after the data: only what holds by then.
	checkSentences(t, "2012-W50", getReview(t, admin, "?from=2012-W50&to=2012-W50").Sentences, []string{
		"2 af 4 virksomheder har givet en tredjepart adgang til postkassen (±0 siden uge 49).",
	})
	// The kind filter names the participants counted.
	mun := getReview(t, admin, "?from=2012-W45&to=2012-W45&kind=municipality")
	if len(mun.Sentences) == 0 || mun.Sentences[0] != "0 af 1 kommuner havde problemer med at oprette eller opsætte postkassen (±0 siden uge 44)." {
		t.Errorf("municipalities: %q", mun.Sentences)
	}

	// In English.
	if r := admin.PostForm("/lang", url.Values{"lang": {"en"}, "next": {"/"}}); r.StatusCode >= 400 {
		t.Fatal(r.StatusCode)
	}
	en := getReview(t, admin, "")
	if en.Language != "en" || en.Heading != "Week 46 (2012-W46)" ||
		en.Sentences[0] != "3 of 4 companies had problems creating or setting up the mailbox (+1 since week 45)." ||
		en.Sentences[3] != "3 of 5 questionnaire invitations were answered (60.0%), +20.0 percentage points since week 45." {
		t.Errorf("in English: %q", en.Sentences)
	}
}

// An app without data has nothing to write, and says how to start.
func TestWeekInReviewEmpty(t *testing.T) {
	env := apptest.New(t)
	admin := env.As(auth.RoleAdmin, "")
	rv := getReview(t, admin, "")
	checkSentences(t, "no data", rv.Sentences, []string{"Der er ingen virksomheder i registret endnu."})
	for _, c := range []*apptest.Client{env.As(auth.RoleSupport, ""), env.As(auth.RoleAuthority, env.Authority(cvr(t, "4200001"), "Styrelsen"))} {
		if r := c.Get("/api/v1/metrics/week-in-review"); r.StatusCode != http.StatusForbidden {
			t.Errorf("the week in review for support or an authority: %d", r.StatusCode)
		}
	}
}
