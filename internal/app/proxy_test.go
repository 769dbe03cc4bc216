package app_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/config"
)

// browser is a client behind a reverse proxy on the loopback: the proxy
// says who it is in X-Forwarded-For.
type browser struct {
	t    *testing.T
	base string
	xff  string
	http *http.Client
	csrf string
}

func newBrowser(t *testing.T, base, xff string) *browser {
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: base, xff: xff, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	b.csrf = csrfOf(t, b.do(http.MethodGet, "/login", nil))
	return b
}

func (b *browser) do(method, path string, form url.Values) string {
	b.t.Helper()
	req, _ := http.NewRequest(method, b.base+path, strings.NewReader(form.Encode()))
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("X-Forwarded-For", b.xff)
	resp, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.Status + "\n" + string(body)
}

func (b *browser) signIn(email, password string) int {
	b.t.Helper()
	status := b.do(http.MethodPost, "/login", url.Values{"email": {email}, "password": {password}, "_csrf": {b.csrf}})
	switch {
	case strings.HasPrefix(status, "303"):
		return 303
	case strings.HasPrefix(status, "401"):
		return 401
	case strings.HasPrefix(status, "429"):
		return 429
	}
	b.t.Fatalf("sign-in: %.300s", status)
	return 0
}

// Behind a trusted reverse proxy the sign-in throttle and the audit log
// see each client's own address (the right-most one the proxies did not
// add); an untrusted peer's X-Forwarded-For is ignored.
func TestSignInThrottlePerClientBehindTrustedProxy(t *testing.T) {
	trusted := func(proxies ...string) apptest.Options {
		return apptest.Options{NoClickHouse: true, Config: func(c *config.Config) {
			for _, p := range proxies {
				c.TrustedProxies = append(c.TrustedProxies, netip.MustParsePrefix(p))
			}
		}}
	}
	failFive := func(b *browser, email string) {
		t.Helper()
		for i := 0; i < 5; i++ {
			if code := b.signIn(email, "wrong password"); code != 401 {
				t.Fatalf("failure %d: %d, want 401", i, code)
			}
		}
		if code := b.signIn(email, apptest.Password); code != 429 {
			t.Fatalf("6th attempt: %d, want 429", code)
		}
	}

	// The proxy on the loopback is trusted, and so is an inner proxy at
	// 10.0.0.7: the client is the address left of it, whatever a client
	// claims further left.
	env := apptest.New(t, trusted("127.0.0.1/32", "10.0.0.0/8"))
	base := env.Listen()
	u := env.User(auth.RoleSupport, "")
	failFive(newBrowser(t, base, "198.51.100.9, 203.0.113.1, 10.0.0.7"), u.Email)
	other := newBrowser(t, base, "203.0.113.2")
	if code := other.signIn(u.Email, apptest.Password); code != 303 {
		t.Fatalf("another client behind the same proxy: %d, want 303 (throttled separately)", code)
	}
	es := auditActions(t, env, audit.SignInFailed)
	if len(es) != 5 || es[0].IP != "203.0.113.1" {
		t.Fatalf("failed sign-ins audited %d times, IP %q: want 5 from 203.0.113.1", len(es), es[0].IP)
	}
	if es := auditActions(t, env, audit.SignIn); len(es) != 1 || es[0].IP != "203.0.113.2" {
		t.Fatalf("sign-in audited as %+v, want from 203.0.113.2", es)
	}

	// A peer that is not a trusted proxy cannot choose its address.
	env = apptest.New(t, trusted("10.0.0.1/32"))
	base = env.Listen()
	u = env.User(auth.RoleSupport, "")
	failFive(newBrowser(t, base, "203.0.113.1"), u.Email)
	if code := newBrowser(t, base, "203.0.113.2").signIn(u.Email, apptest.Password); code != 429 {
		t.Fatalf("an untrusted peer's X-Forwarded-For was believed: %d, want 429", code)
	}
	if es := auditActions(t, env, audit.SignInFailed); es[0].IP != "127.0.0.1" {
		t.Fatalf("untrusted peer audited as %q, want 127.0.0.1", es[0].IP)
	}
}
