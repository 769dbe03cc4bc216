package dashboards_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/dashboards"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/reports/officetest"
)

// riskyNames are the formula-injection cases of issue 11: names from users
// a spreadsheet program could read as a formula.
var riskyNames = []string{`=HYPERLINK("http://evil","x")`, "+1+1", "@SUM(A1)", "-2+3"}

// downloadedWorkbook opens a downloaded workbook, failing the test unless it is one.
func downloadedWorkbook(t *testing.T, r apptest.Response, filename string) *excelize.File {
	t.Helper()
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
		r.Header.Get("Content-Disposition") != `attachment; filename="`+filename+`"` {
		t.Fatalf("download: %d %v %.300s", r.StatusCode, r.Header, r.Body)
	}
	f, err := excelize.OpenReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// rawRows are a sheet's cells as stored (numbers unformatted).
func rawRows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("sheet %q: %v (sheets %q)", sheet, err, f.GetSheetList())
	}
	return rows
}

// checkCellKinds checks that the cells of a sheet's row are numbers in the
// columns numbers and strings (never formulas) in the columns texts.
func checkCellKinds(t *testing.T, f *excelize.File, sheet string, row int, numbers, texts []int) {
	t.Helper()
	for _, col := range append(slices.Clone(numbers), texts...) {
		cell, _ := excelize.CoordinatesToCellName(col, row)
		typ, err := f.GetCellType(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		if formula, _ := f.GetCellFormula(sheet, cell); formula != "" {
			t.Errorf("%s!%s is the formula %q", sheet, cell, formula)
		}
		isText := typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString
		if slices.Contains(texts, col) != isText {
			t.Errorf("%s!%s is of type %v", sheet, cell, typ)
		}
	}
}

// num is a numeric cell's value.
func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return v
}

// percentCell is a JSON share (percent, null) as the workbook holds it.
func percentCell(t *testing.T, cell string, share *float64) bool {
	t.Helper()
	if share == nil {
		return cell == ""
	}
	return cell != "" && math.Abs(num(t, cell)-*share/100) < 1e-9
}

