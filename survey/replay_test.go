package survey_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/survey"
)

// A past wave is replayed with its real dates: the wave keeps the 2012
// window, the answers their 2012 submission times and count in the
// figures; the respondent's link stays closed; a second replay changes
// nothing; answers outside the window, unknown contacts, invalid answers
// and a wave not over yet are refused with nothing stored.
func TestReplayPastWave(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	alfa := f.company("1000000", "Alfa A/S", "Anna:anna@alfa.dk", "Bo:bo@alfa.dk:en")
	beta := f.company("2000000", "Beta ApS", "Berit:berit@beta.dk")
	wk := week.MustParse("2012-W46")
	sc, _ := f.store.Schedule(ctx)
	opens, closes, _ := sc.Window(wk)
	at := opens.Add(26 * time.Hour)
	answers := []survey.PastAnswer{
		{ContactEmail: "Anna@alfa.dk", CompanyCVR: alfa, OpenedAt: at.Add(-time.Hour), SubmittedAt: at, Values: map[string][]string{
			survey.KeyUsedMailbox: {"no"}, survey.KeySetupProblem: {"yes"}, survey.KeySetupProblemKinds: {"employee_signature", "rights_roles"},
			survey.KeyEase: {"2"}, survey.KeyContactedSupport: {"no"}, survey.KeyThirdPartyAccess: {"no"},
			survey.KeyComments: {"Oprettelsen er en ledelsesbeslutning."}}},
		{ContactEmail: "berit@beta.dk", CompanyCVR: beta, SubmittedAt: at.Add(time.Hour), Values: map[string][]string{
			survey.KeyUsedMailbox: {"yes"}, survey.KeySetupProblem: {"no"}, survey.KeyEase: {"4"}, survey.KeyContactedSupport: {"yes"},
			survey.KeySupportDesk: {"virk"}, survey.KeySupportSolved: {"yes"}, survey.KeyThirdPartyAccess: {"no"}}},
	}

	// Refused, nothing stored: a time outside the window, an unknown
	// contact, a missing required answer.
	bad := []survey.PastAnswer{answers[0], answers[1]}
	bad[0].SubmittedAt = closes.Add(time.Minute)
	bad[1].Values = map[string][]string{survey.KeyUsedMailbox: {"yes"}}
	_, err := f.store.ReplayWave(ctx, "2012-W46", "test", bad)
	fe, ok := problem.AsFields(err)
	if !ok || !hasField(fe, "answers[0].submitted_at") || !hasField(fe, "answers[1].values.setup_problem") {
		t.Fatalf("bad answers: %v", err)
	}
	unknown := []survey.PastAnswer{answers[1]}
	unknown[0].ContactEmail = "nobody@beta.dk"
	if _, err := f.store.ReplayWave(ctx, "2012-W46", "test", unknown); !errors.As(err, &fe) || !hasField(fe, "answers[0].contact_email") {
		t.Fatalf("unknown contact: %v", err)
	}
	if n := f.count(`SELECT count(*) FROM survey_waves`); n != 0 {
		t.Fatalf("%d waves stored by refused replays", n)
	}
	// This week's wave is not over: it cannot be replayed.
	if _, err := f.store.ReplayWave(ctx, week.Of(time.Now()).Next().String(), "test", nil); !errors.As(err, &fe) || !hasField(fe, "week") {
		t.Fatalf("replaying next week: %v", err)
	}

	res, err := f.store.ReplayWave(ctx, "2012-W46", "test", answers)
	if err != nil {
		t.Fatal(err)
	}
	if res.Invited != 3 || res.Submitted != 2 || !res.Wave.OpensAt.Equal(opens) || !res.Wave.ClosesAt.Equal(closes) || res.Wave.State(time.Now()) != "closed" {
		t.Fatalf("replayed: %+v", res)
	}
	rows, err := f.store.SubmittedAnswers(ctx, survey.AnswerFilter{Wave: "2012-W46", Key: survey.KeySetupProblemKinds})
	if err != nil || len(rows) != 1 || rows[0].CompanyCVR != alfa || !rows[0].SubmittedAt.Equal(at) || rows[0].Value != `["employee_signature","rights_roles"]` {
		t.Fatalf("answers: %+v %v", rows, err)
	}
	figs, err := f.store.FigWaveResponse(ctx, res.Wave, time.Now())
	if err != nil || figs.Invitations != 3 || figs.Submitted != 2 || figs.CompaniesAnswered != 2 {
		t.Fatalf("figures: %+v %v", figs, err)
	}
	yes, err := f.store.CompaniesAnswering(ctx, survey.KeySetupProblem, "yes")
	if err != nil || len(yes["2012-W46"]) != 1 || yes["2012-W46"][0] != alfa {
		t.Fatalf("setup problems: %v %v", yes, err)
	}
	if first, last, ok, err := f.store.AnsweredSpan(ctx); err != nil || !ok || first != wk || last != wk {
		t.Fatalf("answered span %s..%s %v %v", first, last, ok, err)
	}

	// The live rules hold: the un-answered contact's link is closed.
	bo := f.invitation("2012-W46", "bo@alfa.dk")
	tok, err := f.store.Token(bo)
	if err != nil {
		t.Fatal(err)
	}
	if r := f.env.Anonymous().Get("/q/" + tok); r.StatusCode != http.StatusNotFound {
		t.Errorf("the replayed wave's link answers %d", r.StatusCode)
	}
	if bo.Status != "invited" || !strings.EqualFold(f.invitation("2012-W46", "anna@alfa.dk").Status, "submitted") {
		t.Errorf("statuses: %s", bo.Status)
	}

	// Again: the week has its wave; nothing changes.
	if _, err := f.store.ReplayWave(ctx, "2012-W46", "test", answers); !errors.Is(err, survey.ErrExists) {
		t.Fatalf("second replay: %v", err)
	}
	if n := f.count(`SELECT count(*) FROM survey_answers`); n != 14 {
		t.Errorf("%d answers stored, want 14", n)
	}
}

func hasField(fe problem.Fields, field string) bool {
	for _, e := range fe {
		if e.Field == field {
			return true
		}
	}
	return false
}
