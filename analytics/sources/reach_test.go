package sources

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pilotpulse/pilotpulse/analytics/demofeed"
	"github.com/pilotpulse/pilotpulse/internal/problem"
)

func fieldMessage(t *testing.T, err error, field string) string {
	t.Helper()
	fs, ok := problem.AsFields(err)
	if !ok || !fs.Has(field) {
		t.Fatalf("error %v, want one on %s", err, field)
	}
	for _, f := range fs {
		if f.Field == field {
			return f.Message.Key
		}
	}
	return ""
}

// Directory sources live under the import root: a folder outside it, by
// its path, by .. or through a symbolic link, is refused on its field, and
// a folder that leaves the root after it was saved is refused at the pull
// (its files stay untouched).
func TestDirectorySourcesStayInTheImportRoot(t *testing.T) {
	env := newPullEnv(t)
	root := t.TempDir()
	outside := t.TempDir()
	env.reach.ImportRoot = root
	s := NewSources(env.db).Within(env.reach)
	ctx := context.Background()
	os.MkdirAll(filepath.Join(root, "exports"), 0o755)
	os.Symlink(outside, filepath.Join(root, "link"))
	for _, dir := range []string{"/etc", outside, filepath.Join(root, "..", filepath.Base(outside)), filepath.Join(root, "link"), filepath.Join(root, "exports", "..", "..")} {
		_, err := s.Create(ctx, SourceInput{Name: "x", Kind: KindDirectory, Directory: dir})
		if key := fieldMessage(t, err, "directory"); key != "sources.dir_outside_root" {
			t.Errorf("%s: %s, want sources.dir_outside_root", dir, key)
		}
	}
	if _, err := NewSources(env.db).Create(ctx, SourceInput{Name: "x", Kind: KindDirectory, Directory: filepath.Join(root, "exports")}); fieldMessage(t, err, "directory") != "sources.dir_outside_root" {
		t.Errorf("no import root configured: %v", err)
	}
	// A relative folder is taken from the import root.
	src, err := s.Create(ctx, SourceInput{Name: "exports", Kind: KindDirectory, Directory: "exports", IntervalSeconds: 1})
	if err != nil || src.Directory != filepath.Join(root, "exports") {
		t.Fatalf("relative folder: %+v %v", src, err)
	}
	if _, err := s.Update(ctx, src.ID, SourceInput{Directory: filepath.Join(root, "link")}); fieldMessage(t, err, "directory") != "sources.dir_outside_root" {
		t.Errorf("edit to a link out of the root: %v", err)
	}

	// The folder becomes a link to elsewhere after it was saved.
	os.Remove(filepath.Join(root, "exports"))
	os.Symlink(outside, filepath.Join(root, "exports"))
	export := filepath.Join(outside, "secret.ndjson")
	os.WriteFile(export, ndjsonOf(t, demofeed.DemoEvents(1, 2, 1).Events[:3]), 0o644)
	env.startPuller(t, fastPull)
	waitFor(t, "the pull to fail", func() bool { return getSource(t, s, src.ID).Status.Failing })
	if st := getSource(t, s, src.ID).Status; !strings.Contains(st.LastError, "outside the import root") {
		t.Errorf("last error %q", st.LastError)
	}
	if !exists(export) || exists(filepath.Join(outside, DoneFolder)) {
		t.Error("a file outside the import root was moved")
	}
}

