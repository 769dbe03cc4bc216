package sources

import (
	"context"
	"io"
	"net"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
	"github.com/pilotpulse/pilotpulse/analytics/demofeed"
	"github.com/pilotpulse/pilotpulse/analytics/ingest"
	"github.com/pilotpulse/pilotpulse/internal/warehouse"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
)

// cutProxy forwards TCP connections to a server until it is cut: then it
// drops every open connection and refuses new ones (accepts and closes
// them), as a ClickHouse that went away would.
type cutProxy struct {
	ln     net.Listener
	target string
	down   atomic.Bool
	mu     sync.Mutex
	conns  map[net.Conn]bool
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.cut() })
	return p
}

func (p *cutProxy) track(c net.Conn, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on {
		p.conns[c] = true
	} else {
		delete(p.conns, c)
	}
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if p.down.Load() {
			c.Close()
			continue
		}
		go func() {
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				return
			}
			p.track(c, true)
			p.track(up, true)
			go func() { io.Copy(up, c); up.Close() }()
			io.Copy(c, up)
			c.Close()
			p.track(c, false)
			p.track(up, false)
		}()
	}
}

// cut drops every connection and refuses new ones until up.
func (p *cutProxy) cut() {
	p.down.Store(true)
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

func (p *cutProxy) up() { p.down.Store(false) }

// TestPullRecoversWhenClickHouseReturns: while ClickHouse is away a pulled
// source keeps pulling into the backlog (acknowledged in the ledger, as a
// push is), up to its bound; past it a page is a failure with back-off and
// an unchanged cursor. When ClickHouse is back the puller carries on by
// itself and every event is stored exactly once. (Before the backlog every
// page failed while ClickHouse was away.)
func TestPullRecoversWhenClickHouseReturns(t *testing.T) {
	direct, dsn := warehousetest.NewDatabase(t)
	if _, err := warehouse.Migrate(context.Background(), direct, warehouse.Migrations); err != nil {
		t.Fatal(err)
	}
	proxy := newCutProxy(t, warehousetest.Server(t).TCPAddr())
	proxied, err := warehouse.Open(context.Background(), strings.Replace(dsn, warehousetest.Server(t).TCPAddr(), proxy.ln.Addr().String(), 1))
	if err != nil {
		t.Fatal(err)
	}
	defer proxied.Close()
	db := analyticstest.NewDB(t, t.TempDir())
	reach := LocalReach(t)
	env := pullEnv{db: db, ing: ingest.New(db, proxied, analyticstest.QuietLogger()), sources: NewSources(db).Within(reach), reach: reach}

	demo := demofeed.DemoEvents(8, 12, 3)
	total := len(demo.Events)
	bound := int64(total / 2)
	env.ing.SetBacklogLimit(ingest.BacklogLimit{Events: bound})
	upstream := httptest.NewServer(demofeed.FeedHandler(demo.Events, demofeed.FeedOptions{}))
	defer upstream.Close()
	const page = 40
	src, err := env.sources.Create(context.Background(), SourceInput{Name: "through-proxy", Kind: KindHTTPFeed, URL: upstream.URL + "/events", IntervalSeconds: 1, BatchLimit: page})
	if err != nil {
		t.Fatal(err)
	}
	cursor := func() int {
		s := getSource(t, env.sources, src.ID)
		if s.Status.Cursor == nil {
			return 0
		}
		n, _ := strconv.Atoi(*s.Status.Cursor)
		return n
	}
	env.startPuller(t, fastPull)
	waitFor(t, "some pages stored", func() bool { return cursor() >= total/8 })
	proxy.cut()
	at := cursor()
	waitFor(t, "the backlog to fill up", func() bool { return getSource(t, env.sources, src.ID).Status.ConsecutiveFailures >= 1 })
	full := cursor()
	b, err := env.ing.Backlog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if full <= at || b.Events > bound || b.Events+page <= bound {
		t.Fatalf("while away the cursor went from %d to %d, backlog %d events: want pages pulled up to the bound %d", at, full, b.Events, bound)
	}
	waitFor(t, "more failures", func() bool { return getSource(t, env.sources, src.ID).Status.ConsecutiveFailures >= 3 })
	st := getSource(t, env.sources, src.ID).Status
	if cursor() != full || full >= total {
		t.Fatalf("the cursor moved from %d to %d past the bound (total %d)", full, cursor(), total)
	}
	if !st.Failing || !strings.Contains(st.LastError, "backlog") {
		t.Fatalf("status past the bound: %+v", st)
	}
	t.Logf("ClickHouse away at cursor %d of %d, pulled on to %d: %s", at, total, full, st.LastError)

	proxy.up()
	waitFor(t, "the feed to be caught up", func() bool { return cursor() == total })
	if err := env.ing.Flush(context.Background()); err != nil { // the last pages may still be on their way
		t.Fatal(err)
	}
	var n, uniq uint64
	if err := direct.QueryRow(context.Background(), `SELECT count(), uniqExact(event_id) FROM events WHERE source = 'through-proxy'`).Scan(&n, &uniq); err != nil {
		t.Fatal(err)
	}
	if n != uint64(total) || uniq != n {
		t.Fatalf("ClickHouse holds %d events (%d distinct); the feed has %d", n, uniq, total)
	}
	if st := getSource(t, env.sources, src.ID).Status; st.Failing || st.EventsPulled != int64(total) {
		t.Errorf("status after recovery: %+v", st)
	}
}
