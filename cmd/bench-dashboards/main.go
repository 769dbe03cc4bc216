// Command bench-dashboards measures the dashboards at national scale.
//
// It starts a private ClickHouse (internal/warehouse), opens the app on it
// (both stores migrated), registers 300 authorities and 100,000 companies,
// and loads N usage events with the national shape (300 authorities,
// 100,000 companies, one year, 80 % message.sent) straight into `events`
// with INSERT ... SELECT FROM numbers() on the server, so the rollups fill
// through their materialized views as on any insert. It then rebuilds the
// weekly volume figures (analytics/figures Volume), serves the app on a
// local port and times, over HTTP as an admin, the volume page, the volume
// JSON route and the overview route (median and p95), side by side with
// the same questions asked as raw aggregates over `events`, and their
// ratios (goal: at most 0.1). With -growth it loads more events into the
// same database (when the disk and -max-load allow: else it says why),
// and prints how much slower the routes got (goal: at most 2).
//
// With -dir the folder is kept, and a later run on it with the same -n
// measures again without loading (to compare code on the same data).
//
//	go run ./cmd/bench-dashboards [-n 10000000] [-growth 100000000] [-runs 20] [-dir DIR]
//	go run ./cmd/bench-dashboards -workbook [-n 10000000]   (workbook.go)
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/internal/app"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/config"
	"github.com/pilotpulse/pilotpulse/internal/warehouse"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// The national shape (-workbook: the weekly workbook's pilot).
var (
	authorities = 300
	companies   = 100_000
)

const (
	days  = 366 // 2012
	chunk = 1_000_000
)

func main() {
	n := flag.Int64("n", 10_000_000, "events to load")
	growth := flag.Int64("growth", 0, "then grow the same database to this many events and measure again (0: no)")
	runs := flag.Int("runs", 20, "timed requests per route and query (after 2 unmeasured)")
	maxLoad := flag.Duration("max-load", 45*time.Minute, "skip the growth step when loading it would take longer")
	keep := flag.Bool("keep", false, "keep the temporary folder")
	reuse := flag.String("dir", "", "use and keep this folder; when it holds the -n events already, measure them without loading")
	profile := flag.String("cpuprofile", "", "write a CPU profile of this process (the app's handlers) while the routes are timed")
	workbook := flag.Bool("workbook", false, "instead: time the weekly workbook of a pilot of 3,000 companies and 50 authorities with n events")
	flag.Parse()
	cpuProfile = *profile
	if *workbook {
		companies, authorities, *growth, *runs = workbookCompanies, workbookAuthorities, 0, min(*runs, 5)
	}
	if err := run(*n, *growth, *runs, *maxLoad, *keep, *workbook, *reuse); err != nil {
		fmt.Fprintln(os.Stderr, "bench-dashboards:", err)
		os.Exit(1)
	}
}

// cpuProfile is the file of the CPU profile of the first measurement ("": none).
var cpuProfile string

