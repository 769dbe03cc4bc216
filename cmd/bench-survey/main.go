// Command bench-survey measures how fast the respondent page takes answers:
// many respondents submit the weekly questionnaire at once (default 200
// concurrent) against the real app (real SQLite, real HTTP on loopback), and
// the same run serves GET /healthz at the same concurrency as the baseline.
// It prints throughput and p50/p99 latency of both, side by side.
//
//	go run ./cmd/bench-survey [-respondents 2000] [-concurrency 200]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/app"
	"github.com/pilotpulse/pilotpulse/internal/config"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/survey"
)

func main() {
	respondents := flag.Int("respondents", 2000, "respondents who each submit once")
	concurrency := flag.Int("concurrency", 200, "respondents submitting at the same time")
	flag.Parse()
	if err := run(*respondents, *concurrency); err != nil {
		fmt.Fprintln(os.Stderr, "bench-survey:", err)
		os.Exit(1)
	}
}

type result struct {
	name      string
	latencies []time.Duration
	elapsed   time.Duration
	errors    int
}

func (r result) pct(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(p * float64(len(r.latencies)-1))
	return r.latencies[i]
}

func (r result) rate() float64 { return float64(len(r.latencies)) / r.elapsed.Seconds() }

func run(n, conc int) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "bench-survey-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := config.Default()
	cfg.DataDir = dir
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	cfg.BaseURL = base
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.Open(ctx, cfg, logger, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	srv, err := a.Web()
	if err != nil {
		return err
	}
	go srv.App.Listener(ln)
	defer srv.Shutdown(5 * time.Second)

	// The pilot: companies of 5 contacts each, one wave open now.
	var companies []registry.Company
	for i := 0; len(companies)*5 < n; i++ {
		c := registry.Company{CVR: cvr(1000000 + i*7), Name: fmt.Sprintf("Bench %04d A/S", i), Kind: "company"}
		for j := range 5 {
			c.Contacts = append(c.Contacts, registry.Contact{Name: fmt.Sprintf("Kontakt %d", j), Email: fmt.Sprintf("c%d.%d@bench.test", i, j), Language: "da"})
		}
		companies = append(companies, c)
	}
	if _, err := a.Registry.UpsertCompanies(ctx, companies); err != nil {
		return err
	}
	snd := a.Survey // no mail server in cfg: nothing is sent
	if err := snd.Store.SetSchedule(ctx, survey.Schedule{OpenWeekday: 1, OpenTime: "00:00", CloseAfterDays: 7, ReminderAfterDays: 2, MaxReminders: 2}); err != nil {
		return err
	}
	w, _, err := snd.Store.CreateWave(ctx, week.Of(time.Now()).String(), "bench")
	if err != nil {
		return err
	}
	invs, err := snd.Store.Invitations(ctx, w.ID)
	if err != nil {
		return err
	}
	tokens := make([]string, 0, n)
	for _, inv := range invs[:n] {
		tok, err := snd.Store.Token(inv)
		if err != nil {
			return err
		}
		tokens = append(tokens, tok)
	}

	client := &http.Client{Transport: &http.Transport{MaxIdleConns: conc * 2, MaxIdleConnsPerHost: conc * 2}, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	// Each respondent first opens its page (not timed) to get the form's CSRF token.
	csrfs := make([]string, n)
	fetch := parallel(conc, n, func(i int) error {
		req, _ := http.NewRequest("GET", base+"/q/"+tokens[i], nil)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := csrfField.FindSubmatch(body)
		if resp.StatusCode != 200 || m == nil {
			return fmt.Errorf("GET form: status %d", resp.StatusCode)
		}
		csrfs[i] = string(m[1])
		return nil
	})
	if fetch.errors > 0 {
		return fmt.Errorf("%d respondents could not open their page", fetch.errors)
	}

	health := parallel(conc, n, func(i int) error {
		resp, err := client.Get(base + "/healthz")
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("healthz %d", resp.StatusCode)
		}
		return nil
	})
	health.name = "GET /healthz"

	submit := parallel(conc, n, func(i int) error {
		form := url.Values{"_csrf": {csrfs[i]}, "wave": {w.ID}, "version": {fmt.Sprint(w.VersionID)}, "action": {"submit"},
			"q_used_mailbox": {"yes"}, "q_setup_problem": {"yes"}, "q_setup_problem_kinds": {"employee_signature", "rights_roles"},
			"q_ease": {fmt.Sprint(i%5 + 1)}, "q_contacted_support": {"yes"}, "q_support_desk": {"eboks"}, "q_support_solved": {"no"},
			"q_third_party_access": {"no"}, "q_missing_features": {"search_folders", "recover_deleted"}, "q_comments": {"Benchmark-svar nummer " + fmt.Sprint(i)}}
		req, _ := http.NewRequest("POST", base+"/q/"+tokens[i], strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "pp_csrf", Value: csrfs[i]})
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			return fmt.Errorf("submit: status %d", resp.StatusCode)
		}
		return nil
	})
	submit.name = "POST /q/TOKEN (submit)"

	var submitted, answers int
	a.DB.QueryRow(`SELECT count(*) FROM survey_invitations WHERE wave_id = ? AND status = 'submitted'`, w.ID).Scan(&submitted)
	a.DB.QueryRow(`SELECT count(*) FROM survey_answers WHERE wave_id = ?`, w.ID).Scan(&answers)

	fmt.Printf("survey submit benchmark: %d respondents, %d concurrent, real SQLite (WAL) and HTTP on loopback\n", n, conc)
	fmt.Printf("%-26s %10s %10s %10s %8s\n", "", "req/s", "p50", "p99", "errors")
	for _, r := range []result{health, submit} {
		fmt.Printf("%-26s %10.0f %10s %10s %8d\n", r.name, r.rate(), r.pct(0.50).Round(10*time.Microsecond), r.pct(0.99).Round(10*time.Microsecond), r.errors)
	}
	fmt.Printf("submit / healthz: throughput %.2fx, p50 %.1fx, p99 %.1fx slower\n", submit.rate()/health.rate(),
		float64(submit.pct(0.5))/float64(max(health.pct(0.5), 1)), float64(submit.pct(0.99))/float64(max(health.pct(0.99), 1)))
	fmt.Printf("check: %d of %d invitations submitted, %d answers stored (%d per respondent)\n", submitted, n, answers, answers/max(submitted, 1))
	if submit.errors > 0 || submitted != n {
		return fmt.Errorf("%d submits failed; %d of %d stored", submit.errors, submitted, n)
	}
	return nil
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// parallel runs fn(0..n-1) on conc workers and times each call.
func parallel(conc, n int, fn func(i int) error) result {
	var mu sync.Mutex
	var r result
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				t0 := time.Now()
				err := fn(i)
				d := time.Since(t0)
				mu.Lock()
				if err != nil {
					r.errors++
					if r.errors <= 3 {
						fmt.Fprintln(os.Stderr, "bench-survey:", err)
					}
				} else {
					r.latencies = append(r.latencies, d)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	r.elapsed = time.Since(start)
	slices.Sort(r.latencies)
	return r
}

// cvr makes a modulus-11-valid CVR near n.
func cvr(n int) string { return registry.NextCVR(n) }
