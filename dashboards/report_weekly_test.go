package dashboards_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/pilotpulse/pilotpulse/dashboards"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/reports"
	"github.com/pilotpulse/pilotpulse/reports/officetest"
	"github.com/pilotpulse/pilotpulse/support"
	"github.com/pilotpulse/pilotpulse/survey"
)

// workbook is a weekly workbook read back: its sheets' raw cell values.
type workbook struct {
	t     *testing.T
	f     *excelize.File
	raw   []byte
	names []string
}

func openWorkbook(t *testing.T, raw []byte) workbook {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return workbook{t: t, f: f, raw: raw, names: f.GetSheetList()}
}

// getWorkbook downloads the weekly workbook as c.
func getWorkbook(t *testing.T, c *apptest.Client, query string) (workbook, apptest.Response) {
	t.Helper()
	r := c.Get(dashboards.WeeklyReportPath + query)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("%s%s: %d %.300s", dashboards.WeeklyReportPath, query, r.StatusCode, r.Body)
	}
	return openWorkbook(t, []byte(r.Body)), r
}

// rows are the sheet's rows, raw values (numbers unformatted).
func (wb workbook) rows(sheet string) [][]string {
	wb.t.Helper()
	rows, err := wb.f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		wb.t.Fatalf("sheet %q: %v (sheets %q)", sheet, err, wb.names)
	}
	return rows
}

// row is the first row of the sheet whose first cell is label (and whose
// second is second, when given), from the first cell on; it fails the
// test when there is none.
func (wb workbook) row(sheet string, label ...string) []string {
	wb.t.Helper()
	for _, r := range wb.rows(sheet) {
		if len(r) >= len(label) && slices.Equal(r[:len(label)], label) {
			return r
		}
	}
	wb.t.Fatalf("sheet %q has no row %q", sheet, label)
	return nil
}

// table is the rows of the sheet's table whose header starts with
// header, up to the empty row after it.
func (wb workbook) table(sheet, header string) [][]string {
	wb.t.Helper()
	var out [][]string
	in := false
	for _, r := range wb.rows(sheet) {
		switch {
		case in && (len(r) == 0 || r[0] == "" && len(r) == 1):
			return out
		case in:
			out = append(out, r)
		case len(r) > 0 && r[0] == header:
			in = true
		}
	}
	if !in {
		wb.t.Fatalf("sheet %q has no table %q", sheet, header)
	}
	return out
}

// checkRow fails unless the row of label holds want after the label's cells.
func (wb workbook) checkRow(sheet string, label []string, want ...string) {
	wb.t.Helper()
	got := wb.row(sheet, label...)[len(label):]
	for len(got) < len(want) {
		got = append(got, "")
	}
	for i, w := range want {
		if !sameNumber(got[i], w) {
			wb.t.Errorf("%s %q: %q, want %q", sheet, label, got[:len(want)], want)
			return
		}
	}
}

// sameNumber compares two cell values, as numbers when both are.
func sameNumber(a, b string) bool {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil {
		return fmt.Sprintf("%.6f", x) == fmt.Sprintf("%.6f", y)
	}
	return a == b
}

// cellType is the type of the cell in the row of label, column col (1 is A).
func (wb workbook) cellType(sheet string, label string, col int) excelize.CellType {
	wb.t.Helper()
	for i, r := range wb.rows(sheet) {
		if len(r) > 0 && r[0] == label {
			name, _ := excelize.CoordinatesToCellName(col, i+1)
			typ, err := wb.f.GetCellType(sheet, name)
			if err != nil {
				wb.t.Fatal(err)
			}
			return typ
		}
	}
	wb.t.Fatalf("sheet %q has no row %q", sheet, label)
	return 0
}

// parts are the files inside the .xlsx (a zip) by name.
func (wb workbook) parts() map[string]string {
	wb.t.Helper()
	z, err := zip.NewReader(bytes.NewReader(wb.raw), int64(len(wb.raw)))
	if err != nil {
		wb.t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			wb.t.Fatal(err)
		}
		b, _ := io.ReadAll(r)
		r.Close()
		out[f.Name] = string(b)
	}
	return out
}

func cellText(v any) string { return fmt.Sprint(v) }

