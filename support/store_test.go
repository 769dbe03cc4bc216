package support

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/store"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// testClock is "now" in these tests: Wednesday 25 November 2026, 12:00 UTC.
var testClock = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// cvrFor makes a modulus-11-valid CVR from a number (7 digits are used).
func cvrFor(n int) string {
	w := []int{2, 7, 6, 5, 4, 3, 2}
	for p := n; ; p++ {
		prefix := fmt.Sprintf("%07d", 1000000+p%9000000)
		sum := 0
		for i, ch := range prefix {
			sum += int(ch-'0') * w[i]
		}
		for d := 0; d <= 9; d++ {
			if (sum+d)%11 == 0 {
				return prefix + string(rune('0'+d))
			}
		}
	}
}

type fixture struct {
	t   *testing.T
	db  *store.DB
	s   *Store
	cvr []string // cvr[i] is company i (1-based; cvr[0] unused)
}

// newFixture opens a fresh, migrated app database with n companies of
// cohort "pilot" and two of cohort "later".
func newFixture(t *testing.T, n int) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "pp.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, s: NewStore(db), cvr: []string{""}}
	f.s.now = func() time.Time { return testClock }
	for i := 1; i <= n+2; i++ {
		cohort := "pilot"
		if i > n {
			cohort = "later"
		}
		cvr := cvrFor(i * 7919)
		if _, err := db.Exec(`INSERT INTO companies (cvr, name, kind, cohort, created_at, updated_at) VALUES (?, ?, 'company', ?, ?, ?)`,
			cvr, fmt.Sprintf("Firma %02d A/S", i), cohort, testClock, testClock); err != nil {
			t.Fatal(err)
		}
		f.cvr = append(f.cvr, cvr)
	}
	return f
}

// cph is a Copenhagen wall-clock time.
func cph(s string) *time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, week.Copenhagen)
	if err != nil {
		panic(err)
	}
	return &t
}

func minutes(n int64) *int64 { return &n }

func (f *fixture) create(in Input) Call {
	f.t.Helper()
	c, err := f.s.Create(context.Background(), in, "support@example.test")
	if err != nil {
		f.t.Fatalf("create %+v: %v", in, err)
	}
	return c
}

func (f *fixture) countCalls() int {
	var n int
	f.db.QueryRow(`SELECT count(*) FROM support_calls`).Scan(&n)
	return n
}