// The authority volume report, read back: every figure known by
// construction (the volume fixture's Styrelsen S, 2012-W44 to W46: an empty
// week, the boundaries, duplicates re-sent), equal to the drill-down's JSON
// twin, numbers as numbers, names as string cells, the charts' parts; the
// scoping of the route and of Reader; the audit.
func TestAuthorityReport(t *testing.T) {
	f := newVolumeFixture(t)
	ctx := context.Background()
	manager := f.env.As(auth.RoleManager, "")
	const period = "from=2012-W44&to=2012-W46"
	path := "/api/v1/reports/authority/" + f.s + "?" + period
	file := downloadedWorkbook(t, manager.Get(path), "authority-volume-"+f.s+"-2012-W44-2012-W46.xlsx")
	if got := file.GetSheetList(); !slices.Equal(got, []string{"Myndighed", "Uger", "Virksomheder", "Definitioner"}) {
		t.Fatalf("sheets %q", got)
	}
	drill := getJSON[dashboards.AuthorityDrillDown](t, manager, "/api/v1/metrics/volume/authorities/"+f.s+"?"+period)

	// The authority, with its rank among every authority ranked.
	about := rawRows(t, file, "Myndighed")
	want := []string{"Styrelsen S", f.s, "stat", "2012-W44", "2012-W46", "3", "4", strconv.Itoa(drill.Total.Rank), strconv.Itoa(drill.Ranked)}
	if len(about) != 2 || !slices.Equal(about[1], want) || drill.Total.Rank != 1 {
		t.Errorf("authority sheet %q, want %q", about, want)
	}

	// The weeks by construction: week, messages, digital, remote print,
	// with metadata (share), with deep links (share), companies, target,
	// attainment; the totals row with the distinct companies of the period
	// and the target of its three weeks.
	weeks := rawRows(t, file, "Uger")
	wantWeeks := [][]string{
		{"2012-W44", "41211", "2", "1", "1", "1", "0.5", "1", "0.5", "2", "4", "0.5"},
		{"2012-W45", "41218", "0", "0", "0", "0", "", "0", "", "0", "4", "0"},
		{"2012-W46", "41225", "2", "1", "1", "1", "0.5", "1", "0.5", "2", "4", "0.5"},
		{"I alt", "", "4", "2", "2", "2", "0.5", "2", "0.5", "3", "12", fmt.Sprint(4.0 / 12)},
	}
	if len(weeks) != 5 || weeks[0][0] != "Uge" {
		t.Fatalf("weeks sheet: %q", weeks)
	}
	for i, w := range wantWeeks {
		got := append(weeks[i+1], make([]string, 12)...)[:12]
		if !slices.Equal(got[:11], w[:11]) || math.Abs(num(t, got[11])-num(t, w[11])) > 1e-9 {
			t.Errorf("weeks row %d: %q, want %q", i+2, got, w)
		}
		checkCellKinds(t, file, "Uger", i+2, []int{3, 4, 5, 6, 8, 10, 11, 12}, []int{1})
	}
	// The same figures as the JSON twin.
	if len(drill.Weeks) != 3 {
		t.Fatalf("JSON weeks: %+v", drill.Weeks)
	}
	for i, w := range drill.Weeks {
		row := append(weeks[i+1], make([]string, 12)...)
		if row[0] != w.Week || row[2] != fmt.Sprint(w.Messages) || row[3] != fmt.Sprint(w.Digital) || row[4] != fmt.Sprint(w.RemotePrint) ||
			row[5] != fmt.Sprint(w.WithMetadata) || !percentCell(t, row[6], w.MetadataShare) || row[7] != fmt.Sprint(w.WithDeepLink) ||
			!percentCell(t, row[8], w.DeepLinkShare) || row[9] != fmt.Sprint(w.Companies) || !percentCell(t, row[11], w.Attainment) {
			t.Errorf("week %s differs from the JSON twin: %q against %+v", w.Week, row, w)
		}
	}
	total := weeks[4]
	if total[2] != fmt.Sprint(drill.Total.Messages) || total[9] != fmt.Sprint(drill.CompaniesReached) || !percentCell(t, total[11], drill.Total.Attainment) {
		t.Errorf("totals row %q against the JSON total %+v", total, drill.Total)
	}
	if panes, err := file.GetPanes("Uger"); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header row not frozen: %+v %v", panes, err)
	}

	// The companies reached, most messages first; c4 is not in the registry.
	companies := rawRows(t, file, "Virksomheder")
	wantCompanies := [][]string{
		{"Firma 1", f.c1, "2", "2", "0", "2", "1", "2"},
		{"Firma 2", f.c2, "1", "0", "1", "0", "1", "1"},
		{"Virksomhed uden for registret", f.c4, "1", "0", "1", "0", "0", "1"},
	}
	if len(companies) != 4 {
		t.Fatalf("companies sheet: %q", companies)
	}
	for i, c := range wantCompanies {
		if !slices.Equal(companies[i+1], c) || drill.Companies[i].CompanyCVR != c[1] {
			t.Errorf("company row %d: %q, want %q (JSON %+v)", i+2, companies[i+1], c, drill.Companies[i])
		}
		checkCellKinds(t, file, "Virksomheder", i+2, []int{3, 4, 5, 6, 7, 8}, []int{1, 2})
	}
	if defs := rawRows(t, file, "Definitioner"); len(defs) < 10 || !strings.HasPrefix(defs[2][2], "docs/figures.md#") {
		t.Errorf("definitions: %q", defs)
	}

	// The native charts: by channel, and the attainment (S has a target);
	// their titles are fixed texts.
	body := manager.Get(path).Body
	charts := zipFiles(t, body)
	channels, attainment := charts["xl/charts/chart1.xml"], charts["xl/charts/chart2.xml"]
	if !strings.Contains(channels, "<a:t>Meddelelser pr. uge efter kanal</a:t>") || !strings.Contains(channels, "Uger&#39;!$D$2:$D$4") ||
		!strings.Contains(attainment, "<a:t>Andel af ugemålet pr. uge</a:t>") || strings.Contains(channels+attainment, "Styrelsen") {
		t.Errorf("charts:\n%s\n%s", channels, attainment)
	}

	// English on request; Danish by default for the reader.
	en := downloadedWorkbook(t, manager.Get(path+"&lang=en"), "authority-volume-"+f.s+"-2012-W44-2012-W46.xlsx")
	if got := en.GetSheetList(); !slices.Equal(got, []string{"Authority", "Weeks", "Companies", "Definitions"}) || rawRows(t, en, "Weeks")[4][0] != "Total" {
		t.Errorf("English sheets %q", got)
	}

	// Scoping: an authority user gets its own, another authority is 404
	// (never its data), support has no volume; bad input names its field.
	own := f.env.Bearer(f.env.TokenFor(f.env.User(auth.RoleAuthority, f.m)))
	downloadedWorkbook(t, own.Get("/api/v1/reports/authority/"+f.m+"?"+period), "authority-volume-"+f.m+"-2012-W44-2012-W46.xlsx")
	for _, other := range []string{f.s, f.u, "12345678"} {
		r := own.Get("/api/v1/reports/authority/" + other + "?" + period)
		if r.StatusCode != http.StatusNotFound || strings.Contains(r.Body, "Styrelsen") {
			t.Errorf("authority M asking for %s: %d %.200s", other, r.StatusCode, r.Body)
		}
	}
	if r := f.env.As(auth.RoleSupport, "").Get(path); r.StatusCode != http.StatusForbidden {
		t.Errorf("support: %d", r.StatusCode)
	}
	for query, field := range map[string]string{"from=2012-W99": "from", "from=2012-W46&to=2012-W44": "to", "lang=de": "lang"} {
		var e web.ErrorBody
		r := manager.Get("/api/v1/reports/authority/" + f.s + "?" + query)
		r.JSON(t, &e)
		if r.StatusCode != http.StatusBadRequest || len(e.Fields) != 1 || e.Fields[0].Field != field {
			t.Errorf("%s: %d %s, want 400 naming %s", query, r.StatusCode, r.Body, field)
		}
	}
	// A manager may name an authority outside the registry that sent messages.
	downloadedWorkbook(t, manager.Get("/api/v1/reports/authority/"+f.u+"?from=2012-W46&to=2012-W46"), "authority-volume-"+f.u+"-2012-W46-2012-W46.xlsx")

	// The download links: on the drill-down for the period shown, on an
	// authority user's volume page for its own; not on a manager's volume
	// page (many authorities).
	link := func(cvr, from, to string) string {
		return `href="/api/v1/reports/authority/` + cvr + `?from=` + from + `&amp;to=` + to + `"`
	}
	for _, c := range []struct {
		client     *apptest.Client
		path, want string
	}{
		{manager, "/dashboards/volume/authorities/" + f.s + "?" + period, link(f.s, "2012-W44", "2012-W46")},
		{f.env.As(auth.RoleAuthority, f.m), "/dashboards/volume/authorities/" + f.m, link(f.m, "2012-W47", "2012-W47")},
		{f.env.As(auth.RoleAuthority, f.m), "/dashboards/volume?period=4w", link(f.m, "2012-W44", "2012-W47")},
		{manager, "/dashboards/volume?" + period, ""},
	} {
		body := c.client.Get(c.path).Body
		if c.want != "" && !strings.Contains(body, c.want) || c.want == "" && strings.Contains(body, "/api/v1/reports/authority/") {
			t.Errorf("%s: the report link is not %q", c.path, c.want)
		}
	}

	// Reader: the same scoping and the same file as the route.
	rd := dashboards.NewReader(f.env.App.DashboardDeps())
	r46 := week.Range{From: week.MustParse("2012-W44"), To: week.MustParse("2012-W46")}
	var buf bytes.Buffer
	if err := rd.AuthorityWorkbook(ctx, &auth.Principal{Role: auth.RoleAuthority, AuthorityCVR: f.m, Email: "m@kommune.test"}, f.s, r46, "da", &buf); !errors.Is(err, problem.ErrNotFound) || buf.Len() > 0 {
		t.Errorf("Reader gave authority M another authority's report: %v (%d bytes)", err, buf.Len())
	}
	if err := rd.AuthorityWorkbook(ctx, &auth.Principal{Role: auth.RoleSupport, Email: "s@test"}, f.s, r46, "da", &buf); !errors.Is(err, problem.ErrNotFound) || buf.Len() > 0 {
		t.Errorf("Reader gave support a report: %v", err)
	}
	if err := rd.AuthorityWorkbook(ctx, &auth.Principal{Role: auth.RoleManager, Email: "boss@test"}, f.s, r46, "da", &buf); err != nil {
		t.Fatal(err)
	}
	readerFile, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer readerFile.Close()
	if got := rawRows(t, readerFile, "Uger"); !slices.EqualFunc(got, weeks, slices.Equal) {
		t.Errorf("Reader's weeks %q differ from the route's %q", got, weeks)
	}

	// Every download is in the audit log, with who asked.
	entries, err := f.env.App.Audit.List(ctx, audit.Filter{Action: audit.Export})
	if err != nil {
		t.Fatal(err)
	}
	var actors []string
	for _, e := range entries {
		if strings.HasPrefix(e.Target, "authority volume report ") {
			actors = append(actors, e.Actor)
		}
	}
	if len(actors) != 6 || !slices.Contains(actors, "boss@test") {
		t.Errorf("audited exports: %q", actors)
	}
}

