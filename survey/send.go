package survey

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/config"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// SMTP is how e-mail goes out: the configuration's mail settings
// (PILOTPULSE_SMTP_*). Zero Host: no e-mail; admins download the
// invitation list instead.
type SMTP config.SMTP

// Enabled says whether e-mail can be sent.
func (c SMTP) Enabled() bool { return c.Host != "" }

// Send sends one plain-text message.
func (c SMTP) Send(to, subject, body string) error {
	if !c.Enabled() {
		return errors.New("no SMTP server configured")
	}
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return fmt.Errorf("from address: %w", err)
	}
	rcpt, err := mail.ParseAddress(to)
	if err != nil {
		return fmt.Errorf("recipient %q: %w", to, err)
	}
	addr := net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
	var conn net.Conn
	dialer := &net.Dialer{Timeout: 20 * time.Second}
	if c.TLS == "tls" {
		conn, err = tls.DialWithDialer(dialer, "tcp", addr, &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12})
	} else {
		conn, err = dialer.Dial("tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("SMTP %s: %w", addr, err)
	}
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	cl, err := smtp.NewClient(conn, c.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("SMTP %s: %w", addr, err)
	}
	defer cl.Close()
	if c.TLS == "starttls" {
		if err := cl.StartTLS(&tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("SMTP STARTTLS: %w", err)
		}
	}
	if c.User != "" {
		if err := cl.Auth(smtp.PlainAuth("", c.User, c.Password, c.Host)); err != nil {
			return fmt.Errorf("SMTP auth: %w", err)
		}
	}
	if err := cl.Mail(from.Address); err != nil {
		return fmt.Errorf("SMTP MAIL: %w", err)
	}
	if err := cl.Rcpt(rcpt.Address); err != nil {
		return fmt.Errorf("SMTP RCPT %s: %w", rcpt.Address, err)
	}
	w, err := cl.Data()
	if err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if _, err := w.Write(message(from, rcpt, subject, body)); err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	return cl.Quit()
}

func message(from, to *mail.Address, subject, body string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\n",
		from.String(), to.String(), mime.QEncoding.Encode("utf-8", subject), time.Now().Format(time.RFC1123Z))
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n")))
	qp.Close()
	return b.Bytes()
}

// Sender sends invitations and reminders and logs every send.
type Sender struct {
	Store   *Store
	SMTP    SMTP
	BaseURL string
}

// Link is the personal link of a token.
func (s *Sender) Link(token string) string { return strings.TrimRight(s.BaseURL, "/") + "/q/" + token }

func (s *Sender) mailText(inv Invitation, w Wave, token string, reminder bool) (subject, body string) {
	lang := inv.Language
	tr := func(k string) string { return web.Translate(lang, k) }
	subject = fmt.Sprintf(tr("survey.mail.subject"), w.ID)
	if reminder {
		subject = tr("survey.mail.reminder") + ": " + subject
	}
	closes := w.ClosesAt.In(week.Copenhagen).Format("02-01-2006 15:04")
	body = fmt.Sprintf(tr("survey.mail.body"), inv.ContactName, w.ID, s.Link(token), closes)
	return subject, body
}