func run(n, growth int64, runs int, maxLoad time.Duration, keep, workbook bool, reuse string) error {
	ctx := context.Background()
	dir, err := reuse, os.MkdirAll(reuse, 0o700)
	if reuse == "" {
		dir, err = os.MkdirTemp("", "pilotpulse-bench-dashboards-")
	}
	if err != nil {
		return err
	}
	if keep || reuse != "" {
		fmt.Println("folder:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	quiet := slog.New(slog.DiscardHandler)
	m, err := warehouse.StartManaged(ctx, filepath.Join(dir, "clickhouse"), quiet)
	if err != nil {
		return err
	}
	defer m.Stop()
	cfg := config.Default()
	cfg.DataDir, cfg.ClickHouseDSN = filepath.Join(dir, "data"), m.DSN()+"?read_timeout=30m" // a chunk of the load is one long insert
	a, err := app.Open(ctx, cfg, quiet, app.Options{ClickHouse: true})
	if err != nil {
		return err
	}
	defer a.Close()
	// The loaded events only: the overview's "after new events" row adds
	// setup failures of source bench-late to a reused folder.
	var stored uint64
	if err := a.CH.QueryRow(ctx, `SELECT count() FROM events WHERE source = 'bench'`).Scan(&stored); err != nil {
		return err
	}
	var loadTook time.Duration
	switch {
	case stored == uint64(n):
		fmt.Printf("%d events loaded before in %s\n", n, dir)
		if loadTook, err = loadTime(dir); err != nil {
			return err
		}
	case stored > 0:
		return fmt.Errorf("%s holds %d events, not %d: use another folder", dir, stored, n)
	default:
		if err := register(ctx, a); err != nil {
			return err
		}
		fmt.Printf("loading %d events (%d authorities, %d companies, one year) ... ", n, authorities, companies)
		if loadTook, err = load(ctx, a.CH, 0, n); err != nil {
			return err
		}
		fmt.Printf("%.1f s\n", loadTook.Seconds())
		if err := os.WriteFile(filepath.Join(dir, "load-time"), []byte(loadTook.String()), 0o600); err != nil {
			return err
		}
	}
	if err := report(ctx, a.CH, "rollup_messages_daily", "rollup_company_daily"); err != nil {
		return err
	}
	start := time.Now()
	if _, err := a.Volume.Rebuild(ctx); err != nil {
		return err
	}
	fmt.Printf("weekly volume figures computed in %.1f s\n", time.Since(start).Seconds())
	if err := report(ctx, a.CH, "volume_weekly"); err != nil {
		return err
	}

	if workbook {
		return benchWorkbook(ctx, a, n, runs)
	}
	base, token, stop, err := serve(ctx, a)
	if err != nil {
		return err
	}
	defer stop()
	b := bench{ch: a.CH, base: base, token: token, runs: runs, chPid: m.Pid()}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	first := b.measure(ctx)
	pprof.StopCPUProfile()
	if first.err != nil {
		return first.err
	}
	first.print(n)
	if err := b.functions(ctx, a); err != nil {
		return err
	}
	if growth <= n {
		return nil
	}

	// The growth step: the same database, growth events in all.
	bytes, err := diskBytes(ctx, a.CH)
	if err != nil {
		return err
	}
	need := uint64(float64(bytes) * float64(growth-n) / float64(n) * 1.3) // merges need room
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil {
		return err
	}
	free := fs.Bavail * uint64(fs.Bsize)
	eta := time.Duration(float64(loadTook) * float64(growth-n) / float64(n))
	switch {
	case need > free:
		fmt.Printf("growth to %d events skipped: it needs about %d MB of disk, %d MB are free\n", growth, need>>20, free>>20)
		return nil
	case eta > maxLoad:
		fmt.Printf("growth to %d events skipped: loading would take about %s here, more than -max-load %s\n", growth, eta.Round(time.Second), maxLoad)
		return nil
	}
	fmt.Printf("growing to %d events (about %s, %d MB) ... ", growth, eta.Round(time.Second), need>>20)
	took, err := load(ctx, a.CH, n, growth-n)
	if err != nil {
		return err
	}
	fmt.Printf("%.1f s\n", took.Seconds())
	start = time.Now()
	if _, err := a.Volume.Rebuild(ctx); err != nil {
		return err
	}
	fmt.Printf("weekly volume figures recomputed in %.1f s\n", time.Since(start).Seconds())
	grown := b.measure(ctx)
	if grown.err != nil {
		return grown.err
	}
	grown.print(growth)
	fmt.Printf("\ngrowth %d -> %d events (goal: the routes' median at most 2x):\n", n, growth)
	for i, r := range grown.rows {
		fmt.Printf("  %-28s %8s -> %8s  x%.2f\n", r.name, ms(first.rows[i].route.p50), ms(r.route.p50), r.route.p50.Seconds()/first.rows[i].route.p50.Seconds())
	}
	return nil
}

// loadTime is how long the load of the events in dir took (written there
// by the run that loaded them).
func loadTime(dir string) (time.Duration, error) {
	b, err := os.ReadFile(filepath.Join(dir, "load-time"))
	if err != nil {
		return 0, err
	}
	return time.ParseDuration(string(b))
}

// register puts the authorities and companies of the events in the
// registry (the pages name them), in one transaction each.
func register(ctx context.Context, a *app.App) error {
	now := time.Now().UTC()
	kinds := []string{"state", "municipality", "region"}
	if _, err := a.DB.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO authorities (cvr, name, kind, weekly_target, created_at, updated_at)
		SELECT printf('%08d', 20000000 + i), 'Myndighed ' || i, CASE i % 10 WHEN 0 THEN ? WHEN 1 THEN ? ELSE ? END,
			CASE WHEN i % 3 = 0 THEN NULL ELSE 500 END, ?, ? FROM n`, authorities-1, kinds[0], kinds[2], kinds[1], now, now); err != nil {
		return fmt.Errorf("authorities: %w", err)
	}
	if _, err := a.DB.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO companies (cvr, name, kind, cohort, created_at, updated_at)
		SELECT printf('%08d', 30000000 + i), 'Virksomhed ' || i, 'company', 'hold ' || (i % 4), ?, ? FROM n`, companies-1, now, now); err != nil {
		return fmt.Errorf("companies: %w", err)
	}
	return nil
}

// load inserts count events numbered from offset, in chunks, on the
// server: spread evenly over 2012 in time order (as a live feed sends
// them; each block lands in few partitions), 80 % message.sent, then
// reads, logins, setup failures and third-party grants; authority,
// company, channel and flags drawn by hashes.
func load(ctx context.Context, ch driver.Conn, offset, count int64) (time.Duration, error) {
	start := time.Now()
	for lo := offset; lo < offset+count; lo += chunk {
		size := min(chunk, offset+count-lo)
		err := ch.Exec(ctx, fmt.Sprintf(`INSERT INTO events (source, event_id, occurred_at, received_at, type, company_cvr, authority_cvr,
				channel, has_metadata, has_deep_link, by_rule, message_ref, user_ref, rights_model, reason, folder, role, batch_id)
			SELECT 'bench', toString(n), at, at, typ,
				toString(30000000 + intHash64(n * 3 + 1) %% %d),
				if(typ = 'message.sent', toString(20000000 + intHash64(n * 3 + 2) %% %d), ''),
				if(typ = 'message.sent', if(h %% 10 < 8, 'digital', 'remote_print'), ''),
				if(typ = 'message.sent', toNullable(toUInt8(h %% 7 < 4)), NULL),
				if(typ = 'message.sent', toNullable(toUInt8(h %% 5 < 2)), NULL),
				NULL, if(typ = 'message.sent', toString(n), ''), '', '', if(typ = 'mailbox.setup_failed', 'nemid', ''), '', '', 0
			FROM (SELECT n, h, toDateTime('2012-01-01 00:00:00', 'UTC') + toUInt32((n - %d) * %d / %d) + h %% 600 AS at,
					multiIf(h %% 100 < 80, 'message.sent', h %% 100 < 90, 'message.read', h %% 100 < 97, 'user.login',
						h %% 100 < 99, 'mailbox.setup_failed', 'access.third_party_granted') AS typ
				FROM (SELECT number + %d AS n, intHash64(number + %d + 7777777) AS h FROM numbers(%d)))
			SETTINGS max_block_size = 1048576`,
			companies, authorities, offset, days*86400-600, count, lo, lo, size))
		if err != nil {
			return 0, fmt.Errorf("load events %d..%d: %w", lo, lo+size, err)
		}
	}
	return time.Since(start), nil
}

// report prints the rows of tables.
func report(ctx context.Context, ch driver.Conn, tables ...string) error {
	for _, t := range tables {
		var rows uint64
		if err := ch.QueryRow(ctx, `SELECT count() FROM `+t).Scan(&rows); err != nil {
			return err
		}
		fmt.Printf("  %s: %d rows\n", t, rows)
	}
	return nil
}

// diskBytes is what the database's tables take on disk.
func diskBytes(ctx context.Context, ch driver.Conn) (uint64, error) {
	var b uint64
	err := ch.QueryRow(ctx, `SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND database = currentDatabase()`).Scan(&b)
	if err != nil { // 18.16 has no bytes_on_disk
		err = ch.QueryRow(ctx, `SELECT sum(bytes) FROM system.parts WHERE active AND database = currentDatabase()`).Scan(&b)
	}
	return b, err
}

// serve runs the app's routes on a local port and returns its URL and an
// admin's API token.
func serve(ctx context.Context, a *app.App) (string, string, func(), error) {
	srv, err := a.Web()
	if err != nil {
		return "", "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", nil, err
	}
	go srv.App.Listener(ln)
	email := fmt.Sprintf("bench-%d@pilotpulse.local", time.Now().UnixNano()) // a folder reused has earlier ones
	if _, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: email, Role: auth.RoleAdmin, Password: auth.GeneratePassword()}); err != nil {
		return "", "", nil, err
	}
	_, token, err := a.Auth.CreateUserToken(ctx, email, "bench", "bench")
	if err != nil {
		return "", "", nil, err
	}
	return "http://" + ln.Addr().String(), token, func() { srv.App.Shutdown() }, nil
}

