package exports_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/reports/exports"
)

// isText fails unless the cell is a string cell (never a formula).
func isText(t *testing.T, f *excelize.File, sheet, cell, want string) {
	t.Helper()
	if formula, _ := f.GetCellFormula(sheet, cell); formula != "" {
		t.Errorf("%s!%s became the formula %q", sheet, cell, formula)
	}
	if typ, _ := f.GetCellType(sheet, cell); typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
		t.Errorf("%s!%s is a cell of type %v, want a string", sheet, cell, typ)
	}
	if got, _ := f.GetCellValue(sheet, cell); got != want {
		t.Errorf("%s!%s shows %q, want %q", sheet, cell, got, want)
	}
}

// isNumber fails unless the cell is a number cell holding want.
func isNumber(t *testing.T, f *excelize.File, sheet, cell, want string) {
	t.Helper()
	if typ, _ := f.GetCellType(sheet, cell); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("%s!%s is a cell of type %v, want a number", sheet, cell, typ)
	}
	if got, _ := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true}); got != want {
		t.Errorf("%s!%s holds %q, want %q", sheet, cell, got, want)
	}
}

// rowOf finds the row (1-based, as in the sheet) whose cells include all of want.
func rowOf(t *testing.T, rows [][]string, want ...string) int {
	t.Helper()
	for i, r := range rows {
		ok := true
		for _, w := range want {
			ok = ok && slices.Contains(r, w)
		}
		if ok {
			return i + 1
		}
	}
	t.Fatalf("no row with %q in %q", want, rows)
	return 0
}

func TestAnswersExportInEnglishWorkbook(t *testing.T) {
	f := newFixture(t)
	runJobs(t, f.env.App)
	manager := f.env.As(auth.RoleManager, "")
	manager.PostForm("/lang", map[string][]string{"lang": {"en"}, "next": {"/"}})
	s := export(t, manager, exports.Input{Kind: "answers", Format: "xlsx", From: "2012-W46", To: "2012-W46"})
	if s.RowsWritten != 9 || s.RowsTotal == nil || *s.RowsTotal != 9 || s.Percent != 100 {
		t.Errorf("rows %d of %v (%d %%), want 9 of 9 (5 answers of the first contact, 4 of the second)", s.RowsWritten, s.RowsTotal, s.Percent)
	}
	if s.FileName != "answers-2012-W46-2012-W46.xlsx" {
		t.Errorf("file name %q", s.FileName)
	}
	wb, sheets := sheetRows(t, download(t, manager, s))
	rows := sheets["Answers"]
	if len(rows) != 10 {
		t.Fatalf("sheets %v: want Answers with 10 rows", sheets)
	}
	if want := []string{"Week (wave)", "Company CVR", "Company", "Contact", "E-mail", "Question", "Answer", "Number", "Free text", "Submitted"}; !slices.Equal(rows[0], want) {
		t.Errorf("header %q, want %q", rows[0], want)
	}
	if panes, err := wb.GetPanes("Answers"); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header row not frozen: %+v %v", panes, err)
	}
	// The question texts and answer labels in English, never keys.
	kinds := rowOf(t, rows, "Which problems?")
	isText(t, wb, "Answers", fmt.Sprintf("G%d", kinds), "Creating the mailbox; Notifications")
	isText(t, wb, "Answers", fmt.Sprintf("C%d", kinds), riskyName)
	isText(t, wb, "Answers", fmt.Sprintf("D%d", kinds), riskyContact)
	used := rowOf(t, rows, "Has your company used the digital mailbox this week?", "Kim Hansen")
	isText(t, wb, "Answers", fmt.Sprintf("G%d", used), "No")
	ease := rowOf(t, rows, "Kim Hansen", "2")
	isNumber(t, wb, "Answers", fmt.Sprintf("H%d", ease), "2")
	comment := rowOf(t, rows, riskyComment)
	isText(t, wb, "Answers", fmt.Sprintf("I%d", comment), riskyComment)
	tabbed := rowOf(t, rows, riskyCaller)
	isText(t, wb, "Answers", fmt.Sprintf("I%d", tabbed), riskyCaller)
	if rows[comment-1][6] != "" {
		t.Errorf("free text also in the answer column: %q", rows[comment-1])
	}
	// Submitted at: a date-time number showing the Copenhagen wall clock (10:30 in November).
	if got, _ := wb.GetCellValue("Answers", fmt.Sprintf("J%d", comment)); got != "2012-11-13 10:30" {
		t.Errorf("submitted at shows %q, want 2012-11-13 10:30", got)
	}
	if typ, _ := wb.GetCellType("Answers", fmt.Sprintf("J%d", comment)); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("submitted at is a cell of type %v, want a number", typ)
	}

	// The export is in the audit log: who, what, period, rows.
	var entries []struct{ Actor, Action, Target, Detail string }
	f.env.As(auth.RoleAdmin, "").Get("/api/v1/audit?action=export").JSON(t, &entries)
	if len(entries) == 0 || !strings.Contains(entries[0].Detail, "answers export 2012-W46..2012-W46; done; 9 rows") || !strings.HasPrefix(entries[0].Actor, "manager") {
		t.Errorf("audit log: %+v", entries)
	}
}