// zipFiles are the parts of a zip archive (a workbook) by name.
func zipFiles(t *testing.T, body string) map[string]string {
	t.Helper()
	z, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, zf := range z.File {
		r, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if _, err := b.ReadFrom(r); err != nil {
			t.Fatal(err)
		}
		r.Close()
		out[zf.Name] = b.String()
	}
	return out
}

// Names from users that look like formulas stay text in the authority
// report: string cells with the text intact, never formulas, never in a
// chart's title.
func TestAuthorityReportKeepsFormulasAsText(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	var events eventLog
	var authorities []string
	var prefixes []string // 7-digit prefixes with a check digit
	for n := 4600000; len(prefixes) < 2*len(riskyNames); n++ {
		if _, ok := registry.CompleteCVR(strconv.Itoa(n)); ok {
			prefixes = append(prefixes, strconv.Itoa(n))
		}
	}
	for i, name := range riskyNames {
		a := cvr(t, prefixes[2*i])
		if _, err := env.App.Registry.CreateAuthority(ctx, registry.Authority{CVR: a, Name: name, Kind: registry.KindState}); err != nil {
			t.Fatal(err)
		}
		company := addCompany(t, env, prefixes[2*i+1], name, registry.KindCompany, "")
		events.add(event.TypeMessageSent, company, a, "", cph("2012-11-14 10:00"))
		authorities = append(authorities, a)
	}
	events.store(t, env)
	manager := env.As(auth.RoleManager, "")
	for i, name := range riskyNames {
		r := manager.Get("/api/v1/reports/authority/" + authorities[i] + "?from=2012-W46&to=2012-W46")
		file := downloadedWorkbook(t, r, "authority-volume-"+authorities[i]+"-2012-W46-2012-W46.xlsx")
		for sheet, cell := range map[string]string{"Myndighed": "A2", "Virksomheder": "A2"} {
			got, _ := file.GetCellValue(sheet, cell)
			if got != name {
				t.Errorf("%s!%s is %q, want %q", sheet, cell, got, name)
			}
			row, _ := strconv.Atoi(cell[1:])
			checkCellKinds(t, file, sheet, row, nil, []int{1})
		}
		if strings.Contains(zipFiles(t, r.Body)["xl/charts/chart1.xml"], name) {
			t.Errorf("%q is in the chart", name)
		}
	}
}