// timing is the median and 95th percentile latency, and the CPU time per
// run of this process (the app's handlers; the HTTP client is a small part)
// and of the ClickHouse server.
type timing struct{ p50, p95, app, ch time.Duration }

type result struct {
	name       string
	route, raw timing
}

type results struct {
	rows []result
	load string // the load average when measured
	err  error
}

type bench struct {
	ch          driver.Conn
	base, token string
	runs        int
	chPid       int // the ClickHouse server's process
}

// time runs f 2 times unmeasured, then b.runs times, and returns the
// median and the 95th percentile.
func (b bench) time(f func() error) (timing, error) { return b.timeAfter(nil, f) }

// timeAfter is time with before run ahead of every f, neither timed nor
// counted in the CPU per request.
func (b bench) timeAfter(before, f func() error) (timing, error) {
	var d []time.Duration
	var app0, ch0 time.Duration
	for i := range b.runs + 2 {
		if i == 2 {
			app0, ch0 = selfCPU(), processCPU(b.chPid)
		}
		if before != nil {
			a, c := selfCPU(), processCPU(b.chPid)
			if err := before(); err != nil {
				return timing{}, err
			}
			app0, ch0 = app0+selfCPU()-a, ch0+processCPU(b.chPid)-c
		}
		start := time.Now()
		if err := f(); err != nil {
			return timing{}, err
		}
		if i >= 2 {
			d = append(d, time.Since(start))
		}
	}
	app, ch := selfCPU()-app0, processCPU(b.chPid)-ch0
	slices.Sort(d)
	return timing{p50: d[len(d)/2], p95: d[min(len(d)-1, (len(d)*95+99)/100-1)],
		app: app / time.Duration(b.runs), ch: ch / time.Duration(b.runs)}, nil
}

