// Command bench-ingest measures durable HTTP ingest against clickhouse-client.
//
// It generates N valid usage events as NDJSON, starts a private ClickHouse
// (internal/warehouse) and the real `pilotpulse serve` binary on it, creates a
// source token with `pilotpulse token create --source bench`, POSTs the file
// in batches (concurrent senders) and reports events/s; then it times
// `clickhouse-client --query "INSERT INTO scratch FORMAT JSONEachRow" < file`
// into a table shaped like events, and prints both, their ratio, the CPU
// time of both processes per million events, the app's peak RSS (VmHWM)
// and the ingest ledger's bytes per event. The ingest's clock stops when
// ClickHouse holds every event, not at the last answer. Then (-history) it
// pushes more events spread over two later years, printing the ledger's
// size as the history grows past the dedup horizon (it stays flat).
//
//	go run ./cmd/bench-ingest [-n 1000000] [-batch 10000] [-senders 3] [-history 1000000]
//	go run ./cmd/bench-ingest -soak 50000000 [-rate 100000]
//
// -soak pushes that many generated events at a steady rate (soak.go).
//
// Run it from the repository root (it builds ./cmd/pilotpulse).
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/warehouse"
)

func main() {
	n := flag.Int("n", 1_000_000, "events to send")
	batch := flag.Int("batch", 10_000, "events per request")
	senders := flag.Int("senders", 3, "concurrent HTTP senders")
	keep := flag.Bool("keep", false, "keep the temporary folder")
	flag.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the serve process to this file")
	flag.BoolVar(&shuffled, "shuffled", false, "spread every batch over the whole two months (worst case for the rollups) instead of time order")
	history := flag.Int("history", 1_000_000, "events pushed after the measurement, over two later years, to show the ledger's size stay flat (0: none)")
	soakN := flag.Int("soak", 0, "instead: push this many generated events at a steady rate and print RSS, ledger size and a figures check (soak.go)")
	rate := flag.Int("rate", 100_000, "events per second of -soak")
	flag.Parse()
	var err error
	if *soakN > 0 {
		err = runSoak(*soakN, *rate, *batch, *senders, *keep)
	} else {
		err = run(*n, *batch, *senders, *keep, *history)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-ingest:", err)
		os.Exit(1)
	}
}