// weekData builds the constructed data set of the figure tests. Known
// answers for 2026-W46 (after deleting the call of company 8):
// 12 calls from companies 1-7 (7 of 30); 8 distinct callers (company 1's
// "Anna Hansen" twice, once typed "anna  hansen", and "Bo Berg");
// portal 8 calls of which 2 not solved (0.25); mailbox operator 4 calls of
// which 3 not solved (0.75); durations 3,4,5,5,7,9,12,15,20,30 -> median 8;
// one follow-up past due as of 2026-11-20. 2026-W47: 2 calls, 2 companies,
// one of them at 00:30 Monday Copenhagen time; one follow-up past due.
func weekData(f *fixture) (deleted Call) {
	type row struct {
		co                         int
		caller, at, desk, cat, res string
		dur                        *int64
		followBy                   string
		done                       bool
	}
	rows := []row{
		{1, "Anna Hansen", "2026-11-09 09:00", DeskPortal, "mailbox_creation", Resolved, minutes(5), "", false},
		{1, "anna  hansen", "2026-11-10 10:00", DeskPortal, "mailbox_creation", Resolved, minutes(7), "", false},
		{1, "Bo Berg", "2026-11-11 11:00", DeskMailboxOperator, "rights_and_roles", NotResolved, minutes(20), "", false},
		{2, "Carl", "2026-11-09 13:00", DeskPortal, "employee_signature", Resolved, minutes(3), "", false},
		{2, "Carl", "2026-11-13 10:00", DeskPortal, "mailbox_creation", Resolved, minutes(5), "", false},
		{3, "Dina", "2026-11-12 08:00", DeskPortal, "rights_and_roles", NotResolved, nil, "2026-11-19", false},
		{4, "Eva", "2026-11-12 09:00", DeskPortal, "notifications", Escalated, minutes(12), "2026-11-20", false},
		{5, "Finn", "2026-11-13 14:00", DeskMailboxOperator, "finding_mail", Resolved, minutes(9), "", false},
		{5, "Finn", "2026-11-10 15:00", DeskPortal, "other", Resolved, nil, "", false},
		{6, "Gitte", "2026-11-14 10:00", DeskMailboxOperator, "deleted_mail", Partly, minutes(15), "2026-11-18", true},
		{7, "Hans", "2026-11-15 23:30", DeskPortal, "mailbox_creation", Resolved, minutes(4), "", false},
		{7, "Hans", "2026-11-15 21:00", DeskMailboxOperator, "third_party_access", NotResolved, minutes(30), "", false},
		{8, "Ib", "2026-11-10 12:00", DeskPortal, "other", Resolved, minutes(6), "2026-11-11", false}, // deleted below
		{9, "Jens", "2026-11-16 00:30", DeskPortal, "folders_and_rules", Resolved, minutes(2), "2026-11-17", false},
		{1, "Anna Hansen", "2026-11-17 09:00", DeskPortal, "mailbox_creation", Resolved, minutes(8), "", false},
	}
	for _, r := range rows {
		c := f.create(Input{CompanyCVR: f.cvr[r.co], CallerName: r.caller, ReceivedAt: cph(r.at), Desk: r.desk, Channel: "phone",
			Category: r.cat, Description: "call from " + r.caller, Resolution: r.res, DurationMinutes: r.dur,
			FollowUpNeeded: r.followBy != "", FollowUpBy: r.followBy, FollowUpDone: r.done})
		if r.co == 8 {
			deleted = c
		}
	}
	return deleted
}