// Feeds reach public addresses only, unless the configuration allows a
// class: a literal refused address or an unlisted host is refused on its
// field, and a name that resolves to a refused address is refused when
// connecting (no request reaches it, nothing of an answer is shown), as is
// a redirect to an unlisted host.
func TestFeedReach(t *testing.T) {
	var hits atomic.Int64
	secret := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte("root:x:0:0:secret-answer"))
	}))
	defer secret.Close()
	port := strconv.Itoa(secret.Listener.Addr().(*net.TCPAddr).Port)

	env := newPullEnv(t)
	ctx := context.Background()
	public := NewSources(env.db).Within(Reach{})
	for raw, key := range map[string]string{
		"http://127.0.0.1:" + port + "/events":  "sources.url_address_refused",
		"http://[::1]/events":                   "sources.url_address_refused",
		"http://169.254.169.254/latest/meta":    "sources.url_address_refused",
		"http://10.1.2.3/events":                "sources.url_address_refused",
		"http://0.0.0.0/events":                 "sources.url_address_refused",
		"http://[::ffff:127.0.0.1]:8080/events": "sources.url_address_refused",
	} {
		_, err := public.Create(ctx, SourceInput{Name: "x", Kind: KindHTTPFeed, URL: raw})
		if got := fieldMessage(t, err, "url"); got != key {
			t.Errorf("%s: %s, want %s", raw, got, key)
		}
	}
	listed := NewSources(env.db).Within(Reach{FeedHosts: []string{"upstream.example"}})
	if _, err := listed.Create(ctx, SourceInput{Name: "x", Kind: KindHTTPFeed, URL: "https://other.example/events"}); fieldMessage(t, err, "url") != "sources.url_host_not_allowed" {
		t.Errorf("unlisted host: %v", err)
	}
	if _, err := listed.Create(ctx, SourceInput{Name: "ok", Kind: KindHTTPFeed, URL: "https://UPSTREAM.example./events"}); err != nil {
		t.Errorf("listed host: %v", err)
	}

	// localhost passes as a name, but it resolves to loopback: refused at
	// connect time, so a name that changes its answer cannot get round it.
	src, err := public.Create(ctx, SourceInput{Name: "named", Kind: KindHTTPFeed, URL: "http://localhost:" + port + "/events", IntervalSeconds: 1})
	if err != nil {
		t.Fatal(err)
	}
	env.reach = Reach{}
	env.startPuller(t, fastPull)
	waitFor(t, "the pull to fail", func() bool { return getSource(t, public, src.ID).Status.Failing })
	st := getSource(t, public, src.ID).Status
	if !strings.Contains(st.LastError, "is loopback: refused") || strings.Contains(st.LastError, "secret-answer") || hits.Load() != 0 {
		t.Errorf("last error %q, %d requests reached the loopback server", st.LastError, hits.Load())
	}

	// Allowed loopback, listed 127.0.0.1 only: a redirect to localhost is refused.
	good := httptest.NewServer(demofeed.FeedHandler(demofeed.DemoEvents(2, 2, 1).Events, demofeed.FeedOptions{}))
	defer good.Close()
	redirect := httptest.NewServer(http.RedirectHandler("http://localhost:"+port+"/events", http.StatusFound))
	defer redirect.Close()
	loop := Reach{FeedHosts: []string{"127.0.0.1"}, Allow: []string{AddrLoopback}}
	client := loop.feedClient()
	if resp, err := client.Get(good.URL + "/events?limit=1"); err != nil || resp.StatusCode != 200 {
		t.Errorf("allowed loopback feed: %v", err)
	} else {
		resp.Body.Close()
	}
	if _, err := client.Get(redirect.URL); err == nil || !strings.Contains(err.Error(), "PILOTPULSE_FEED_HOSTS") || hits.Load() != 0 {
		t.Errorf("redirect to an unlisted host: %v", err)
	}
}

func TestAddressClasses(t *testing.T) {
	for a, want := range map[string]string{
		"8.8.8.8": "", "2a00:1450::1": "", "127.0.0.53": AddrLoopback, "::1": AddrLoopback, "::ffff:127.0.0.1": AddrLoopback,
		"169.254.169.254": AddrLinkLocal, "fe80::1": AddrLinkLocal, "10.0.0.1": AddrPrivate, "192.168.1.1": AddrPrivate,
		"172.16.0.1": AddrPrivate, "fd00::1": AddrPrivate, "0.0.0.0": "unspecified", "::": "unspecified", "224.0.0.1": "multicast", "ff02::1": "multicast",
	} {
		if got := addressClass(netip.MustParseAddr(a)); got != want {
			t.Errorf("%s: %q, want %q", a, got, want)
		}
	}
	all := Reach{Allow: []string{AddrLoopback, AddrPrivate, AddrLinkLocal}}
	if all.checkAddr(netip.MustParseAddr("0.0.0.0")) == nil || all.checkAddr(netip.MustParseAddr("224.0.0.1")) == nil {
		t.Error("unspecified or multicast allowed")
	}
}

// A feed address refused by the default (production) reach says how to
// allow it: the setting and its value, in the reader's language; an
// address no setting allows says so.
func TestFeedReachRefusalNamesTheSetting(t *testing.T) {
	env := newPullEnv(t)
	public := NewSources(env.db).Within(Reach{})
	for raw, want := range map[string][2]string{
		"http://127.0.0.1:9900/events": {"start Pilotpulse with PILOTPULSE_FEED_ALLOW_PRIVATE=loopback to allow it", "start Pilotpulse med PILOTPULSE_FEED_ALLOW_PRIVATE=loopback for at tillade det"},
		"http://192.168.1.20/events":   {"PILOTPULSE_FEED_ALLOW_PRIVATE=private", "PILOTPULSE_FEED_ALLOW_PRIVATE=private"},
		"http://0.0.0.0/events":        {"no setting allows it", "det kan ingen indstilling tillade"},
	} {
		_, err := public.Create(context.Background(), SourceInput{Name: "x", Kind: KindHTTPFeed, URL: raw})
		fs, ok := problem.AsFields(err)
		if !ok || !strings.Contains(fs.In("en")["url"], want[0]) || !strings.Contains(fs.In("da")["url"], want[1]) {
			t.Errorf("%s: %v, want %q / %q", raw, fs.In("en"), want[0], want[1])
		}
	}
}
