package exports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/pilotpulse/pilotpulse/internal/app"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/reports/exports"
	"github.com/pilotpulse/pilotpulse/support"
	"github.com/pilotpulse/pilotpulse/survey"
)

func TestMain(m *testing.M) { code := m.Run(); warehousetest.Shutdown(); os.Exit(code) }

// The formula-injection cases of issue 11.
var (
	riskyName    = `=HYPERLINK("http://evil.example","klik")`
	riskyComment = "+1+1"
	riskyContact = "@SUM(A1)"
	riskyNote    = "-2+3"
	riskyCaller  = "\t=1+1"
	riskyRole    = "\r=2+2"
)

func cvr(t testing.TB, stem string) string {
	t.Helper()
	c, ok := registry.CompleteCVR(stem)
	if !ok {
		t.Fatalf("no CVR for %s", stem)
	}
	return c
}

// fixture is a pilot with known content: two authorities (A with 3 events
// in 2012-W46, B with 2, and one of A's in 2012-W50, outside the period),
// two companies (one named like a formula) with a contact each, both
// contacts' answers to wave 2012-W46, and two support calls that week.
type fixture struct {
	env          *apptest.Env
	a, b         string // authority CVRs
	risky, plain string // company CVRs
	at           time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := apptest.New(t)
	f := &fixture{env: env, a: env.Authority(cvr(t, "1234567"), "Styrelsen A"), b: env.Authority(cvr(t, "7654321"), "Kommune B"),
		risky: cvr(t, "3000001"), plain: cvr(t, "3000002"), at: time.Date(2012, 11, 13, 9, 30, 0, 0, time.UTC)}
	ctx := context.Background()
	db := env.App.DB
	for i, c := range []struct{ cvr, name, contact, email string }{
		{f.risky, riskyName, riskyContact, "risky@example.test"},
		{f.plain, "Nordsø A/S", "Kim Hansen", "kim@example.test"},
	} {
		var id int64
		if err := db.QueryRowContext(ctx, `INSERT INTO companies (cvr, name, kind, created_at, updated_at) VALUES (?, ?, 'company', datetime('now'), datetime('now')) RETURNING id`,
			c.cvr, c.name).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO contacts (company_id, position, name, email) VALUES (?, ?, ?, ?)`, id, i, c.contact, c.email); err != nil {
			t.Fatal(err)
		}
	}

	// Answers: both contacts submit in wave 2012-W46.
	st := env.App.Survey.Store
	st.Now = func() time.Time { return f.at }
	w, n, err := st.CreateWave(ctx, "2012-W46", "test")
	if err != nil || n != 2 {
		t.Fatalf("wave: %d invited, %v", n, err)
	}
	invs, err := st.Invitations(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range invs {
		values := map[string]string{survey.KeyUsedMailbox: "yes", survey.KeySetupProblem: "yes",
			survey.KeySetupProblemKinds: `["creating_mailbox","notifications"]`, survey.KeyEase: "4", survey.KeyComments: riskyComment}
		if inv.CompanyCVR == f.plain {
			values = map[string]string{survey.KeyUsedMailbox: "no", survey.KeySetupProblem: "no", survey.KeyEase: "2", survey.KeyComments: riskyCaller}
		}
		if err := st.Save(ctx, inv, w, values, true); err != nil {
			t.Fatal(err)
		}
	}

	// Support calls.
	dur := int64(12)
	for _, in := range []support.Input{
		{CompanyCVR: f.risky, CallerName: riskyCaller, CallerRole: riskyRole, ReceivedAt: &f.at, Desk: "portal", Channel: "phone",
			Category: "notifications", Description: riskyNote, Resolution: "resolved", DurationMinutes: &dur},
		{CompanyCVR: f.plain, CallerName: "Kim Hansen", ReceivedAt: &f.at, Desk: "mailbox_operator", Channel: "email",
			Category: "other", Description: "Spørgsmål om mapper", Resolution: "escalated"},
	} {
		if _, err := env.App.Support.Create(ctx, in, "test"); err != nil {
			t.Fatal(err)
		}
	}

	// Events.
	batch, err := env.App.CH.PrepareBatch(ctx, `INSERT INTO events (source, event_id, occurred_at, received_at, type, company_cvr, authority_cvr, channel,
		has_metadata, has_deep_link, by_rule, message_ref, user_ref, rights_model, reason, folder, role, batch_id)`)
	if err != nil {
		t.Fatal(err)
	}
	yes, no := uint8(1), uint8(0)
	for i, e := range []struct {
		authority string
		at        time.Time
	}{{f.a, f.at}, {f.a, f.at.Add(time.Hour)}, {f.a, f.at.Add(2 * time.Hour)}, {f.b, f.at}, {f.b, f.at.Add(time.Minute)}, {f.a, f.at.AddDate(0, 0, 28)}} {
		if err := batch.Append("test", fmt.Sprint("e", i), e.at, e.at, "message.sent", f.risky, e.authority, "digital",
			&yes, &no, nil, riskyNote, riskyRole, "", "", "", "", uint64(0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := batch.Send(); err != nil {
		t.Fatal(err)
	}
	return f
}

// runJobs runs the app's report jobs until the test ends.
func runJobs(t *testing.T, a *app.App) {
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { a.RunJobs(ctx, app.JobReports) })
	t.Cleanup(func() { stop(); wg.Wait() })
}

// export starts an export as c and waits until it is finished.
func export(t *testing.T, c *apptest.Client, in exports.Input) exports.Status {
	t.Helper()
	resp := c.SendJSON("POST", "/api/v1/reports/exports", in)
	if resp.StatusCode != 202 {
		t.Fatalf("start export: %d %s", resp.StatusCode, resp.Body)
	}
	var s exports.Status
	resp.JSON(t, &s)
	return waitFinished(t, c, s.ID)
}

// waitFinished polls the job's status until it is done or failed.
func waitFinished(t *testing.T, c *apptest.Client, id int64) exports.Status {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		var s exports.Status
		c.Get(fmt.Sprintf("/api/v1/reports/jobs/%d", id)).JSON(t, &s)
		if s.State == "done" || s.State == "failed" {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d still %s after a minute", id, s.State)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, not timing it
	}
}

// download fetches a done job's file.
func download(t *testing.T, c *apptest.Client, s exports.Status) []byte {
	t.Helper()
	if s.State != "done" {
		t.Fatalf("job %d is %s: %s", s.ID, s.State, s.Error)
	}
	resp := c.Get(s.Download)
	if resp.StatusCode != 200 {
		t.Fatalf("download: %d %s", resp.StatusCode, resp.Body)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, s.FileName) || !strings.HasPrefix(cd, "attachment") {
		t.Errorf("Content-Disposition %q, want an attachment named %s", cd, s.FileName)
	}
	return []byte(resp.Body)
}

// sheetRows reads every sheet of a workbook: name -> rows.
func sheetRows(t *testing.T, body []byte) (*excelize.File, map[string][][]string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	out := map[string][][]string{}
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = rows
	}
	return f, out
}

// csvRows reads a CSV export (which must start with a UTF-8 BOM).
func csvRows(t *testing.T, body []byte) [][]string {
	t.Helper()
	text, ok := strings.CutPrefix(string(body), "\uFEFF")
	if !ok {
		t.Error("the CSV has no UTF-8 BOM")
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
