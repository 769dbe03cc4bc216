package support

import (
	"context"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// Calls a program imports keep their own (past) dates, count in the
// figures of their week, and are stored once however often they are
// imported; one invalid call stores none of them.
func TestImportInputsKeepsDatesAndIsIdempotent(t *testing.T) {
	f := newFixture(t, 3)
	ctx := context.Background()
	at := time.Date(2012, 11, 14, 10, 30, 0, 0, week.Copenhagen)
	calls := []Input{
		{CompanyCVR: f.cvr[1], CallerName: "Mette Hansen", ReceivedAt: &at, Desk: DeskPortal, Channel: "phone", Category: "employee_signature",
			Description: "Kan ikke bestille medarbejdersignatur", Resolution: Resolved},
		{CompanyCVR: f.cvr[2], CallerName: "James Walker", ReceivedAt: &at, Desk: DeskMailboxOperator, Channel: "email", Category: "deleted_mail",
			Description: "Wants to undelete a letter", Resolution: NotResolved},
	}
	bad := append([]Input{}, calls...)
	bad[1].Category = "nonsense"
	_, err := f.s.ImportInputs(ctx, bad, "demo")
	if fe, ok := problem.AsFields(err); !ok || len(fe) != 1 || fe[0].Field != "calls[1].category" {
		t.Fatalf("invalid call: %v", err)
	}
	for round, want := range []ImportResult{{File: "calls", Created: 2}, {File: "calls", Skipped: 2}} {
		res, err := f.s.ImportInputs(ctx, calls, "demo")
		if err != nil || res.Created != want.Created || res.Skipped != want.Skipped || res.File != want.File {
			t.Fatalf("import %d: %+v %v, want %+v", round+1, res, err, want)
		}
	}
	facts, err := f.s.Facts(ctx, auth.SystemScope(), FigureFilter{From: week.MustParse("2012-W46"), To: week.MustParse("2012-W46")})
	if err != nil {
		t.Fatal(err)
	}
	calls46 := facts.Week(week.MustParse("2012-W46"))
	if CallCount(calls46) != 2 || CallingCompanies(calls46) != 2 || NotSolvedByDesk(calls46)[DeskMailboxOperator].Part != 1 {
		t.Errorf("figures of 2012-W46: %d calls, %d companies, %+v", CallCount(calls46), CallingCompanies(calls46), NotSolvedByDesk(calls46))
	}
}
