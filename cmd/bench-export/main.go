// Command bench-export measures the raw events export (reports/exports)
// against a bare excelize StreamWriter program writing the same rows.
//
// It starts a private ClickHouse (internal/warehouse), opens the app on it,
// registers 300 authorities and 30,000 companies (their names go into the
// export) and loads N usage events spread over 2012 straight into `events`
// (INSERT ... SELECT FROM numbers() on the server). Then it runs, each as a
// separate process (this program again, with -child):
//
//   - writer: the export as `pilotpulse export events` and the /reports
//     jobs write it (exports.Deps.Write: ClickHouse 4 weeks at a time, the
//     registry's names, reports.Stream with its styles, the formula rule);
//   - bare: the same query 4 weeks at a time and the same names from the
//     registry, each row's values handed to excelize's StreamWriter as
//     they come (no styles, no column widths, no frozen header).
//
// Each prints its rows, seconds and peak RSS (VmHWM); the parent adds its
// CPU seconds (user + system) and prints both side by side with the ratio
// of throughputs (goal: the writer at least 0.8 of bare, at most 200 MB).
//
//	go run ./cmd/bench-export [-n 2000000] [-format xlsx]
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/xuri/excelize/v2"

	"github.com/pilotpulse/pilotpulse/internal/app"
	"github.com/pilotpulse/pilotpulse/internal/config"
	"github.com/pilotpulse/pilotpulse/internal/store"
	"github.com/pilotpulse/pilotpulse/internal/warehouse"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/reports/exports"
	"github.com/pilotpulse/pilotpulse/reports/jobs"
)

const (
	authorities = 300
	companies   = 30_000
	fromWeek    = "2011-W52" // 2012-01-01 is a Sunday
	toWeek      = "2013-W01" // 2012-12-31 is a Monday
)

// result is what a child prints (one JSON line).
type result struct {
	Rows    int64   `json:"rows"`
	Seconds float64 `json:"seconds"`
	PeakKB  int64   `json:"peak_kb"`
	Bytes   int64   `json:"bytes"`
}

func main() {
	n := flag.Int64("n", 2_000_000, "events to load and export")
	format := flag.String("format", "xlsx", "xlsx or csv (the writer; bare writes xlsx)")
	child := flag.String("child", "", "internal: run one side (writer or bare)")
	dsn := flag.String("dsn", "", "internal: the ClickHouse of the child")
	dataDir := flag.String("data-dir", "", "internal: the app's data dir for the child")
	out := flag.String("o", "", "internal: the file the child writes")
	flag.Parse()
	var err error
	if *child != "" {
		err = runChild(*child, *dsn, *dataDir, *out, *format)
	} else {
		err = run(*n, *format)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-export:", err)
		os.Exit(1)
	}
}