func TestCallsExportAsDanishCSV(t *testing.T) {
	f := newFixture(t)
	runJobs(t, f.env.App)
	admin := f.env.As(auth.RoleAdmin, "")
	s := export(t, admin, exports.Input{Kind: "calls", Format: "csv", From: "2012-W45", To: "2012-W47"})
	rows := csvRows(t, download(t, admin, s))
	if len(rows) != 3 || s.RowsWritten != 2 {
		t.Fatalf("%d rows (%d written), want a header and 2 calls: %q", len(rows), s.RowsWritten, rows)
	}
	col := func(name string) int {
		i := slices.Index(rows[0], name)
		if i < 0 {
			t.Fatalf("no column %q in %q", name, rows[0])
		}
		return i
	}
	risky := rowOf(t, rows, f.risky) - 1
	for name, want := range map[string]string{
		"Virksomhed": "'" + riskyName, "Opringer": "'=1+1", "Opringerens rolle": "'=2+2", // support trims the tab and CR; still risky "Beskrivelse": "'" + riskyNote,
		"Support": "Portalens support", "Kategori": "Notifikationer", "Udfald": "Løst", "Varighed (minutter)": "12",
		"Modtaget": "2012-11-13 10:30:00", "Uge": "2012-W46", "Opfølgning nødvendig": "Nej", "Version": "1",
	} {
		if got := rows[risky][col(name)]; got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	plain := rowOf(t, rows, f.plain) - 1
	if got := rows[plain][col("Udfald")]; got != "Eskaleret" {
		t.Errorf("resolution %q, want Eskaleret", got)
	}
}

func TestEventsExportIsScopedToTheAuthority(t *testing.T) {
	f := newFixture(t)
	runJobs(t, f.env.App)
	authorityA := f.env.Bearer(f.env.TokenFor(f.env.User(auth.RoleAuthority, f.a)))
	period := exports.Input{Kind: "events", Format: "xlsx", From: "2012-W46", To: "2012-W47"}

	// Naming another authority: 404, and no job.
	other := period
	other.Authority = f.b
	if resp := authorityA.SendJSON("POST", "/api/v1/reports/exports", other); resp.StatusCode != 404 || strings.Contains(resp.Body, "Kommune B") {
		t.Fatalf("authority A asking for B's events: %d %s, want 404", resp.StatusCode, resp.Body)
	}
	// Answers and calls are not for authority users.
	if resp := authorityA.SendJSON("POST", "/api/v1/reports/exports", exports.Input{Kind: "answers", From: "2012-W46", To: "2012-W46"}); resp.StatusCode != 400 || !strings.Contains(resp.Body, `"field":"kind"`) {
		t.Errorf("authority asking for answers: %d %s, want 400 naming kind", resp.StatusCode, resp.Body)
	}

	// Its own events only, without naming the authority.
	s := export(t, authorityA, period)
	_, sheets := sheetRows(t, download(t, authorityA, s))
	rows := sheets["Hændelser"]
	if len(rows) != 4 {
		t.Fatalf("authority A's export: %q, want a header and its 3 events of the period", rows)
	}
	for _, r := range rows[1:] {
		if r[5] != f.a || r[6] != "Styrelsen A" || r[4] != riskyName || r[2] != "Meddelelse sendt" || r[7] != "Digital post" || r[8] != "Ja" || r[9] != "Nej" || r[11] != riskyNote || r[12] != riskyRole {
			t.Errorf("row %q", r)
		}
	}
	if rows[1][1] != "2012-11-13 10:30" || rows[3][1] != "2012-11-13 12:30" {
		t.Errorf("times %q, %q: want the Copenhagen wall clock in time order", rows[1][1], rows[3][1])
	}

	// A manager may name B, and gets B's only.
	manager := f.env.As(auth.RoleManager, "")
	mb := export(t, manager, other)
	if mb.RowsWritten != 2 {
		t.Errorf("B's events: %d rows, want 2", mb.RowsWritten)
	}
	// Every authority: all 5 of the period.
	all := export(t, manager, period)
	if all.RowsWritten != 5 {
		t.Errorf("every authority's events: %d rows, want 5", all.RowsWritten)
	}

	// Another user's job is 404 (status, page and file), for another
	// manager as for the authority user; an admin sees it.
	another := f.env.As(auth.RoleManager, "")
	for _, path := range []string{fmt.Sprintf("/api/v1/reports/jobs/%d", mb.ID), fmt.Sprintf("/reports/jobs/%d", mb.ID), mb.Download,
		fmt.Sprintf("/api/v1/reports/jobs/%d/file", mb.ID)} {
		if resp := another.Get(path); resp.StatusCode != 404 {
			t.Errorf("another manager GET %s: %d, want 404", path, resp.StatusCode)
		}
		if resp := authorityA.Get(path); resp.StatusCode != 404 {
			t.Errorf("authority A GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
	if resp := f.env.As(auth.RoleAdmin, "").Get(mb.Download); resp.StatusCode != 200 {
		t.Errorf("admin download: %d", resp.StatusCode)
	}
	// The authority's listing holds its own job only.
	var list []exports.Status
	authorityA.Get("/api/v1/reports/jobs").JSON(t, &list)
	if len(list) != 1 || list[0].ID != s.ID {
		t.Errorf("authority A lists %+v, want only job %d", list, s.ID)
	}
}

func TestExportFormRejectsBadInputByField(t *testing.T) {
	f := newFixture(t)
	manager := f.env.As(auth.RoleManager, "")
	resp := manager.SendJSON("POST", "/api/v1/reports/exports", exports.Input{Kind: "events", Format: "pdf", From: "2012-W50", To: "2012-W46", Authority: "12345678"})
	if resp.StatusCode != 400 {
		t.Fatalf("%d %s", resp.StatusCode, resp.Body)
	}
	for _, field := range []string{"format", "to", "authority"} {
		if !strings.Contains(resp.Body, `"field":"`+field+`"`) {
			t.Errorf("no error on %s: %s", field, resp.Body)
		}
	}
	page := manager.PostForm("/reports/exports", map[string][]string{"kind": {"calls"}, "format": {"csv"}, "from": {"uge 7"}, "to": {"2012-W46"}})
	if page.StatusCode != 400 || !strings.Contains(page.Body, "er ikke en uge") || !strings.Contains(page.Body, `value="uge 7"`) {
		t.Errorf("form with a bad week: %d %s", page.StatusCode, page.Body)
	}
	// A good form redirects to the job page, which refreshes itself (no
	// JavaScript needed) while the job waits: no pool runs in this test.
	page = manager.PostForm("/reports/exports", map[string][]string{"kind": {"calls"}, "format": {"csv"}, "from": {"2012-W46"}, "to": {"2012-W46"}})
	if page.StatusCode != 303 || !strings.HasPrefix(page.Header.Get("Location"), "/reports/jobs/") {
		t.Fatalf("form: %d %s", page.StatusCode, page.Header.Get("Location"))
	}
	job := manager.Get(page.Header.Get("Location"))
	if job.StatusCode != 200 || !strings.Contains(job.Body, `<meta http-equiv="refresh" content="2">`) || !strings.Contains(job.Body, "<progress") {
		t.Errorf("job page: %d %s", job.StatusCode, job.Body)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(page.Header.Get("Location"), "/reports/jobs/"), 10, 64)
	runJobs(t, f.env.App)
	waitFinished(t, manager, id)
	job = manager.Get(page.Header.Get("Location"))
	if strings.Contains(job.Body, `http-equiv="refresh"`) || !strings.Contains(job.Body, `id="download"`) {
		t.Errorf("done job page still refreshes or has no download: %s", job.Body)
	}
	list := manager.Get("/reports")
	if !strings.Contains(list.Body, "supportopkald-2012-W46-2012-W46.csv") {
		t.Errorf("/reports does not list the file: %s", list.Body)
	}
}