// What LibreOffice shows of the authority report: the figures of the
// volume fixture formatted as numbers and percentages, the names as text.
func TestAuthorityReportInLibreOffice(t *testing.T) {
	f := newVolumeFixture(t)
	r := f.env.As(auth.RoleManager, "").Get("/api/v1/reports/authority/" + f.s + "?from=2012-W44&to=2012-W46")
	downloadedWorkbook(t, r, "authority-volume-"+f.s+"-2012-W44-2012-W46.xlsx")
	path := filepath.Join(t.TempDir(), "authority.xlsx")
	if err := os.WriteFile(path, []byte(r.Body), 0o600); err != nil {
		t.Fatal(err)
	}
	sheets := officetest.Sheets(t, path)
	weeks := sheets["Uger"]
	want := [][]string{
		{"2012-W44", "2", "1", "1", "1", "50.0%", "1", "50.0%", "2", "4", "50.0%"},
		{"2012-W45", "0", "0", "0", "0", "", "0", "", "0", "4", "0.0%"},
		{"2012-W46", "2", "1", "1", "1", "50.0%", "1", "50.0%", "2", "4", "50.0%"},
		{"I alt", "4", "2", "2", "2", "50.0%", "2", "50.0%", "3", "12", "33.3%"},
	}
	if len(weeks) != 5 {
		t.Fatalf("LibreOffice shows %d rows of weeks: %q", len(weeks), weeks)
	}
	for i, w := range want {
		row := append(weeks[i+1], make([]string, 12)...)
		got := append([]string{row[0]}, row[2:12]...) // the Monday's date format is the locale's
		if !slices.Equal(got, w) {
			t.Errorf("LibreOffice shows %q, want %q", got, w)
		}
		if i < 3 && row[1] == "" {
			t.Errorf("week %s has no Monday", row[0])
		}
	}
	if about := sheets["Myndighed"]; len(about) != 2 || about[1][0] != "Styrelsen S" || about[1][1] != f.s {
		t.Errorf("LibreOffice shows the authority as %q", about)
	}
}