func run(n int64, format string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "pilotpulse-bench-export-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	quiet := slog.New(slog.DiscardHandler)
	m, err := warehouse.StartManaged(ctx, filepath.Join(dir, "clickhouse"), quiet)
	if err != nil {
		return err
	}
	defer m.Stop()
	cfg := config.Default()
	cfg.DataDir, cfg.ClickHouseDSN = filepath.Join(dir, "data"), m.DSN()+"?read_timeout=30m"
	a, err := app.Open(ctx, cfg, quiet, app.Options{ClickHouse: true})
	if err != nil {
		return err
	}
	if err := register(ctx, a); err != nil {
		a.Close()
		return err
	}
	fmt.Printf("loading %d events (%d authorities, %d companies, 2012) ... ", n, authorities, companies)
	start := time.Now()
	err = a.CH.Exec(ctx, fmt.Sprintf(`INSERT INTO events (source, event_id, occurred_at, received_at, type, company_cvr, authority_cvr,
			channel, has_metadata, has_deep_link, by_rule, message_ref, user_ref, rights_model, reason, folder, role, batch_id)
		SELECT 'bench', toString(number), at, at, 'message.sent',
			toString(30000000 + intHash64(number * 3 + 1) %% %d), toString(20000000 + intHash64(number * 3 + 2) %% %d),
			if(number %% 10 < 8, 'digital', 'remote_print'), toNullable(toUInt8(number %% 7 < 4)), toNullable(toUInt8(number %% 5 < 2)),
			NULL, concat('msg-', toString(number)), '', '', '', '', '', 0
		FROM (SELECT number, toDateTime('2012-01-01 00:00:00', 'UTC') + toUInt32(number * %d / %d) AS at FROM numbers(%d))
		SETTINGS max_block_size = 1048576`, companies, authorities, 365*86400-1, n, n))
	if err != nil {
		a.Close()
		return fmt.Errorf("loading events: %w", err)
	}
	fmt.Printf("%.1f s\n", time.Since(start).Seconds())
	a.Close()

	fmt.Printf("exporting %d events, %s .. %s, each side in its own process:\n", n, fromWeek, toWeek)
	sides := []string{"bare", "writer"}
	results := map[string]result{}
	cpu := map[string]float64{}
	for _, side := range sides {
		path := filepath.Join(dir, side+"."+map[bool]string{true: format, false: "xlsx"}[side == "writer"])
		self, err := os.Executable()
		if err != nil {
			return err
		}
		cmd := exec.CommandContext(ctx, self, "-child", side, "-dsn", cfg.ClickHouseDSN, "-data-dir", cfg.DataDir, "-o", path, "-format", format)
		cmd.Stderr = os.Stderr
		outb, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("%s: %w", side, err)
		}
		var r result
		if err := json.Unmarshal(outb, &r); err != nil {
			return fmt.Errorf("%s said %q: %w", side, outb, err)
		}
		results[side] = r
		cpu[side] = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
		fmt.Printf("  %-7s %9d rows  %6.1f s  %8.0f rows/s  %6.1f CPU-s  peak RSS %4d MB  file %4d MB\n", side, r.Rows, r.Seconds,
			float64(r.Rows)/r.Seconds, cpu[side], r.PeakKB/1024, r.Bytes>>20)
		os.Remove(path)
	}
	w, b := results["writer"], results["bare"]
	ratio := (float64(w.Rows) / w.Seconds) / (float64(b.Rows) / b.Seconds)
	verdict := func(ok bool) string { return map[bool]string{true: "met", false: "MISSED"}[ok] }
	fmt.Printf("  throughput writer/bare: %.2f (goal >= 0.80: %s); CPU-seconds bare/writer: %.2f; writer's peak RSS %d MB (goal <= 200 MB: %s)\n",
		ratio, verdict(ratio >= 0.8), cpu["bare"]/cpu["writer"], w.PeakKB/1024, verdict(w.PeakKB <= 200*1024))
	return nil
}