// The weekly workbook of the constructed pilot (overviewFixture), week
// 2012-W46: every sheet's key figures equal the known answers and the JSON
// routes' figures for the same week; numbers are number cells; questions
// and answers are texts, not keys; the charts are there and read the trend
// sheet; the route is for admins and managers, audited, names the file in
// the reader's language and refuses a bad week; English headers.
func TestWeeklyWorkbook(t *testing.T) {
	f := newOverviewFixture(t)
	manager := f.env.As(auth.RoleManager, "")
	wb, resp := getWorkbook(t, manager, "?week=2012-W46")
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="pilotpulse-uge-2012-W46.xlsx"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	if ct := resp.Header.Get("Content-Type"); ct != reports.XLSXContentType {
		t.Errorf("Content-Type %q", ct)
	}
	want := []string{"Oversigt", "Udvikling", "Opsætningsproblemer", "Supportopkald", "Spørgeskema", "Svarprocent", "Volumen pr. myndighed", "Adoptionstragt", "Definitioner"}
	if !slices.Equal(wb.names, want) {
		t.Fatalf("sheets %q, want %q", wb.names, want)
	}

	// The JSON routes of the same week.
	ov := getJSON[dashboards.Overview](t, manager, "/api/v1/metrics/overview?week=2012-W46")
	now, before := ov.Pilot.Period, ov.Pilot.PreviousPeriod
	review := getJSON[dashboards.Review](t, manager, "/api/v1/metrics/week-in-review?from=2012-W46&to=2012-W46")
	setup := getJSON[dashboards.SetupProblems](t, manager, "/api/v1/metrics/setup-problems?from=2012-W46&to=2012-W46")
	followUps := getJSON[dashboards.FollowUps](t, manager, "/api/v1/metrics/follow-ups?from=2012-W46&to=2012-W46")
	calls := getJSON[support.Report](t, manager, "/api/v1/support/figures?from=2012-W45&to=2012-W46")
	results := getJSON[survey.QuestionResults](t, manager, "/api/v1/survey/waves/2012-W46/results")
	ranking := getJSON[dashboards.VolumeRanking](t, manager, "/api/v1/metrics/volume/ranking?from=2012-W46&to=2012-W46")
	adoption := getJSON[dashboards.Adoption](t, manager, "/api/v1/metrics/adoption?from=2012-W46&to=2012-W46")

	// Summary: known answers (overview_test.go) and the overview's figures.
	s := "Oversigt"
	wb.checkRow(s, []string{"Virksomheder med opsætningsproblemer"}, "3", "2", "1")
	wb.checkRow(s, []string{"Virksomheder med opsætningsproblemer"}, cellText(now.SetupProblems.Part), cellText(before.SetupProblems.Part))
	wb.checkRow(s, []string{"Virksomheder med opsætningsproblemer, til og med ugen"}, "4", "2", "2")
	wb.checkRow(s, []string{"Virksomheder der ringede til support"}, "2", "2", "0")
	wb.checkRow(s, []string{"Opkald"}, "3", "3", "0")
	wb.checkRow(s, []string{"Opkald"}, cellText(now.Calls), cellText(before.Calls))
	wb.checkRow(s, []string{"Besvarede invitationer"}, "3", "2", "1")
	wb.checkRow(s, []string{"Meddelelser sendt"}, "15", "5", "10")
	wb.checkRow(s, []string{"Meddelelser sendt"}, cellText(*now.Messages), cellText(*before.Messages))
	wb.checkRow(s, []string{"Andel med opsætningsproblemer"}, "0.75", "0.5", "25")
	wb.checkRow(s, []string{"Andel med opsætningsproblemer"}, cellText(now.SetupProblems.Share), cellText(before.SetupProblems.Share))
	wb.checkRow(s, []string{"Svarprocent for spørgeskemaet"}, "0.6", "0.4", "20")
	wb.checkRow(s, []string{"Ikke løst: Portalens support"}, "0.5", "0", "50")
	wb.checkRow(s, []string{"Hvor let postkassen er at bruge (1-5)"}, cellText((4.0+2+5)/3), "3.5")
	wb.checkRow(s, []string{"Hvor let postkassen er at bruge (1-5)"}, cellText(*now.Ease), cellText(*before.Ease))
	for _, line := range append([]string{review.Heading}, review.Sentences...) {
		wb.row(s, line)
	}
	wb.row(s, "3 af 4 virksomheder havde problemer med at oprette eller opsætte postkassen (+1 siden uge 45).")
	for _, c := range []struct {
		label string
		col   int
	}{{"Virksomheder med opsætningsproblemer", 2}, {"Andel med opsætningsproblemer", 2}, {"Andel med opsætningsproblemer", 4}, {"Meddelelser sendt", 3}} {
		if typ := wb.cellType(s, c.label, c.col); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("%s %q column %d is of type %v, want a number", s, c.label, c.col, typ)
		}
	}
	if typ := wb.cellType(s, "Opkald", 1); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
		t.Errorf("a label is of type %v, want a string", typ)
	}
	if panes, err := wb.f.GetPanes(s); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("the summary's header is not frozen: %+v %v", panes, err)
	}

	// Trends and the charts over them.
	wb.checkRow("Udvikling", []string{"2012-W45"}, "0.5", "0.5", "2", "3", "0.4", "5")
	wb.checkRow("Udvikling", []string{"2012-W46"}, "0.75", "1", "2", "3", "0.6", "15")
	parts := wb.parts()
	charts := map[string]string{}
	for name, body := range parts {
		if strings.HasPrefix(name, "xl/charts/chart") {
			charts[name] = html.UnescapeString(body)
		}
	}
	if len(charts) != 3 {
		t.Fatalf("%d charts, want 3 (setup problems, callers, volume)", len(charts))
	}
	for _, want := range []struct{ title, values string }{
		{"Andel virksomheder med opsætningsproblemer pr. uge", "'Udvikling'!$B$2:$B$3"},
		{"Virksomheder der ringede og opkald pr. uge", "'Udvikling'!$D$2:$D$3"},
		{"Meddelelser sendt pr. uge", "'Udvikling'!$G$2:$G$3"},
	} {
		found := false
		for _, body := range charts {
			if strings.Contains(body, want.title) && strings.Contains(body, want.values) && strings.Contains(body, "'Udvikling'!$A$2:$A$3") {
				found = true
			}
		}
		if !found {
			t.Errorf("no chart titled %q over %s", want.title, want.values)
		}
	}
	if !strings.Contains(parts["xl/worksheets/sheet2.xml"], "<drawing ") {
		t.Error("the trend sheet holds no drawing (the charts)")
	}

	// Setup problems and the follow-up list.
	s = "Opsætningsproblemer"
	wb.checkRow(s, []string{"2012-W46"}, "3", "4", "0.75", "2", "1", "1")
	wb.checkRow(s, []string{"2012-W46"}, cellText(setup.Total.Problems.Part), cellText(setup.Companies), cellText(setup.Total.Problems.Share),
		cellText(setup.Total.Sources.Answers), cellText(setup.Total.Sources.Calls), cellText(*setup.Total.Sources.Events))
	wb.checkRow(s, []string{"2012-W45"}, cellText(setup.Previous.Problems.Part))
	wb.checkRow(s, []string{"Supportopkald", "Rettigheder og roller"}, "1")
	for _, c := range setup.Problems {
		wb.row(s, c.Name, c.CVR)
	}
	if len(followUps.Rows) == 0 {
		t.Fatal("the fixture has no follow-ups")
	}
	listed := wb.table(s, "Opfølgning i uge 2012-W46")
	if len(listed) != len(followUps.Rows) {
		t.Errorf("follow-up list %q, want %d rows", listed, len(followUps.Rows))
	}
	for i, r := range followUps.Rows {
		if i < len(listed) && (listed[i][0] != r.Name || listed[i][1] != r.CVR || listed[i][3] != cellText(len(r.Calls)) || listed[i][2] == "") {
			t.Errorf("follow-up %q, want %s %s with %d calls", listed[i], r.Name, r.CVR, len(r.Calls))
		}
	}

	// Support calls: by category, desk and resolution as the support
	// figures; weekly callers as the overview says them.
	s = "Supportopkald"
	w46, w45 := calls.Weeks[1], calls.Weeks[0]
	wb.checkRow(s, []string{"Rettigheder og roller"}, "1", "0")
	wb.checkRow(s, []string{"Andet"}, cellText(w46.ByCategory["other"]), cellText(w45.ByCategory["other"]))
	wb.checkRow(s, []string{"Andet"}, "1", "1") // W45: the municipality's call is not one of the pilot's companies'
	wb.checkRow(s, []string{"Portalens support"}, "2", "1", "0.5")
	wb.checkRow(s, []string{"Portalens support"}, cellText(w46.ByDesk["portal"]), cellText(w46.NotSolvedByDesk["portal"].Part))
	wb.checkRow(s, []string{"Eskaleret"}, cellText(w46.ByResolution["escalated"]))
	wb.checkRow(s, []string{"2012-W46"}, "2", "4", "0.5", "2 af 4 virksomheder (50,0 %)")

	// Questionnaire results: texts and labels, never keys.
	s = "Spørgeskema"
	setupQ := "Har I haft problemer med at oprette eller opsætte postkassen i denne uge?"
	wb.checkRow(s, []string{setupQ, "Ja"}, "2", cellText(2.0/3))
	wb.checkRow(s, []string{setupQ, "Nej"}, "1", cellText(1.0/3))
	wb.checkRow(s, []string{setupQ, "Besvaret i alt"}, "3")
	for _, q := range results.Questions {
		for _, o := range q.Options {
			if q.Answered > 0 {
				wb.checkRow(s, []string{q.Question, o.Label}, cellText(o.Count), cellText(o.Share))
			}
		}
	}
	for _, r := range wb.rows(s) {
		for _, cell := range r {
			if cell == survey.KeySetupProblem || cell == "yes" || cell == "search_folders" {
				t.Errorf("the questionnaire sheet shows the key %q: %q", cell, r)
			}
		}
	}
	wb.row(s, "Kommentarer", "Firma C", f.c, "Det ville være rart at se HVEM DER HAR GJORT HVAD <b>nu</b>, og en Log.")

	// Response rate and the non-respondents (Firma B and the municipality).
	s = "Svarprocent"
	wb.checkRow(s, []string{"2012-W46"}, "5", "3", "0.6", "5", "3", "0.6")
	wb.checkRow(s, []string{"2012-W45"}, "5", "2", "0.4")
	wb.checkRow(s, []string{"2012-W46"}, cellText(ov.Pilot.Period.ResponseRate.Whole), cellText(ov.Pilot.Period.ResponseRate.Part), cellText(ov.Pilot.Period.ResponseRate.Share))
	wb.row(s, "Firma B", f.b)
	wb.row(s, "Firma E", f.m)

	// Volume per authority: the ranking of the week.
	s = "Volumen pr. myndighed"
	wb.checkRow(s, []string{"1", "Styrelsen X", f.x}, "stat", "12", "12", "0", "0", "0", "1000", "0.012", "5")
	for _, r := range ranking.Rows {
		wb.checkRow(s, []string{cellText(r.Rank), cmpOr(r.AuthorityName, "CVR "+r.AuthorityCVR), r.AuthorityCVR}, wb.row(s, cellText(r.Rank), cmpOr(r.AuthorityName, "CVR "+r.AuthorityCVR))[3], cellText(r.Messages))
	}
	wb.checkRow(s, []string{"2", scriptName, f.y}, "kommune", "3")

	// Adoption funnel as of Sunday 2012-11-18.
	s = "Adoptionstragt"
	wb.checkRow(s, []string{"I piloten"}, "4", "1", "4", "0")
	for _, st := range adoption.Steps {
		wb.checkRow(s, []string{wb.rows(s)[1+slices.IndexFunc(adoption.Steps, func(x dashboards.AdoptionStep) bool { return x.Step == st.Step })][0]}, cellText(st.Reached.Part), cellText(st.Reached.Share), cellText(st.Previous.Part), cellText(st.Change))
	}

	// Definitions: every figure, each with its anchor in docs/figures.md.
	doc, err := os.ReadFile(filepath.Join("..", "docs", "figures.md"))
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^#+ (.+)$`).FindAllStringSubmatch(string(doc), -1) {
		anchors[strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(m[1]), "-"), "-")] = true
	}
	defs := wb.rows("Definitioner")
	if len(defs) != len(dashboards.WeeklyDefinitions)+1 {
		t.Errorf("%d definitions, want %d", len(defs)-1, len(dashboards.WeeklyDefinitions))
	}
	for _, d := range defs[1:] {
		anchor := strings.TrimPrefix(d[2], "docs/figures.md#")
		if !anchors[anchor] || strings.HasPrefix(d[0], "report.") || strings.HasPrefix(d[1], "report.") || len(d[1]) < 30 {
			t.Errorf("definition %q: anchor in docs/figures.md %v", d, anchors[anchor])
		}
	}

	// English: sheet names and headers in the reader's language.
	en, resp := getWorkbook(t, manager, "?week=2012-W46&lang=en")
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="pilotpulse-week-2012-W46.xlsx"` {
		t.Errorf("English Content-Disposition %q", cd)
	}
	if en.names[0] != "Summary" || en.names[8] != "Definitions" {
		t.Errorf("English sheets %q", en.names)
	}
	en.checkRow("Summary", []string{"Figure"}, "Week 2012-W46", "Week 2012-W45", "Change")
	en.checkRow("Summary", []string{"Companies with setup problems"}, "3", "2", "1")
	en.checkRow("Questionnaire results", []string{"Have you had problems creating or setting up the mailbox this week?", "Yes"}, "2")
	en.checkRow("Support calls", []string{"Category"}, "Week 2012-W46", "Week 2012-W45")

	// The route: admins and managers; support and authority users are
	// refused by the route table (403); a bad week names the field.
	getWorkbook(t, f.env.As(auth.RoleAdmin, ""), "")
	for _, c := range []*apptest.Client{f.env.As(auth.RoleSupport, ""), f.env.As(auth.RoleAuthority, f.x)} {
		if r := c.Get(dashboards.WeeklyReportPath + "?week=2012-W46"); r.StatusCode != http.StatusForbidden {
			t.Errorf("support/authority: %d, want 403", r.StatusCode)
		}
	}
	bad := manager.Get(dashboards.WeeklyReportPath + "?week=2012-W99")
	if bad.StatusCode != http.StatusBadRequest || !strings.Contains(bad.Body, `"field":"week"`) {
		t.Errorf("bad week: %d %s", bad.StatusCode, bad.Body)
	}
	entries, err := f.env.App.Audit.List(context.Background(), audit.Filter{Action: audit.Export})
	if err != nil {
		t.Fatal(err)
	}
	var audited []string
	for _, e := range entries {
		if e.Target == "weekly workbook" {
			audited = append(audited, e.Detail)
		}
	}
	if len(audited) != 3 || !strings.Contains(strings.Join(audited, "|"), "week 2012-W46, language en") {
		t.Errorf("audit log: %q", audited)
	}

	// The overview offers the download of its week to admins and managers only.
	link := `href="/api/v1/reports/weekly?week=2012-W46" download>Hent ugerapporten for 2012-W46 (Excel)</a>`
	for role, want := range map[auth.Role]bool{auth.RoleManager: true, auth.RoleAdmin: true, auth.RoleSupport: false} {
		if got := strings.Contains(f.env.As(role, "").Get("/").Body, link); got != want {
			t.Errorf("%s: the overview offers the workbook: %v, want %v", role, got, want)
		}
	}

	// The Reader writes the same workbook (the CLI builds it so).
	var buf bytes.Buffer
	written, err := dashboards.NewReader(f.env.App.DashboardDeps()).WeeklyWorkbook(context.Background(), &auth.Principal{Role: auth.RoleManager}, week.MustParse("2012-W46"), "da", &buf)
	if err != nil || written.String() != "2012-W46" {
		t.Fatalf("Reader: %s %v", written, err)
	}
	same := openWorkbook(t, buf.Bytes())
	for _, name := range wb.names {
		if fmt.Sprint(same.rows(name)) != fmt.Sprint(wb.rows(name)) {
			t.Errorf("the Reader's sheet %q differs from the route's", name)
		}
	}
	for _, role := range []auth.Role{auth.RoleSupport, auth.RoleAuthority} {
		if _, err := dashboards.NewReader(f.env.App.DashboardDeps()).WeeklyWorkbook(context.Background(), &auth.Principal{Role: role, AuthorityCVR: f.x}, week.Week{}, "da", io.Discard); !errors.Is(err, problem.ErrForbidden) {
			t.Errorf("Reader as %s: %v, want forbidden", role, err)
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Text from users stays text: a company named like a formula and free
// text starting with + @ - are string cells with their text intact, in
// excelize and as LibreOffice shows them (one conversion), beside the
// figures of the constructed week as LibreOffice formats them.
func TestWeeklyWorkbookUserTextAndLibreOffice(t *testing.T) {
	env := apptest.New(t)
	evilName := `=HYPERLINK("http://evil","x")`
	evil := addCompany(t, env, "4300001", evilName, "company", "")
	plus := addCompany(t, env, "4300002", "Plus ApS", "company", "")
	minus := addCompany(t, env, "4300003", "Minus A/S", "company", "")
	texts := map[string]string{evil: "+1+1", plus: "@SUM(A1)", minus: "-2+3"}
	answers := map[string]map[string]string{}
	for cvr, text := range texts {
		setup := "no"
		if cvr == evil {
			setup = "yes"
		}
		answers[cvr] = map[string]string{survey.KeyUsedMailbox: "yes", survey.KeySetupProblem: setup, survey.KeyEase: "4", survey.KeyComments: text}
	}
	answerWave(t, env, "2012-W46", answers)
	wb, _ := getWorkbook(t, env.As(auth.RoleAdmin, ""), "?week=2012-W46")

	risky := []string{evilName, "+1+1", "@SUM(A1)", "-2+3"}
	seen := map[string]int{}
	for _, sheet := range wb.names {
		for i, r := range wb.rows(sheet) {
			for j, v := range r {
				if !slices.Contains(risky, v) {
					continue
				}
				seen[v]++
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if formula, _ := wb.f.GetCellFormula(sheet, cell); formula != "" {
					t.Errorf("%s!%s %q became the formula %q", sheet, cell, v, formula)
				}
				if typ, _ := wb.f.GetCellType(sheet, cell); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
					t.Errorf("%s!%s %q is a cell of type %v, want a string", sheet, cell, v, typ)
				}
			}
		}
	}
	// The company's name: its free text, the setup problems, the follow-ups
	// (new problem); each free text once.
	if seen[evilName] < 3 || seen["+1+1"] != 1 || seen["@SUM(A1)"] != 1 || seen["-2+3"] != 1 {
		t.Errorf("risky texts seen %v", seen)
	}
	wb.row("Spørgeskema", "Kommentarer", evilName, evil, "+1+1")

	path := filepath.Join(t.TempDir(), "uge.xlsx")
	if err := os.WriteFile(path, wb.raw, 0o644); err != nil {
		t.Fatal(err)
	}
	shown := officetest.Sheets(t, path)
	find := func(sheet string, cells ...string) []string {
		t.Helper()
		for _, r := range shown[sheet] {
			if len(r) >= len(cells) && slices.Equal(r[:len(cells)], cells) {
				return r
			}
		}
		t.Errorf("LibreOffice shows no row %q in %q: %q", cells, sheet, shown[sheet])
		return nil
	}
	find("Oversigt", "Virksomheder med opsætningsproblemer", "1", "0", "1")
	find("Oversigt", "Andel med opsætningsproblemer", "33.3%", "0.0%", "33.3")
	find("Oversigt", "Svarprocent for spørgeskemaet", "100.0%")
	find("Oversigt", "Hvor let postkassen er at bruge (1-5)", "4.0")
	find("Spørgeskema", "Kommentarer", evilName, evil, "+1+1")
	find("Spørgeskema", "Kommentarer", "Minus A/S", minus, "-2+3")
	find("Spørgeskema", "Kommentarer", "Plus ApS", plus, "@SUM(A1)")
	find("Spørgeskema", "Har I haft problemer med at oprette eller opsætte postkassen i denne uge?", "Ja", "1", "33.3%")
	find("Opsætningsproblemer", evilName, evil, "Ja", "Nej", "Nej")
	find("Udvikling", "2012-W46", "33.3%", "33.3%", "0", "0", "100.0%")
}