// selfCPU is the CPU time (user and system) this process used so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// processCPU is the CPU time (user and system) process pid used so far,
// from /proc (0 where there is none).
func processCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command (in parentheses): state is the 3rd field,
	// utime and stime the 14th and 15th, in clock ticks (100 per second).
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * 10 * time.Millisecond
}

// loadAverage is the machine's load average (1, 5, 15 minutes).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// get is one request as the admin; anything but 200 is an error.
func (b bench) get(path string) error {
	req, err := http.NewRequest("GET", b.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+b.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return err
	}
	if res.StatusCode != 200 {
		return fmt.Errorf("GET %s: %s", path, res.Status)
	}
	return nil
}

// raw runs queries one after the other, reading every row.
func (b bench) raw(ctx context.Context, queries ...string) error {
	for _, q := range queries {
		rows, err := b.ch.Query(ctx, q)
		if err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
		for rows.Next() {
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// The raw questions, as the figures count them: per authority and
// Copenhagen week, over the Copenhagen days from the first date to the
// second (exclusive); occurred_at bounds let ClickHouse skip partitions.
const (
	rawDay    = `toDate(occurred_at, 'Europe/Copenhagen')`
	rawDays   = `occurred_at >= toDateTime('%s 00:00:00', 'Europe/Copenhagen') AND occurred_at < toDateTime('%s 00:00:00', 'Europe/Copenhagen')`
	rawVolume = `SELECT authority_cvr, toMonday(` + rawDay + `) AS w, count(), countIf(channel = 'digital'), countIf(channel = 'remote_print'),
		countIf(has_metadata = 1), countIf(has_deep_link = 1), uniqExact(company_cvr)
		FROM events WHERE type = 'message.sent' AND ` + rawDays + ` GROUP BY authority_cvr, w`
	rawSpan      = `SELECT min(occurred_at), max(occurred_at) FROM events`
	rawCompanies = `SELECT toMonday(` + rawDay + `) AS w, company_cvr FROM events WHERE type = '%s' AND ` + rawDays + ` GROUP BY w, company_cvr`
)

// measure times the routes and their raw questions. The data ends in
// 2013-W01 (31 December 2012 is in it).
func (b bench) measure(ctx context.Context) results {
	out := results{load: loadAverage()}
	var before func() error // ahead of each request of the route, untimed
	add := func(name, path string, queries ...string) {
		if out.err != nil {
			return
		}
		r := result{name: name}
		if r.route, out.err = b.timeAfter(before, func() error { return b.get(path) }); out.err != nil {
			return
		}
		r.raw, out.err = b.time(func() error { return b.raw(ctx, queries...) })
		out.rows = append(out.rows, r)
	}
	// The page, four weeks: the period and the four before it (ranking
	// changes), and the newest week with messages (the default period).
	add("volume page, 4 weeks", "/dashboards/volume?period=4w", rawSpan, fmt.Sprintf(rawVolume, "2012-11-26", "2013-01-07"))
	add("volume JSON, 12 weeks", "/api/v1/metrics/volume?from=2012-W41&to=2013-W01",
		rawSpan, fmt.Sprintf(rawVolume, "2012-07-16", "2013-01-07"))
	add("volume JSON, whole year", "/api/v1/metrics/volume?period=pilot", rawSpan, fmt.Sprintf(rawVolume, "2011-12-26", "2013-01-07"))
	// The overview: the span of weeks, the companies with a setup failure
	// and with third-party access from the first week on, and the
	// messages per authority of its trend weeks.
	add("overview (admin)", "/api/v1/metrics/overview", rawSpan,
		fmt.Sprintf(rawCompanies, "mailbox.setup_failed", "2011-12-26", "2013-01-07"), fmt.Sprintf(rawCompanies, "access.third_party_granted", "2011-12-26", "2013-01-07"),
		fmt.Sprintf(rawVolume, "2012-11-12", "2013-01-07"))
	// The same after new events: one setup failure inserted ahead of each
	// request changes company_weeks, so the overview cannot answer from
	// what it kept (as under a steady ingest; the volume figures are read
	// again by their refresher after it writes, not by a view).
	n := 0
	before = func() error {
		n++
		return b.ch.Exec(ctx, fmt.Sprintf(`INSERT INTO events (source, event_id, occurred_at, received_at, type, company_cvr, reason)
			SELECT 'bench-late', 'late-%d', toDateTime('2012-12-20 10:00:00', 'UTC'), now(), 'mailbox.setup_failed', '%d', 'nemid'`, n, 30000000+n%companies))
	}
	add("overview, after new events", "/api/v1/metrics/overview", rawSpan,
		fmt.Sprintf(rawCompanies, "mailbox.setup_failed", "2011-12-26", "2013-01-07"), fmt.Sprintf(rawCompanies, "access.third_party_granted", "2011-12-26", "2013-01-07"),
		fmt.Sprintf(rawVolume, "2012-11-12", "2013-01-07"))
	return out
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func (r results) print(n int64) {
	fmt.Printf("\n%d events: median / p95 latency (goal: route/raw at most 0.1); load average %s on %d cores\n", n, r.load, runtime.NumCPU())
	fmt.Printf("  %-28s %22s %22s %8s   %s\n", "", "route (pre-aggregated)", "raw over events", "ratio", "CPU per request: route app + ClickHouse, raw ClickHouse")
	for _, x := range r.rows {
		fmt.Printf("  %-28s %10s / %9s %10s / %9s %8.3f   %s + %s, %s\n", x.name, ms(x.route.p50), ms(x.route.p95), ms(x.raw.p50), ms(x.raw.p95), x.route.p50.Seconds()/x.raw.p50.Seconds(),
			ms(x.route.app), ms(x.route.ch), ms(x.raw.ch))
	}
}

// functions times the volume figure functions alone, in this process (no
// HTTP, no page), to tell the ClickHouse reads from the rest of a route.
func (b bench) functions(ctx context.Context, a *app.App) error {
	year := week.Range{From: week.MustParse("2012-W01"), To: week.MustParse("2013-W01")}
	four := week.Range{From: week.MustParse("2012-W45"), To: week.MustParse("2013-W01")}
	for _, f := range []struct {
		name string
		run  func() error
	}{
		{"Volume.Span", func() error { _, _, _, err := a.Volume.Span(ctx, auth.SystemScope()); return err }},
		{"Volume.PerAuthorityWeek 8 wk", func() error { _, err := a.Volume.PerAuthorityWeek(ctx, auth.SystemScope(), four); return err }},
		{"Volume.PerAuthorityWeek year", func() error { _, err := a.Volume.PerAuthorityWeek(ctx, auth.SystemScope(), year); return err }},
		{"VolumePerAuthorityWeek 8 wk", func() error {
			_, err := figures.VolumePerAuthorityWeek(ctx, a.CH, auth.SystemScope(), four)
			return err
		}},
	} {
		t, err := b.time(f.run)
		if err != nil {
			return err
		}
		fmt.Printf("  %-28s %10s / %9s\n", f.name, ms(t.p50), ms(t.p95))
	}
	return nil
}