// register adds the authorities and companies the events name.
func register(ctx context.Context, a *app.App) error {
	tx, err := a.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for i := range authorities {
		if _, err := tx.ExecContext(ctx, `INSERT INTO authorities (cvr, name, kind, created_at, updated_at) VALUES (?, ?, 'state', datetime('now'), datetime('now'))`,
			strconv.Itoa(20000000+i), fmt.Sprintf("Myndighed %d", i)); err != nil {
			return err
		}
	}
	for i := range companies {
		if _, err := tx.ExecContext(ctx, `INSERT INTO companies (cvr, name, kind, created_at, updated_at) VALUES (?, ?, 'company', datetime('now'), datetime('now'))`,
			strconv.Itoa(30000000+i), fmt.Sprintf("Virksomhed %d ApS", i)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func runChild(side, dsn, dataDir, out, format string) error {
	ctx := context.Background()
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 256<<10)
	var rows int64
	var start time.Time
	switch side {
	case "writer":
		cfg := config.Default()
		cfg.DataDir, cfg.ClickHouseDSN = dataDir, dsn
		a, err := app.Open(ctx, cfg, slog.New(slog.DiscardHandler), app.Options{ClickHouse: true})
		if err != nil {
			return err
		}
		defer a.Close()
		d := a.ExportDeps()
		spec, err := d.Check(ctx, exports.Input{Kind: exports.Events, Format: format, From: fromWeek, To: toWeek}, jobs.System, "da")
		if err != nil {
			return err
		}
		start = time.Now()
		if rows, err = d.Write(ctx, spec, jobs.System.Scope(), w, nil); err != nil {
			return err
		}
	case "bare":
		ch, err := warehouse.Open(ctx, dsn)
		if err != nil {
			return err
		}
		defer ch.Close()
		db, err := store.Open(ctx, filepath.Join(dataDir, "pilotpulse.db"))
		if err != nil {
			return err
		}
		defer db.Close()
		start = time.Now()
		if rows, err = bare(ctx, ch, db, w); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown side %q", side)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(result{Rows: rows, Seconds: secs, PeakKB: peakKB(), Bytes: info.Size()})
}

// bare writes the same rows with nothing but excelize's StreamWriter: the
// same query 4 weeks at a time, one sheet (2,000,000 rows would need two: it
// starts the second at Excel's limit too), the same names, no styles.
func bare(ctx context.Context, ch driver.Conn, db *store.DB, w *bufio.Writer) (int64, error) {
	companyNames, err := exports.RegistryNames(ctx, db, "companies")
	if err != nil {
		return 0, err
	}
	authorityNames, err := exports.RegistryNames(ctx, db, "authorities")
	if err != nil {
		return 0, err
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet, sheets := "Sheet1", 1
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return 0, err
	}
	header := []any{"week", "occurred_at", "type", "company_cvr", "company", "authority_cvr", "authority", "channel", "has_metadata", "has_deep_link", "by_rule",
		"message_ref", "user_ref", "rights_model", "reason", "folder", "role", "source"}
	if err := sw.SetRow("A1", header); err != nil {
		return 0, err
	}
	var n int64
	row, sheetRow := make([]any, len(header)), 1
	var (
		at                                                                 time.Time
		typ, company, authority, channel                                   string
		meta, deep, rule                                                   *uint8
		messageRef, userRef, rightsModel, reason, folder, role, sourceName string
	)
	last := week.MustParse(toWeek)
	for wk := week.MustParse(fromWeek); !wk.After(last); wk = wk.Add(4) { // 4 weeks a query, as the export
		hi := wk.Add(3)
		if hi.After(last) {
			hi = last
		}
		rows, err := ch.Query(ctx, `SELECT occurred_at, type, company_cvr, authority_cvr, channel, has_metadata, has_deep_link, by_rule,
				message_ref, user_ref, rights_model, reason, folder, role, source
			FROM events WHERE occurred_at >= toDateTime(?, 'UTC') AND occurred_at < toDateTime(?, 'UTC') ORDER BY occurred_at, company_cvr`,
			wk.Start().UTC().Format(time.DateTime), hi.End().UTC().Format(time.DateTime))
		if err != nil {
			return n, err
		}
		var weekText string
		var weekEnd time.Time
		for rows.Next() {
			if err := rows.Scan(&at, &typ, &company, &authority, &channel, &meta, &deep, &rule,
				&messageRef, &userRef, &rightsModel, &reason, &folder, &role, &sourceName); err != nil {
				rows.Close()
				return n, err
			}
			if sheetRow == excelize.TotalRows {
				if err := sw.Flush(); err != nil {
					return n, err
				}
				sheets++
				sheet = fmt.Sprintf("Sheet%d", sheets)
				if _, err := f.NewSheet(sheet); err != nil {
					return n, err
				}
				if sw, err = f.NewStreamWriter(sheet); err != nil {
					return n, err
				}
				if err := sw.SetRow("A1", header); err != nil {
					return n, err
				}
				sheetRow = 1
			}
			if !at.Before(weekEnd) {
				w := week.Of(at)
				weekText, weekEnd = w.String(), w.End()
			}
			sheetRow++
			row[0], row[1], row[2], row[3], row[4], row[5], row[6] = weekText, at, typ, company, companyNames[company], authority, authorityNames[authority]
			row[7], row[8], row[9], row[10] = channel, nullable(meta), nullable(deep), nullable(rule)
			row[11], row[12], row[13], row[14], row[15], row[16], row[17] = messageRef, userRef, rightsModel, reason, folder, role, sourceName
			cell, _ := excelize.CoordinatesToCellName(1, sheetRow)
			if err := sw.SetRow(cell, row); err != nil {
				rows.Close()
				return n, err
			}
			n++
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return n, err
		}
	}
	if err := sw.Flush(); err != nil {
		return n, err
	}
	_, err = f.WriteTo(w)
	return n, err
}

// nullable is a Nullable(UInt8) as a cell value.
func nullable(v *uint8) any {
	if v == nil {
		return nil
	}
	return *v
}

// peakKB is this process's peak resident set (VmHWM), in KiB.
func peakKB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return -1
}