// workDir makes a temporary folder; cleanup removes it unless keep (then
// its name is printed).
func workDir(prefix string, keep bool) (dir string, cleanup func(), err error) {
	dir, err = os.MkdirTemp("", prefix)
	if err != nil {
		return "", nil, err
	}
	if keep {
		fmt.Println("folder:", dir)
		return dir, func() {}, nil
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}

func run(n, batchSize, senders int, keep bool, history int) error {
	ctx := context.Background()
	dir, cleanup, err := workDir("pilotpulse-bench-", keep)
	if err != nil {
		return err
	}
	defer cleanup()
	file := filepath.Join(dir, "events.ndjson")
	fmt.Printf("generating %d events ... ", n)
	size, err := generate(file, n)
	if err != nil {
		return err
	}
	fmt.Printf("%d MB\n", size>>20)

	a, err := startApp(ctx, dir)
	if err != nil {
		return err
	}
	defer a.stop()
	serve, m := a.serve, a.ch

	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	batches := split(data, batchSize)
	data = nil
	fmt.Printf("sending %d batches of %d with %d senders ... ", len(batches), batchSize, senders)
	appCPU0, chCPU0 := cpuSeconds(serve.Process.Pid), cpuSeconds(m.Pid())
	start := time.Now()
	next := make(chan []byte)
	go func() {
		for _, b := range batches {
			next <- b
		}
		close(next)
	}()
	accepted, dups, err := a.push(senders, next)
	ackTime := time.Since(start)
	if err != nil {
		return err
	}
	// The clock stops once ClickHouse has every event (a 200 means durable
	// in the app's ledger; the insert may still be running).
	conn, err := warehouse.Open(ctx, m.DSN())
	if err != nil {
		return err
	}
	defer conn.Close()
	for {
		var rows uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM events").Scan(&rows); err != nil {
			return err
		}
		if rows >= uint64(n) {
			break
		}
		if time.Since(start) > 10*time.Minute {
			return fmt.Errorf("ClickHouse holds %d of %d events after 10 minutes", rows, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	httpTime := time.Since(start)
	appCPU, chCPU := cpuSeconds(serve.Process.Pid)-appCPU0, cpuSeconds(m.Pid())-chCPU0
	hwm := vmHWM(serve.Process.Pid)
	fmt.Println("done")
	if accepted != int64(n) {
		return fmt.Errorf("accepted %d of %d events (%d duplicates)", accepted, n, dups)
	}
	ledger, err := a.ledgerSize(ctx)
	if err != nil {
		return err
	}

	// Baseline: clickhouse-client, same file, a table shaped like events.
	client2 := func(query string, stdin io.Reader) error {
		cmd := exec.Command("clickhouse-client", "--host", "127.0.0.1", "--port", strconv.Itoa(tcpPort(m.TCPAddr())),
			"--database", warehouse.DatabaseName, "--input_format_skip_unknown_fields=1", "--date_time_input_format=best_effort", "--query", query)
		cmd.Stdin = stdin
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("clickhouse-client %q: %v: %s", query, err, out)
		}
		return nil
	}
	if err := client2("CREATE TABLE scratch AS events", nil); err != nil {
		return err
	}
	// Let the merges of the ingest settle, so they do not slow the baseline.
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		cmd := exec.Command("clickhouse-client", "--host", "127.0.0.1", "--port", strconv.Itoa(tcpPort(m.TCPAddr())),
			"--query", "SELECT count() FROM system.merges")
		out, err := cmd.Output()
		if err != nil || strings.TrimSpace(string(out)) == "0" {
			break
		}
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Print("clickhouse-client INSERT ... FORMAT JSONEachRow ... ")
	start = time.Now()
	if err := client2("INSERT INTO scratch FORMAT JSONEachRow", bufio.NewReaderSize(f, 1<<20)); err != nil {
		return err
	}
	chTime := time.Since(start)
	fmt.Println("done")

	httpRate := float64(n) / httpTime.Seconds()
	chRate := float64(n) / chTime.Seconds()
	order := "in time order"
	if shuffled {
		order = "shuffled over two months"
	}
	fmt.Printf("\nevents: %d (NDJSON, %d MB, %s, batches of %d, %d senders)\n", n, size>>20, order, batchSize, senders)
	fmt.Printf("pilotpulse durable HTTP ingest: %8.0f events/s (%.2f s until ClickHouse has all; the last 200 came at %.2f s)\n", httpRate, httpTime.Seconds(), ackTime.Seconds())
	fmt.Printf("clickhouse-client JSONEachRow:  %8.0f events/s (%.2f s)\n", chRate, chTime.Seconds())
	fmt.Printf("ratio (ingest / clickhouse-client): %.2f (goal >= 1.0)\n", httpRate/chRate)
	fmt.Printf("app peak RSS (VmHWM): %d MB (goal <= 300 MB)\n", hwm>>20)
	fmt.Printf("CPU during the HTTP ingest: app %.1f s, clickhouse-server %.1f s\n", appCPU, chCPU)
	perM := 1e6 / float64(n)
	fmt.Printf("CPU per million events: app %.2f s (goal <= 2.0 s), clickhouse-server %.2f s\n", appCPU*perM, chCPU*perM)
	fmt.Printf("ingest ledger: %d bytes for %d events inside the dedup horizon: %.1f bytes per event (%d day tables)\n",
		ledger.bytes, n, float64(ledger.bytes)/float64(n), ledger.days)
	if history > 0 {
		return a.pushHistory(ctx, history, batchSize, senders)
	}
	return nil
}

// cpuProfile names the file for a CPU profile of the serve process.
var cpuProfile string

// shuffled makes generate spread events over the two months at random.
var shuffled bool

// generate writes n valid events, mostly message.sent, over Nov-Dec 2012,
// in time order give or take ten minutes (as a live feed sends them), from
// 300 companies and 40 authorities picked at random.
func generate(path string, n int) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	start := time.Date(2012, 11, 1, 0, 0, 0, 0, time.FixedZone("", 3600))
	for i := range n {
		x := uint64(i)*2654435761 + 12345
		// i*span overflows int64 (it did before: the events fell into a
		// few hours, not two months).
		at := start.Add(time.Duration(float64(60*24*time.Hour)*float64(i)/float64(n)) - time.Duration(x%600)*time.Second)
		if shuffled {
			at = start.Add(time.Duration(x%(60*24*3600)) * time.Second)
		}
		writeEvent(w, "ev-", i, at)
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), f.Close()
}

var (
	companies   = cvrs(1000000, 300)
	authorities = cvrs(2000000, 40)
	eventTypes  = []string{"message.sent", "message.sent", "message.sent", "message.read", "user.login", "message.moved"}
)

// writeEvent writes event number i (id prefix+i) as an NDJSON line: mostly
// message.sent, from 300 companies and 40 authorities picked by i.
func writeEvent(w io.Writer, prefix string, i int, t time.Time) {
	x := uint64(i)*2654435761 + 12345
	at := t.Format(time.RFC3339)
	typ := eventTypes[x%uint64(len(eventTypes))]
	company := companies[(x>>8)%uint64(len(companies))]
	switch typ {
	case "message.sent":
		ch := "digital"
		if x%5 == 0 {
			ch = "remote_print"
		}
		fmt.Fprintf(w, `{"event_id":"%s%d","occurred_at":"%s","type":"message.sent","company_cvr":"%s","authority_cvr":"%s","channel":"%s","has_metadata":%t,"has_deep_link":%t,"message_ref":"msg-%d"}`+"\n",
			prefix, i, at, company, authorities[(x>>16)%uint64(len(authorities))], ch, x%3 == 0, x%4 == 0, i)
	case "user.login":
		fmt.Fprintf(w, `{"event_id":"%s%d","occurred_at":"%s","type":"user.login","company_cvr":"%s","user_ref":"user-%d"}`+"\n", prefix, i, at, company, x%5000)
	default:
		fmt.Fprintf(w, `{"event_id":"%s%d","occurred_at":"%s","type":"%s","company_cvr":"%s","message_ref":"msg-%d","folder":"Indbakke","by_rule":false}`+"\n", prefix, i, at, typ, company, x%100000)
	}
}

// cvrs returns count modulus-11-valid CVRs from 7-digit prefixes upward.
func cvrs(from, count int) []string {
	w := []int{2, 7, 6, 5, 4, 3, 2}
	var out []string
	for p := from; len(out) < count; p++ {
		s := strconv.Itoa(p)
		sum := 0
		for i := range 7 {
			sum += int(s[i]-'0') * w[i]
		}
		for d := 0; d <= 9; d++ {
			if (sum+d)%11 == 0 {
				out = append(out, s+strconv.Itoa(d))
				break
			}
		}
	}
	return out
}

func split(data []byte, per int) [][]byte {
	var out [][]byte
	for len(data) > 0 {
		end, lines := 0, 0
		for end < len(data) && lines < per {
			k := bytes.IndexByte(data[end:], '\n')
			if k < 0 {
				end = len(data)
				break
			}
			end += k + 1
			lines++
		}
		out = append(out, data[:end])
		data = data[end:]
	}
	return out
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func tcpPort(addr string) int {
	_, p, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(p)
	return n
}

func waitReady(base string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("pilotpulse serve was not ready at %s within %s", base, timeout)
}

// vmHWM is the peak resident set size of a process, in bytes.
func vmHWM(pid int) int64 { return procStatusKB(pid, "VmHWM:") << 10 }

// vmRSS is the resident set size of a process now, in bytes.
func vmRSS(pid int) int64 { return procStatusKB(pid, "VmRSS:") << 10 }

// procStatusKB reads a field in kB of /proc/PID/status.
func procStatusKB(pid int, field string) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}

// cpuSeconds is the user+system CPU time a process has used so far.
func cpuSeconds(pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(raw)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	return (utime + stime) / 100 // clock ticks; USER_HZ is 100 on Linux
}