func (s *Sender) logSend(ctx context.Context, inv Invitation, kind, channel string, sendErr error, actor string, now time.Time) error {
	msg := ""
	if sendErr != nil {
		msg = sendErr.Error()
		if len(msg) > 500 {
			msg = msg[:500]
		}
	}
	_, err := s.Store.db.ExecContext(ctx, `INSERT INTO survey_sends (invitation_id, kind, channel, at, ok, error, actor) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		inv.ID, kind, channel, now, sendErr == nil, msg, actor)
	if err != nil || sendErr != nil || channel != "smtp" {
		return err
	}
	if kind == "invitation" {
		_, err = s.Store.db.ExecContext(ctx, `UPDATE survey_invitations SET invited_at = ?, last_sent_at = ? WHERE id = ?`, now, now, inv.ID)
	} else {
		_, err = s.Store.db.ExecContext(ctx, `UPDATE survey_invitations SET reminders_sent = reminders_sent + 1, last_sent_at = ? WHERE id = ?`, now, inv.ID)
	}
	return err
}

// SendResult counts what a send round did.
type SendResult struct {
	Sent   int `json:"sent"`
	Failed int `json:"failed"`
}

// SendInvitations e-mails every invitation of the wave not sent yet (wave
// open at now, SMTP configured). Each try is logged.
func (s *Sender) SendInvitations(ctx context.Context, w Wave, now time.Time, actor string) (SendResult, error) {
	var r SendResult
	if !s.SMTP.Enabled() || w.State(now) != "open" {
		return r, nil
	}
	invs, err := s.Store.invitations(ctx, `i.wave_id = ? AND i.invited_at IS NULL AND ct.removed_at IS NULL`, w.ID)
	if err != nil {
		return r, err
	}
	for _, inv := range invs {
		if err := s.send(ctx, inv, w, "invitation", actor, now, &r); err != nil {
			return r, err
		}
	}
	return r, nil
}

// ReminderDue lists the invitations of an open wave that get a reminder at
// now: not submitted, invited by e-mail, fewer reminders than the wave
// allows, and the last e-mail at least ReminderAfterDays ago.
func (s *Store) ReminderDue(ctx context.Context, w Wave, now time.Time) ([]Invitation, error) {
	if w.State(now) != "open" {
		return []Invitation{}, nil
	}
	due := now.Add(-time.Duration(w.ReminderAfterDays) * 24 * time.Hour)
	return s.invitations(ctx, `i.wave_id = ? AND i.status <> 'submitted' AND ct.removed_at IS NULL AND i.invited_at IS NOT NULL
		AND i.reminders_sent < ? AND i.last_sent_at <= ?`, w.ID, w.MaxReminders, due)
}

// SendReminders e-mails a reminder to every non-respondent due one.
func (s *Sender) SendReminders(ctx context.Context, w Wave, now time.Time, actor string) (SendResult, error) {
	var r SendResult
	if !s.SMTP.Enabled() {
		return r, nil
	}
	invs, err := s.Store.ReminderDue(ctx, w, now)
	if err != nil {
		return r, err
	}
	for _, inv := range invs {
		if err := s.send(ctx, inv, w, "reminder", actor, now, &r); err != nil {
			return r, err
		}
	}
	return r, nil
}

func (s *Sender) send(ctx context.Context, inv Invitation, w Wave, kind, actor string, now time.Time, r *SendResult) error {
	tok, err := s.Store.Token(inv)
	if err != nil {
		return fmt.Errorf("invitation %d: token: %w", inv.ID, err)
	}
	subject, body := s.mailText(inv, w, tok, kind == "reminder")
	sendErr := s.SMTP.Send(inv.ContactEmail, subject, body)
	if sendErr != nil {
		r.Failed++
	} else {
		r.Sent++
	}
	return s.logSend(ctx, inv, kind, "smtp", sendErr, actor, now)
}

// TickResult is what one scheduler round did.
type TickResult struct {
	Created     string     `json:"created_wave,omitempty"`
	Invited     int        `json:"new_invitations"`
	Invitations SendResult `json:"invitations"`
	Reminders   SendResult `json:"reminders"`
}

// Tick runs the scheduled work once at now: create this week's wave when the
// schedule is on and the wave's opening time has come, invite contacts added
// since, send invitations not yet sent and reminders that are due.
func (s *Sender) Tick(ctx context.Context, now time.Time) (TickResult, error) {
	var r TickResult
	sc, err := s.Store.Schedule(ctx)
	if err != nil {
		return r, err
	}
	if sc.Enabled {
		wk := week.Of(now)
		opens, closes, err := sc.Window(wk)
		if err != nil {
			return r, err
		}
		if !now.Before(opens) && now.Before(closes) {
			_, n, err := s.Store.CreateWave(ctx, wk.String(), "scheduler")
			switch {
			case err == nil:
				r.Created, r.Invited = wk.String(), n
			case errors.Is(err, ErrExists), errors.Is(err, ErrNoVersion):
			default:
				return r, err
			}
		}
	}
	n, err := s.Store.InviteNewContacts(ctx, now)
	if err != nil {
		return r, err
	}
	r.Invited += n
	ws, err := s.Store.Waves(ctx)
	if err != nil {
		return r, err
	}
	for _, w := range ws {
		if w.State(now) != "open" {
			continue
		}
		ir, err := s.SendInvitations(ctx, w, now, "scheduler")
		r.Invitations.Sent += ir.Sent
		r.Invitations.Failed += ir.Failed
		if err != nil {
			return r, err
		}
		rr, err := s.SendReminders(ctx, w, now, "scheduler")
		r.Reminders.Sent += rr.Sent
		r.Reminders.Failed += rr.Failed
		if err != nil {
			return r, err
		}
	}
	return r, nil
}
