// Package apptest runs the real Pilotpulse app for tests: a fresh SQLite
// file, a fresh database on a real ClickHouse server (warehousetest), the
// real web frame with every route and middleware, and clients that sign in
// as each role. Nothing is mocked.
//
// Packages using it need the TestMain of warehousetest:
//
//	func TestMain(m *testing.M) { code := m.Run(); warehousetest.Shutdown(); os.Exit(code) }
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/app"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/config"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

// Password is the password of every user Env creates.
const Password = "correct-horse-battery-staple"

// Env is one running app.
type Env struct {
	T   testing.TB
	App *app.App
	Web *web.Server
	Dir string
	// Logs holds what the app logged (JSON lines).
	Logs *bytes.Buffer
	n    atomic.Int64
}

// Options tune New.
type Options struct {
	// NoClickHouse opens only the app database (faster; for SQLite-only packages).
	NoClickHouse bool
	// Config changes the configuration before the app opens.
	Config func(*config.Config)
}

// New starts an app on a fresh data dir and ClickHouse database.
func New(t testing.TB, opts ...Options) *Env {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.BaseURL = "http://127.0.0.1:8080"
	if !o.NoClickHouse {
		_, dsn := warehousetest.NewDatabase(t)
		cfg.ClickHouseDSN = dsn
	}
	if o.Config != nil {
		o.Config(&cfg)
	}
	logs := &bytes.Buffer{}
	logger := slog.New(slog.NewJSONHandler(&lockedWriter{w: logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := app.Open(context.Background(), cfg, logger, app.Options{ClickHouse: !o.NoClickHouse})
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	if !o.NoClickHouse {
		// Spooled batches whose insert failed land once ClickHouse answers
		// again, as in `serve`; the schedules and pullers stay off (tests
		// run them when they want them).
		ctx, stop := context.WithCancel(context.Background())
		settled := make(chan struct{})
		go func() { defer close(settled); a.RunJobs(ctx, app.JobSettle) }()
		t.Cleanup(func() { stop(); <-settled }) // before Close
	}
	srv, err := a.Web()
	if err != nil {
		t.Fatalf("build web app: %v", err)
	}
	return &Env{T: t, App: a, Web: srv, Dir: dir, Logs: logs}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Authority creates an authority in the registry and returns its CVR.
func (e *Env) Authority(cvr, name string) string {
	e.T.Helper()
	_, err := e.App.DB.Exec(`INSERT INTO authorities (cvr, name, kind, created_at, updated_at) VALUES (?, ?, 'state', datetime('now'), datetime('now'))`, cvr, name)
	if err != nil {
		e.T.Fatalf("create authority %s: %v", cvr, err)
	}
	return cvr
}

// User creates a user with the role (and authority CVR for RoleAuthority,
// which must exist) and the password Password.
func (e *Env) User(role auth.Role, authorityCVR string) auth.User {
	e.T.Helper()
	email := fmt.Sprintf("%s%d@example.test", role, e.n.Add(1))
	u, err := e.App.Auth.CreateUser(context.Background(), auth.NewUser{Email: email, Role: role, AuthorityCVR: authorityCVR, Password: Password})
	if err != nil {
		e.T.Fatalf("create user: %v", err)
	}
	return u
}

// Client sends requests to the app through its real middleware.
type Client struct {
	env     *Env
	cookies map[string]string
	CSRF    string
	Bearer  string
	// Header is added to every request.
	Header http.Header
}

// Anonymous is a client with no credentials.
func (e *Env) Anonymous() *Client {
	return &Client{env: e, cookies: map[string]string{}, Header: http.Header{}}
}

// Bearer is a client sending an API token.
func (e *Env) Bearer(token string) *Client {
	c := e.Anonymous()
	c.Bearer = token
	return c
}

// TokenFor creates an API token acting as the user.
func (e *Env) TokenFor(u auth.User) string {
	e.T.Helper()
	_, secret, err := e.App.Auth.CreateUserToken(context.Background(), u.Email, "test", "test")
	if err != nil {
		e.T.Fatalf("token: %v", err)
	}
	return secret
}

// SourceToken creates an ingestion-source token.
func (e *Env) SourceToken(source string) string {
	e.T.Helper()
	_, secret, err := e.App.Auth.CreateSourceToken(context.Background(), source, "test", "test")
	if err != nil {
		e.T.Fatalf("source token: %v", err)
	}
	return secret
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// SignIn signs the user in through the login form and returns its client,
// holding the session cookie and CSRF token.
func (e *Env) SignIn(u auth.User) *Client {
	e.T.Helper()
	c := e.Anonymous()
	c.Get("/login")
	resp := c.PostForm("/login", url.Values{"email": {u.Email}, "password": {Password}})
	if resp.StatusCode != http.StatusSeeOther {
		e.T.Fatalf("sign in %s: status %d: %s", u.Email, resp.StatusCode, resp.Body)
	}
	page := c.Get("/")
	m := csrfInput.FindStringSubmatch(page.Body)
	if m == nil {
		e.T.Fatalf("no CSRF token on the start page after sign-in (status %d)", page.StatusCode)
	}
	c.CSRF = m[1]
	return c
}

// As creates a user of the role and signs it in.
func (e *Env) As(role auth.Role, authorityCVR string) *Client {
	return e.SignIn(e.User(role, authorityCVR))
}

// Response is a finished response with its body read.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       string
}

// JSON decodes the body into v, failing the test if it is not JSON.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("response is not JSON (%v): %s", err, r.Body)
	}
}

// Do sends a request.
func (c *Client) Do(req *http.Request) Response {
	c.env.T.Helper()
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	for k, vs := range c.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if c.Bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.Bearer)
	}
	if req.Header.Get("X-Forwarded-For") == "" && req.RemoteAddr == "" {
		req.RemoteAddr = "192.0.2.1:1234"
	}
	resp, err := c.env.Web.App.Test(req, -1)
	if err != nil {
		c.env.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	if c.CSRF == "" {
		if m := csrfInput.FindSubmatch(body); m != nil {
			c.CSRF = string(m[1])
		}
	}
	return Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: string(body)}
}

// Get sends a GET.
func (c *Client) Get(path string) Response {
	req, _ := http.NewRequest(http.MethodGet, path, nil)
	return c.Do(req)
}

// PostForm sends a form with the client's CSRF token (unless the values carry one).
func (c *Client) PostForm(path string, v url.Values) Response {
	if v == nil {
		v = url.Values{}
	}
	if _, ok := v["_csrf"]; !ok && c.CSRF != "" {
		v.Set("_csrf", c.CSRF)
	}
	req, _ := http.NewRequest(http.MethodPost, path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// SendJSON sends a JSON body (nil: none) with the CSRF header for sessions.
func (c *Client) SendJSON(method, path string, body any) Response {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.env.T.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.CSRF != "" {
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	return c.Do(req)
}

// Upload posts a file in the multipart field "file" (with the CSRF token).
func (c *Client) Upload(path, filename string, content []byte) Response {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if c.CSRF != "" {
		w.WriteField("_csrf", c.CSRF)
	}
	fw, _ := w.CreateFormFile("file", filename)
	fw.Write(content)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.Do(req)
}

// Listen serves the app on a free loopback port (for browser tests) and
// returns its base URL.
func (e *Env) Listen() string {
	e.T.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.T.Fatal(err)
	}
	go e.Web.App.Listener(ln)
	e.T.Cleanup(func() { e.Web.App.Shutdown() })
	return "http://" + ln.Addr().String()
}