func TestWeeklyFiguresOnKnownData(t *testing.T) {
	f := newFixture(t, 30)
	ctx := context.Background()
	del := weekData(f)
	filter := FigureFilter{From: week.MustParse("2026-W46"), To: week.MustParse("2026-W47"), Cohort: "pilot", AsOf: *cph("2026-11-20 12:00")}

	before, err := f.s.WeeklyReport(ctx, auth.SystemScope(), filter)
	if err != nil {
		t.Fatal(err)
	}
	if w := before.Weeks[0]; w.Calls != 13 || w.CallingCompanies.Part != 8 {
		t.Fatalf("before the delete: %d calls from %d companies, want 13 from 8", w.Calls, w.CallingCompanies.Part)
	}
	if before.FollowUpsPastDue != 3 {
		t.Fatalf("before the delete: %d follow-ups past due, want 3", before.FollowUpsPastDue)
	}
	if _, err := f.s.Delete(ctx, del.ID, "logged twice by mistake", "admin@example.test"); err != nil {
		t.Fatal(err)
	}

	r, err := f.s.WeeklyReport(ctx, auth.SystemScope(), filter)
	if err != nil {
		t.Fatal(err)
	}
	if r.PilotCompanies != 30 || len(r.Weeks) != 2 || r.From != "2026-W46" || r.To != "2026-W47" {
		t.Fatalf("report frame: %+v", r)
	}
	w46, w47 := r.Weeks[0], r.Weeks[1]
	median := 8.0
	want46 := WeekFigures{
		Week: "2026-W46", Start: "2026-11-09", End: "2026-11-15", Calls: 12,
		CallingCompanies: Share{Part: 7, Whole: 30, Share: 7.0 / 30}, DistinctCallers: 8,
		ByCategory: map[string]int{"mailbox_creation": 4, "employee_signature": 1, "rights_and_roles": 2, "folders_and_rules": 0,
			"notifications": 1, "finding_mail": 1, "third_party_access": 1, "deleted_mail": 1, "other": 1},
		ByDesk:       map[string]int{DeskPortal: 8, DeskMailboxOperator: 4},
		ByResolution: map[string]int{Resolved: 7, Partly: 1, NotResolved: 3, Escalated: 1},
		ByDeskAndResolution: map[string]map[string]int{
			DeskPortal:          {Resolved: 6, Partly: 0, NotResolved: 1, Escalated: 1},
			DeskMailboxOperator: {Resolved: 1, Partly: 1, NotResolved: 2, Escalated: 0},
		},
		NotSolvedByDesk: map[string]Share{
			DeskPortal:          {Part: 2, Whole: 8, Share: 0.25},
			DeskMailboxOperator: {Part: 3, Whole: 4, Share: 0.75},
		},
		MedianDurationMinutes: &median,
		FollowUpsPastDue:      1,
	}
	if !reflect.DeepEqual(w46, want46) {
		t.Errorf("2026-W46:\n got %+v\nwant %+v", w46, want46)
	}
	if w47.Calls != 2 || w47.CallingCompanies.Part != 2 || w47.DistinctCallers != 2 || w47.FollowUpsPastDue != 1 ||
		w47.ByCategory["folders_and_rules"] != 1 || *w47.MedianDurationMinutes != 5 {
		t.Errorf("2026-W47 (with the 00:30 Monday call): %+v", w47)
	}
	if r.FollowUpsPastDue != 2 {
		t.Errorf("open follow-ups past due: %d, want 2 (the deleted call's no longer counts)", r.FollowUpsPastDue)
	}
	// The range: companies 1-7 and 9 called; company 1 in both weeks counts once.
	if r.Total.Calls != 14 || r.Total.CallingCompanies.Part != 8 || r.Total.DistinctCallers != 9 || r.Total.Week != "2026-W46..2026-W47" {
		t.Errorf("total: %+v", r.Total)
	}

	// Restoring the call brings it back into the figures.
	if _, err := f.s.Restore(ctx, del.ID, "admin@example.test"); err != nil {
		t.Fatal(err)
	}
	again, _ := f.s.WeeklyReport(ctx, auth.SystemScope(), filter)
	if again.Weeks[0].Calls != 13 {
		t.Errorf("after restore: %d calls, want 13", again.Weeks[0].Calls)
	}

	// The cohort filter: the two "later" companies are not in the pilot's denominator.
	all, _ := f.s.WeeklyReport(ctx, auth.SystemScope(), FigureFilter{From: week.MustParse("2026-W46"), To: week.MustParse("2026-W46"), AsOf: filter.AsOf})
	if all.PilotCompanies != 32 {
		t.Errorf("without cohort: %d companies, want 32", all.PilotCompanies)
	}
}

func TestFiguresNeedAScopeOverEveryAuthority(t *testing.T) {
	f := newFixture(t, 3)
	ctx := context.Background()
	filter := FigureFilter{From: week.MustParse("2026-W46"), To: week.MustParse("2026-W46")}
	for name, p := range map[string]*auth.Principal{
		"authority": {Role: auth.RoleAuthority, AuthorityCVR: f.cvr[1]},
		"support":   {Role: auth.RoleSupport},
		"anonymous": nil,
	} {
		if _, err := f.s.Facts(ctx, auth.ScopeFor(p), filter); !errors.Is(err, ErrScope) {
			t.Errorf("%s: err %v, want ErrScope", name, err)
		}
	}
	if _, err := f.s.Facts(ctx, auth.ScopeFor(&auth.Principal{Role: auth.RoleManager}), filter); err != nil {
		t.Errorf("manager: %v", err)
	}
}

func TestMedianDuration(t *testing.T) {
	fact := func(d ...int64) []CallFact {
		var out []CallFact
		for i := range d {
			out = append(out, CallFact{Duration: &d[i]})
		}
		return append(out, CallFact{}) // a call without a duration is left out
	}
	if m := MedianDuration(fact()); m != nil {
		t.Errorf("no durations: %v", *m)
	}
	for _, tc := range []struct {
		d    []int64
		want float64
	}{{[]int64{7}, 7}, {[]int64{9, 1, 5}, 5}, {[]int64{10, 1, 4, 3}, 3.5}} {
		if m := MedianDuration(fact(tc.d...)); m == nil || *m != tc.want {
			t.Errorf("median of %v = %v, want %v", tc.d, m, tc.want)
		}
	}
}

