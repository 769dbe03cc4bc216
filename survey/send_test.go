package survey_test

import (
	"context"
	"fmt"
	"mime/quotedprintable"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/survey"
)

func mailTo(ms []mailMsg) []string {
	var to []string
	for _, m := range ms {
		to = append(to, m.To)
	}
	slices.Sort(to)
	return to
}

func decodeBody(t *testing.T, data string) string {
	_, body, _ := strings.Cut(data, "\r\n\r\n")
	b, err := readAllQP(body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readAllQP(s string) (string, error) {
	var b strings.Builder
	r := quotedprintable.NewReader(strings.NewReader(s))
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			if err.Error() == "EOF" {
				return b.String(), nil
			}
			return b.String(), err
		}
	}
}

// TestRemindersReachExactlyTheNonRespondents runs the scheduler's work at
// chosen moments of a wave against a real SMTP server on loopback.
func TestRemindersReachExactlyTheNonRespondents(t *testing.T) {
	f := newFixture(t)
	f.company("3000001", "Send A", "Ann:ann@a.dk", "Ben:ben@a.dk:en")
	f.company("3000002", "Send B", "Cas:cas@b.dk", "Dea:dea@b.dk")
	srv := newSMTPServer(t)
	f.snd.SMTP = survey.SMTP{Host: "127.0.0.1", Port: srv.port(), From: "Pilot <pilot@example.test>", TLS: "none"}
	f.snd.BaseURL = "https://pilot.example.test"
	ctx := context.Background()
	if err := f.store.SetSchedule(ctx, survey.Schedule{Enabled: true, OpenWeekday: 1, OpenTime: "09:00", CloseAfterDays: 7, ReminderAfterDays: 2, MaxReminders: 2}); err != nil {
		t.Fatal(err)
	}
	opens, closes, _ := survey.Schedule{OpenWeekday: 1, OpenTime: "09:00", CloseAfterDays: 7}.Window(week.MustParse("2012-W46"))
	at := func(h float64) time.Time { return opens.Add(time.Duration(h * float64(time.Hour))) }

	// Before the opening time nothing happens.
	r, err := f.snd.Tick(ctx, at(-1))
	if err != nil || r.Created != "" || len(srv.take()) != 0 {
		t.Fatalf("before opening: %+v %v", r, err)
	}
	// At opening: the wave is created and every contact invited by e-mail.
	r, err = f.snd.Tick(ctx, at(0))
	if err != nil || r.Created != "2012-W46" || r.Invited != 4 || r.Invitations.Sent != 4 {
		t.Fatalf("at opening: %+v %v", r, err)
	}
	mails := srv.take()
	if fmt.Sprint(mailTo(mails)) != "[ann@a.dk ben@a.dk cas@b.dk dea@b.dk]" {
		t.Fatalf("invitations to %v", mailTo(mails))
	}
	toks := f.tokens("2012-W46")
	for _, m := range mails {
		body := decodeBody(t, m.Data)
		if !strings.Contains(body, "https://pilot.example.test/q/"+toks[m.To]) {
			t.Errorf("mail to %s lacks its personal link:\n%s", m.To, body)
		}
		if m.To == "ben@a.dk" && !strings.Contains(body, "Dear Ben") {
			t.Errorf("English contact got: %s", body)
		}
	}
	// The same tick again sends nothing twice.
	if r, _ := f.snd.Tick(ctx, at(1)); r.Created != "" || r.Invitations.Sent != 0 || len(srv.take()) != 0 {
		t.Errorf("second tick: %+v", r)
	}

	// Ann submits, Cas saves a draft.
	w, _ := f.store.Wave(ctx, "2012-W46")
	f.store.Now = func() time.Time { return at(5) }
	if err := f.store.Save(ctx, f.invitation(w.ID, "ann@a.dk"), w, map[string]string{"ease": "5"}, true); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Save(ctx, f.invitation(w.ID, "cas@b.dk"), w, map[string]string{"ease": "2"}, false); err != nil {
		t.Fatal(err)
	}
	// Not yet 2 days: no reminder.
	if r, _ := f.snd.Tick(ctx, at(47)); r.Reminders.Sent != 0 || len(srv.take()) != 0 {
		t.Errorf("reminder too early: %+v", r)
	}
	// After 2 days: exactly the three who have not submitted.
	r, _ = f.snd.Tick(ctx, at(48))
	mails = srv.take()
	if r.Reminders.Sent != 3 || fmt.Sprint(mailTo(mails)) != "[ben@a.dk cas@b.dk dea@b.dk]" {
		t.Fatalf("first reminders %+v to %v", r, mailTo(mails))
	}
	if !strings.Contains(mails[0].Data, "=?utf-8?q?") && !strings.Contains(mails[0].Data, "Reminder") && !strings.Contains(mails[0].Data, "P=C3=A5mindelse") {
		t.Logf("subject: %.200s", mails[0].Data)
	}
	// Ben submits; the second reminder goes to Cas and Dea only.
	f.store.Now = func() time.Time { return at(60) }
	if err := f.store.Save(ctx, f.invitation(w.ID, "ben@a.dk"), w, map[string]string{"ease": "3"}, true); err != nil {
		t.Fatal(err)
	}
	if r, _ := f.snd.Tick(ctx, at(95)); r.Reminders.Sent != 0 {
		t.Errorf("reminder before 2 days since the last: %+v", r)
	}
	r, _ = f.snd.Tick(ctx, at(96))
	if mails := srv.take(); r.Reminders.Sent != 2 || fmt.Sprint(mailTo(mails)) != "[cas@b.dk dea@b.dk]" {
		t.Fatalf("second reminders %+v to %v", r, mailTo(mails))
	}
	// At most 2 reminders: none more, however long we wait.
	if r, _ := f.snd.Tick(ctx, at(150)); r.Reminders.Sent != 0 || len(srv.take()) != 0 {
		t.Errorf("third reminder: %+v", r)
	}
	// After the wave closes nobody is due a reminder.
	if due, err := f.store.ReminderDue(ctx, w, closes.Add(time.Hour)); err != nil || len(due) != 0 {
		t.Errorf("after close: %d due, %v", len(due), err)
	}
	// Every send is logged: 4 invitations + 3 + 2 reminders.
	if n := f.count(`SELECT count(*) FROM survey_sends WHERE channel = 'smtp' AND ok = 1`); n != 9 {
		t.Errorf("%d sends logged, want 9", n)
	}
	if n := f.count(`SELECT count(*) FROM survey_sends WHERE kind = 'reminder' AND invitation_id = ?`, f.invitation(w.ID, "ann@a.dk").ID); n != 0 {
		t.Errorf("the respondent got %d reminders", n)
	}

	// A contact added during an open wave is invited at the next tick.
	f.company("3000030", "Late C", "Eli:eli@c.dk")
	w47opens, _, _ := survey.Schedule{OpenWeekday: 1, OpenTime: "09:00", CloseAfterDays: 7}.Window(week.MustParse("2012-W47"))
	r, err = f.snd.Tick(ctx, w47opens.Add(time.Minute))
	if err != nil || r.Created != "2012-W47" || r.Invited != 5 || r.Invitations.Sent != 5 {
		t.Errorf("next week: %+v %v", r, err)
	}
	srv.take()

	// A failing server: the try is logged, the invitation stays unsent and is retried.
	srv.ln.Close()
	f.company("3000040", "Late D", "Fie:fie@d.dk")
	r, _ = f.snd.Tick(ctx, w47opens.Add(2*time.Minute))
	if r.Invitations.Failed != 1 || r.Invitations.Sent != 0 {
		t.Errorf("failing server: %+v", r)
	}
	if n := f.count(`SELECT count(*) FROM survey_sends WHERE ok = 0`); n != 1 {
		t.Errorf("%d failed sends logged", n)
	}
}
