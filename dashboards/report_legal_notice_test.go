package dashboards_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/pilotpulse/pilotpulse/dashboards"
	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
)

// The legal-notice workbook, read back: the list of the page's JSON twin
// for the same query, a row per contact, the language as a word, the last
// login as a date and the days since as numbers; names like formulas as
// string cells (and with the apostrophe in the CSV); the link beside the
// CSV's; the roles and the audit.
func TestLegalNoticeWorkbook(t *testing.T) {
	f := newAdoptionFixture(t)
	ctx := context.Background()
	f.changeCompany(t, f.b, func(co *registry.Company) {
		co.Contacts = append(co.Contacts, registry.Contact{Name: riskyNames[0], Email: "b2@firma.test", Language: "en"})
	})
	f.changeCompany(t, f.d, func(co *registry.Company) {
		co.Name = riskyNames[2]
		co.Contacts = []registry.Contact{{Name: riskyNames[3], Email: "k3@firma.test", Language: "da"}, {Name: riskyNames[1], Email: "d2@firma.test", Language: "en"}}
	})
	manager := f.env.As(auth.RoleManager, "")
	file := downloadedWorkbook(t, manager.Get("/dashboards/legal-notice.xlsx?since=2012-11-12"), "legal-notice-2012-11-12.xlsx")
	if got := file.GetSheetList(); !slices.Equal(got, []string{"Brevfletning", "Om listen", "Definitioner"}) {
		t.Fatalf("sheets %q", got)
	}
	// By construction (TestLegalNotice): never logged in first (D, named
	// "@SUM(A1)", sorts before Firma B), then A's login of Sunday 11
	// November (Excel's day 41224), 7 days before the period's end.
	rows := rawRows(t, file, "Brevfletning")
	want := [][]string{
		{"Deltager", "CVR", "Kontaktperson", "E-mail", "Sprog", "Sidste login", "Dage siden"},
		{riskyNames[2], f.d, riskyNames[3], "k3@firma.test", "dansk"},
		{riskyNames[2], f.d, riskyNames[1], "d2@firma.test", "engelsk"},
		{"Firma B", f.b, "Kontakt", "k1@firma.test", "dansk"},
		{"Firma B", f.b, riskyNames[0], "b2@firma.test", "engelsk"},
		{"Firma A", f.a, "Kontakt", "k0@firma.test", "dansk", "41224", "7"},
	}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Fatalf("list:\n%q\nwant:\n%q", rows, want)
	}
	for row := 2; row <= 5; row++ {
		checkCellKinds(t, file, "Brevfletning", row, nil, []int{1, 2, 3, 4, 5})
	}
	checkCellKinds(t, file, "Brevfletning", 6, []int{6, 7}, []int{1, 2, 3, 4, 5})
	if panes, err := file.GetPanes("Brevfletning"); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header row not frozen: %+v %v", panes, err)
	}
	if about := rawRows(t, file, "Om listen"); len(about) != 2 || !slices.Equal(about[1], []string{"41225", "41231", "Virksomheder", "Alle hold", "4", "3"}) {
		t.Errorf("about the list: %q", about)
	}

	// The same list as the JSON twin, for each query of the page.
	for _, query := range []string{"since=2012-11-12", "period=4w", "kind=municipality&since=2012-10-30", "cohort=hold-2&since=2012-11-12", "since=2012-12-01&lang=en"} {
		ln := getJSON[dashboards.LegalNotice](t, manager, "/api/v1/metrics/legal-notice?"+query)
		file := downloadedWorkbook(t, manager.Get("/dashboards/legal-notice.xlsx?"+query), "legal-notice-"+ln.Since+".xlsx")
		sheet := "Brevfletning"
		if strings.Contains(query, "lang=en") {
			sheet = "Mail merge"
		}
		var wantRows []string
		for _, c := range ln.NotLoggedIn {
			days := ""
			if c.DaysSince != nil {
				days = fmt.Sprint(*c.DaysSince)
			}
			for _, ct := range c.Contacts {
				wantRows = append(wantRows, strings.Join([]string{c.Name, c.CVR, ct.Name, ct.Email, days}, "|"))
			}
		}
		var gotRows []string
		for _, r := range rawRows(t, file, sheet)[1:] {
			r = append(r, make([]string, 7)...)
			gotRows = append(gotRows, strings.Join([]string{r[0], r[1], r[2], r[3], r[6]}, "|"))
		}
		if !slices.Equal(gotRows, wantRows) {
			t.Errorf("%s: workbook %q, JSON %q", query, gotRows, wantRows)
		}
	}

	// The CSV of the same list neutralises the names with an apostrophe.
	csv := manager.Get("/dashboards/legal-notice.csv?since=2012-11-12").Body
	for _, want := range []string{f.d + `,'@SUM(A1),'-2+3,k3@firma.test,da,,`, f.d + `,'@SUM(A1),'+1+1,d2@firma.test,en,,`,
		f.b + `,Firma B,"'=HYPERLINK(""http://evil"",""x"")",b2@firma.test,en,,`} {
		if !strings.Contains(csv, want+"\n") {
			t.Errorf("csv lacks %q:\n%s", want, csv)
		}
	}

	// The download beside the CSV's, with the page's query.
	page := html.UnescapeString(manager.Get("/dashboards/legal-notice?kind=all&since=2012-11-12").Body)
	for _, want := range []string{`href="/dashboards/legal-notice.csv?kind=all&since=2012-11-12"`, `href="/dashboards/legal-notice.xlsx?kind=all&since=2012-11-12"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}

	// Roles: support reads companies too; authority users never.
	downloadedWorkbook(t, f.env.As(auth.RoleSupport, "").Get("/dashboards/legal-notice.xlsx"), "legal-notice-2012-11-12.xlsx")
	authority := f.env.Authority(cvr(t, "4200003"), "Styrelsen Z")
	if r := f.env.Bearer(f.env.TokenFor(f.env.User(auth.RoleAuthority, authority))).Get("/dashboards/legal-notice.xlsx"); r.StatusCode != http.StatusForbidden {
		t.Errorf("authority user: %d", r.StatusCode)
	}
	if r := manager.Get("/dashboards/legal-notice.xlsx?since=yesterday"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("bad since: %d", r.StatusCode)
	}

	// Reader: the same list; refused for a role that does not read companies.
	rd := dashboards.NewReader(f.env.App.DashboardDeps())
	q := dashboards.LegalNoticeQuery{Since: "2012-11-12", Range: week.Range{From: week.MustParse("2012-W46"), To: week.MustParse("2012-W46")}}
	var buf bytes.Buffer
	if err := rd.LegalNoticeWorkbook(ctx, &auth.Principal{Role: auth.RoleAuthority, AuthorityCVR: authority}, q, "da", &buf); !errors.Is(err, problem.ErrForbidden) || buf.Len() > 0 {
		t.Errorf("Reader for an authority user: %v", err)
	}
	err := rd.LegalNoticeWorkbook(ctx, &auth.Principal{Role: auth.RoleManager, Email: "boss@test"}, dashboards.LegalNoticeQuery{Kind: "nonsense"}, "da", &buf)
	if fs, ok := problem.AsFields(err); !ok || !fs.Has("kind") || buf.Len() > 0 {
		t.Errorf("Reader with a bad kind: %v", err)
	}
	if err := rd.LegalNoticeWorkbook(ctx, &auth.Principal{Role: auth.RoleManager, Email: "boss@test"}, q, "da", &buf); err != nil {
		t.Fatal(err)
	}
	fromReader, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer fromReader.Close()
	if got := rawRows(t, fromReader, "Brevfletning"); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("Reader's list %q", got)
	}

	entries, err := f.env.App.Audit.List(ctx, audit.Filter{Action: audit.Export})
	if err != nil {
		t.Fatal(err)
	}
	xlsx := 0
	for _, e := range entries {
		if e.Target == "legal-notice list" && strings.HasPrefix(e.Detail, "xlsx") {
			xlsx++
			if e.Actor == "boss@test" && !strings.Contains(e.Detail, "since 2012-11-12") {
				t.Errorf("audit detail: %+v", e)
			}
		}
	}
	if xlsx != 8 { // the first, five queries, support, the Reader's
		t.Errorf("%d workbook exports audited: %+v", xlsx, entries)
	}
}