func TestHistoryKeepsEveryVersion(t *testing.T) {
	f := newFixture(t, 2)
	ctx := context.Background()
	c := f.create(Input{CompanyCVR: f.cvr[1], CallerName: "Anna", ReceivedAt: cph("2026-11-20 10:00"), Desk: DeskPortal, Channel: "phone",
		Category: "other", Description: "Kan ikke oprette postkassen", Resolution: NotResolved})
	if c.Version != 1 || c.HandledBy != "support@example.test" || c.Week != "2026-W47" {
		t.Fatalf("created: %+v", c)
	}
	in := Input{CompanyCVR: f.cvr[1], CallerName: "Anna", ReceivedAt: cph("2026-11-20 10:00"), Desk: DeskPortal, Channel: "phone",
		Category: "mailbox_creation", Description: "Kan ikke oprette postkassen", Resolution: NotResolved, Version: 1}
	c2, err := f.s.Update(ctx, c.ID, in, "bo@example.test")
	if err != nil || c2.Version != 2 {
		t.Fatalf("update: %+v %v", c2, err)
	}
	// The same change again from version 1: refused, not overwritten.
	in.Category = "other"
	var ce *ConflictError
	if _, err := f.s.Update(ctx, c.ID, in, "eva@example.test"); !errors.As(err, &ce) || ce.Current.Version != 2 {
		t.Fatalf("stale update: %v", err)
	}
	// A change that changes nothing stores nothing.
	in.Category, in.Version = "mailbox_creation", 2
	if same, err := f.s.Update(ctx, c.ID, in, "bo@example.test"); err != nil || same.Version != 2 {
		t.Fatalf("no-op update: %+v %v", same, err)
	}
	in.Description, in.Resolution, in.DurationMinutes = "Kan ikke oprette postkassen: signatur manglede", Resolved, minutes(12)
	if _, err := f.s.Update(ctx, c.ID, in, "bo@example.test"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Delete(ctx, c.ID, "  ", "admin@example.test"); err == nil {
		t.Fatal("delete without a reason accepted")
	}
	if _, err := f.s.Delete(ctx, c.ID, "test call", "admin@example.test"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Delete(ctx, c.ID, "again", "admin@example.test"); !errors.Is(err, ErrAlreadyDeleted) {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := f.s.Get(ctx, c.ID, false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a deleted call is visible: %v", err)
	}
	if _, err := f.s.Update(ctx, c.ID, in, "bo@example.test"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a deleted call was changed: %v", err)
	}
	if _, err := f.s.Restore(ctx, c.ID, "admin@example.test"); err != nil {
		t.Fatal(err)
	}

	vs, err := f.s.History(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	type brief struct {
		v              int
		action, actor  string
		changed        string
		category, desc string
		deleted        bool
	}
	var got []brief
	for _, v := range vs {
		got = append(got, brief{v.Version, v.Action, v.Actor, strings.Join(v.Changed, ","), v.Snapshot.Category, v.Snapshot.Description, v.Snapshot.Deleted != nil})
	}
	want := []brief{
		{1, ActionCreated, "support@example.test", "company_cvr,caller_name,received_at,desk,channel,category,description,resolution,handled_by", "other", "Kan ikke oprette postkassen", false},
		{2, ActionUpdated, "bo@example.test", "category", "mailbox_creation", "Kan ikke oprette postkassen", false},
		{3, ActionUpdated, "bo@example.test", "description,resolution,duration_minutes", "mailbox_creation", "Kan ikke oprette postkassen: signatur manglede", false},
		{4, ActionDeleted, "admin@example.test", "deleted", "mailbox_creation", "Kan ikke oprette postkassen: signatur manglede", true},
		{5, ActionRestored, "admin@example.test", "deleted", "mailbox_creation", "Kan ikke oprette postkassen: signatur manglede", false},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("history:\n got %+v\nwant %+v", got, want)
	}
	if vs[3].Reason != "test call" {
		t.Errorf("delete reason %q", vs[3].Reason)
	}
	cur, _ := f.s.Get(ctx, c.ID, false)
	if cur.Version != 5 || cur.Deleted != nil || cur.CreatedBy != "support@example.test" || cur.UpdatedBy != "admin@example.test" {
		t.Errorf("current: %+v", cur)
	}
}

func TestHistoryCannotBeRewritten(t *testing.T) {
	f := newFixture(t, 1)
	c := f.create(Input{CompanyCVR: f.cvr[1], CallerName: "Anna", Desk: DeskPortal, Channel: "chat", Category: "other",
		Description: "x", Resolution: Resolved})
	for _, q := range []string{
		`UPDATE support_call_versions SET actor = 'someone else'`,
		`DELETE FROM support_call_versions`,
		`DELETE FROM support_calls`,
		`UPDATE support_calls SET description = 'silently changed'`,              // no new version
		`UPDATE support_calls SET description = 'silently changed', version = 2`, // no history row for it
	} {
		if _, err := f.db.Exec(q); err == nil {
			t.Errorf("%s: allowed", q)
		}
	}
	got, _ := f.s.Get(context.Background(), c.ID, false)
	if got.Description != "x" || got.Version != 1 {
		t.Errorf("call changed: %+v", got)
	}
}

func TestBadInputIsRefusedAndNothingSaved(t *testing.T) {
	f := newFixture(t, 1)
	ctx := context.Background()
	good := func() Input {
		return Input{CompanyCVR: f.cvr[1], CallerName: "Anna", ReceivedAt: cph("2026-11-20 10:00"), Desk: DeskPortal, Channel: "phone",
			Category: "other", Description: "ok", Resolution: Resolved}
	}
	for _, tc := range []struct {
		name   string
		change func(*Input)
		field  string
		msg    string
	}{
		{"unknown company", func(in *Input) { in.CompanyCVR = "Ukendt Firma ApS" }, "company_cvr", "unknown company"},
		{"unknown CVR", func(in *Input) { in.CompanyCVR = cvrFor(4242) }, "company_cvr", "no company in the registry has CVR"},
		{"end before start", func(in *Input) { in.EndedAt = cph("2026-11-20 09:59") }, "ended_at", "before the time received"},
		{"negative duration", func(in *Input) { in.DurationMinutes = minutes(-5) }, "duration_minutes", "0 or more"},
		{"unknown category", func(in *Input) { in.Category = "printer" }, "category", `unknown category "printer"`},
		{"1 MB description", func(in *Input) { in.Description = strings.Repeat("a", 1<<20) }, "description", "at most 10000 characters, got 1048576"},
		{"no caller", func(in *Input) { in.CallerName = " " }, "caller_name", "required"},
		{"unknown desk", func(in *Input) { in.Desk = "helpdesk" }, "desk", "unknown desk"},
		{"unknown resolution", func(in *Input) { in.Resolution = "maybe" }, "resolution", "unknown resolution"},
		{"future", func(in *Input) { in.ReceivedAt = cph("2026-12-24 10:00") }, "received_at", "in the future"},
		{"follow-up without date", func(in *Input) { in.FollowUpNeeded = true }, "follow_up_by", "required when a follow-up is needed"},
		{"bad follow-up date", func(in *Input) { in.FollowUpNeeded, in.FollowUpBy = true, "31-02-2026" }, "follow_up_by", "must be a date"},
	} {
		in := good()
		tc.change(&in)
		_, err := f.s.Create(ctx, in, "support@example.test")
		var fe FieldErrors
		if !errors.As(err, &fe) {
			t.Errorf("%s: err %v, want field errors", tc.name, err)
			continue
		}
		if fe[0].Field != tc.field || !strings.Contains(fe[0].Message.String(), tc.msg) {
			t.Errorf("%s: %v, want %s: …%s…", tc.name, fe, tc.field, tc.msg)
		}
	}
	if n := f.countCalls(); n != 0 {
		t.Fatalf("%d calls saved", n)
	}
	// The ended time gives the duration when none is typed.
	in := good()
	in.EndedAt = cph("2026-11-20 10:17")
	if c := f.create(in); c.DurationMinutes == nil || *c.DurationMinutes != 17 {
		t.Errorf("duration from ended_at: %v", c.DurationMinutes)
	}
}

func TestCompanyByNameOrCVR(t *testing.T) {
	f := newFixture(t, 2)
	ctx := context.Background()
	for _, s := range []string{f.cvr[2], f.cvr[2][:4] + " " + f.cvr[2][4:], "Firma 02 A/S — " + f.cvr[2], "firma 02 a/s", "  FIRMA 02 A/S "} {
		co, err := f.s.ResolveCompany(ctx, s)
		if err != nil || co.CVR != f.cvr[2] {
			t.Errorf("%q: %+v %v", s, co, err)
		}
	}
	if _, err := f.s.ResolveCompany(ctx, "Firma"); err == nil {
		t.Error("a partial name was taken as a company")
	}
}

func TestListFiltersAndSearch(t *testing.T) {
	f := newFixture(t, 30)
	ctx := context.Background()
	weekData(f)
	f.create(Input{CompanyCVR: f.cvr[3], CallerName: "Søren Ærø", ReceivedAt: cph("2026-11-18 10:00"), Desk: DeskPortal, Channel: "email",
		Category: "finding_mail", Description: "Kan ikke SØGE på tværs af mapper", Resolution: Partly})
	w46 := week.MustParse("2026-W46")
	for _, tc := range []struct {
		name string
		f    Filter
		want int
	}{
		{"all", Filter{}, 16},
		{"week", Filter{Week: &w46}, 13},
		{"company", Filter{CompanyCVR: f.cvr[1]}, 4},
		{"desk", Filter{Desk: DeskMailboxOperator}, 4},
		{"category", Filter{Category: "mailbox_creation"}, 5},
		{"resolution", Filter{Resolution: NotResolved}, 3},
		{"open follow-ups", Filter{FollowUp: "open"}, 4},
		{"overdue follow-ups", Filter{FollowUp: "overdue"}, 4}, // today is 2026-11-25
		{"search any case, Danish letters", Filter{Search: "søge"}, 1},
		{"search several words", Filter{Search: "mapper tværs"}, 1},
		{"search caller", Filter{Search: "ærø"}, 1},
		{"search and week", Filter{Search: "Anna", Week: &w46}, 2},
		{"search nothing", Filter{Search: "zebra"}, 0},
	} {
		got, err := f.s.List(ctx, tc.f)
		if err != nil || len(got) != tc.want {
			t.Errorf("%s: %d calls (%v), want %d", tc.name, len(got), err, tc.want)
		}
	}
	if err := (Filter{Desk: "x"}).Check(); err == nil {
		t.Error("unknown desk filter accepted")
	}
}

// A name that starts exactly one company's name is that company ("Nordsø"
// for "Nordsø Shipping A/S"); one that starts several lists them; LIKE's
// wildcards typed by the user are plain text.
func TestCompanyByStartOfName(t *testing.T) {
	f := newFixture(t, 2)
	ctx := context.Background()
	nordso := cvrFor(4242 * 7919)
	if _, err := f.db.Exec(`INSERT INTO companies (cvr, name, kind, cohort, created_at, updated_at) VALUES (?, 'Nordsø Shipping A/S', 'company', 'pilot', ?, ?)`,
		nordso, testClock, testClock); err != nil {
		t.Fatal(err)
	}
	if co, err := f.s.ResolveCompany(ctx, "Nordsø"); err != nil || co.CVR != nordso {
		t.Errorf("Nordsø: %+v %v", co, err)
	}
	_, err := f.s.ResolveCompany(ctx, "Firma")
	var fe FieldErrors
	if !errors.As(err, &fe) || !strings.Contains(fe[0].Message.String(), "Firma 01 A/S — "+f.cvr[1]) || !strings.Contains(fe[0].Message.In("da"), "flere virksomheder passer") {
		t.Errorf("Firma: %v, want the matches listed", err)
	}
	for _, s := range []string{"%", "Firma _1", `Firma\`} {
		if co, err := f.s.ResolveCompany(ctx, s); err == nil {
			t.Errorf("%q matched %+v", s, co)
		}
	}
}
