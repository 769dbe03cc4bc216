package main

import (
	"context"
	"fmt"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/warehouse"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// soakSpan is the history a soak of n events is spread over, in time
// order: three years for 50 M (about 45,000 events a day), as many days
// at that density for fewer, but at least 200 days, so that the 90-day
// dedup horizon is passed early on. (At a lower density the batches
// waiting for ClickHouse, up to about 200,000 events, span many days, and
// compaction keeps those days until they are stored.)
func soakSpan(n int) time.Duration {
	days := max(200, int64(n)*3*365/50_000_000)
	return time.Duration(days) * 24 * time.Hour
}

// runSoak pushes n generated events at a steady rate (events per second)
// through the real app, prints its RSS and the ledger's size at 10 M, 25 M
// and 50 M events (or the same shares of n), then checks a sample of
// authority-week volume figures against a count of the raw events.
func runSoak(n, rate, batch, senders int, keep bool) error {
	ctx := context.Background()
	dir, cleanup, err := workDir("pilotpulse-soak-", keep)
	if err != nil {
		return err
	}
	defer cleanup()
	a, err := startApp(ctx, dir)
	if err != nil {
		return err
	}
	defer a.stop()
	start := time.Date(2012, 1, 2, 0, 0, 0, 0, time.UTC)
	fmt.Printf("soak: %d events over %s from %s at %d events/s, batches of %d, %d senders\n",
		n, soakSpan(n), start.Format(time.DateOnly), rate, batch, senders)
	marks := []int{n / 5, n / 2, n} // 10 M, 25 M, 50 M of 50 M
	source := generated("s-", n, batch, start, soakSpan(n))
	paced := make(chan []byte)
	began := time.Now()
	sent := 0
	var pushErr error
	done := make(chan struct{})
	var accepted int64
	go func() {
		defer close(done)
		var dups int64
		accepted, dups, pushErr = a.push(senders, paced)
		if pushErr == nil && accepted != int64(n) {
			pushErr = fmt.Errorf("accepted %d of %d (%d duplicates)", accepted, n, dups)
		}
	}()
	for b := range source {
		// Steady: batch k leaves at k*batch/rate seconds.
		if wait := time.Until(began.Add(time.Duration(float64(sent) / float64(rate) * float64(time.Second)))); wait > 0 {
			time.Sleep(wait)
		}
		paced <- b
		sent += countLines(b)
		if len(marks) > 0 && sent >= marks[0] {
			marks = marks[1:]
			s, err := a.ledgerSize(ctx)
			if err != nil {
				return err
			}
			fmt.Printf("  %8d events sent (%.0f s): app RSS %d MB (peak %d MB), ledger %.1f MB in %d day tables\n",
				sent, time.Since(began).Seconds(), vmRSS(a.serve.Process.Pid)>>20, vmHWM(a.serve.Process.Pid)>>20, float64(s.bytes)/(1<<20), s.days)
		}
	}
	close(paced)
	<-done
	if pushErr != nil {
		return pushErr
	}
	fmt.Printf("pushed %d events in %.0f s (%.0f events/s)\n", n, time.Since(began).Seconds(), float64(n)/time.Since(began).Seconds())
	return checkFigures(ctx, a, int64(n))
}

// checkFigures waits until ClickHouse has all n events, then compares the
// volume figure (from the rollup) of a sample of authority-weeks with a
// count of message.sent in events.
func checkFigures(ctx context.Context, a *app, n int64) error {
	conn, err := warehouse.Open(ctx, a.ch.DSN())
	if err != nil {
		return err
	}
	defer conn.Close()
	for deadline := time.Now().Add(10 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		var rows uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM events").Scan(&rows); err != nil {
			return err
		}
		if rows >= uint64(n) {
			if rows != uint64(n) {
				return fmt.Errorf("ClickHouse holds %d events, %d were pushed", rows, n)
			}
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("ClickHouse holds %d of %d events after 10 minutes", rows, n)
		}
	}
	rows, err := conn.Query(ctx, `SELECT authority_cvr, toString(toMonday(toDate(occurred_at, 'Europe/Copenhagen'))) AS monday, count()
		FROM events WHERE type = 'message.sent'
		GROUP BY authority_cvr, monday ORDER BY cityHash64(authority_cvr, monday) LIMIT 20`)
	if err != nil {
		return err
	}
	defer rows.Close()
	checked, wrong := 0, 0
	for rows.Next() {
		var authority, monday string
		var count uint64
		if err := rows.Scan(&authority, &monday, &count); err != nil {
			return err
		}
		t, err := time.Parse(time.DateOnly, monday)
		if err != nil {
			return err
		}
		w := week.Of(t.Add(12 * time.Hour))
		vols, err := figures.VolumePerAuthorityWeek(ctx, conn, auth.AuthorityScope(authority), week.Range{From: w, To: w})
		if err != nil {
			return err
		}
		var figure uint64
		for _, v := range vols {
			figure += v.Messages
		}
		checked++
		if figure != count {
			wrong++
			fmt.Printf("  %s %s: figure %d, events %d\n", authority, w, figure, count)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	fmt.Printf("volume figures of %d sampled authority-weeks: %d equal the count from events\n", checked, checked-wrong)
	if wrong > 0 {
		return fmt.Errorf("%d of %d sampled figures differ from events", wrong, checked)
	}
	return nil
}

func countLines(b []byte) int {
	n := 0
	for _, c := range b {
		if c == '\n' {
			n++
		}
	}
	return n
}
