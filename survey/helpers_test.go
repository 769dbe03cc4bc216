package survey_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/survey"
)

func TestMain(m *testing.M) { warehousetest.Main(m) }

// cvr makes a modulus-11-valid CVR from a 7-digit prefix (or the next
// prefix that has a check digit).
func cvr(t testing.TB, prefix string) string {
	n, err := strconv.Atoi(prefix)
	if err != nil {
		t.Fatalf("prefix %q: %v", prefix, err)
	}
	return registry.NextCVR(n)
}

// fixture is a running app with companies, contacts and the survey store.
type fixture struct {
	t     testing.TB
	env   *apptest.Env
	store *survey.Store
	snd   *survey.Sender
	cvrs  []string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	snd := env.App.Survey // the app's own sender, the one its routes and scheduler use
	return &fixture{t: t, env: env, store: snd.Store, snd: snd}
}

// company adds a company with contacts (name:email[:lang]).
func (f *fixture) company(prefix, name string, contacts ...string) string {
	f.t.Helper()
	c := registry.Company{CVR: cvr(f.t, prefix), Name: name, Kind: "company"}
	for _, ct := range contacts {
		p := strings.Split(ct, ":")
		lang := "da"
		if len(p) > 2 {
			lang = p[2]
		}
		c.Contacts = append(c.Contacts, registry.Contact{Name: p[0], Email: p[1], Language: lang})
	}
	if _, err := f.env.App.Registry.CreateCompany(context.Background(), c); err != nil {
		f.t.Fatal(err)
	}
	f.cvrs = append(f.cvrs, c.CVR)
	return c.CVR
}

// openWeek sets a schedule whose wave of the current week is open now
// (Monday 00:00 to next Monday 00:00) and creates that wave.
func (f *fixture) openWave() survey.Wave {
	f.t.Helper()
	ctx := context.Background()
	if err := f.store.SetSchedule(ctx, survey.Schedule{OpenWeekday: 1, OpenTime: "00:00", CloseAfterDays: 7, ReminderAfterDays: 2, MaxReminders: 2}); err != nil {
		f.t.Fatal(err)
	}
	w, _, err := f.store.CreateWave(ctx, week.Of(time.Now()).String(), "test")
	if err != nil {
		f.t.Fatal(err)
	}
	return w
}

// tokens maps contact e-mail -> token for a wave.
func (f *fixture) tokens(wave string) map[string]string {
	f.t.Helper()
	invs, err := f.store.Invitations(context.Background(), wave)
	if err != nil {
		f.t.Fatal(err)
	}
	m := map[string]string{}
	for _, i := range invs {
		tok, err := f.store.Token(i)
		if err != nil {
			f.t.Fatal(err)
		}
		m[i.ContactEmail] = tok
	}
	return m
}

func (f *fixture) invitation(wave, email string) survey.Invitation {
	f.t.Helper()
	invs, err := f.store.Invitations(context.Background(), wave)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, i := range invs {
		if i.ContactEmail == email {
			return i
		}
	}
	f.t.Fatalf("no invitation for %s in %s", email, wave)
	return survey.Invitation{}
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.env.App.DB.QueryRow(q, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

var csrfValue = regexp.MustCompile(`name="_csrf" value="[^"]*"`)

// fullAnswers is a complete, valid answer set of the default questionnaire.
func fullAnswers(w survey.Wave) url.Values {
	return url.Values{
		"wave": {w.ID}, "version": {fmt.Sprint(w.VersionID)}, "action": {"submit"},
		"q_used_mailbox": {"yes"}, "q_setup_problem": {"yes"}, "q_setup_problem_kinds": {"employee_signature", "rights_roles"},
		"q_ease": {"4"}, "q_contacted_support": {"no"}, "q_third_party_access": {"no"},
		"q_missing_features": {"search_folders"}, "q_comments": {"Fint <b>nok</b>"},
	}
}

// smtpServer is a tiny real SMTP server on loopback that keeps what it gets.
type smtpServer struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []mailMsg
}

type mailMsg struct {
	To   string
	Data string
}

func newSMTPServer(t testing.TB) *smtpServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { fmt.Fprintf(c, "%s\r\n", line) }
	say("220 test ESMTP")
	var to string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250-test")
			say("250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"):
			to = strings.Trim(strings.TrimSpace(line)[len("RCPT TO:"):], "<>")
			say("250 ok")
		case cmd == "DATA":
			say("354 go ahead")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, mailMsg{To: to, Data: b.String()})
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		case cmd == "RSET", cmd == "NOOP":
			say("250 ok")
		default:
			say("502 not implemented")
		}
	}
}

func (s *smtpServer) take() []mailMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.msgs
	s.msgs = nil
	return m
}
