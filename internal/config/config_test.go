package config

import (
	"flag"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return Load(fs, func(k string) string { return env[k] })
}

func TestDefaultsEnvironmentAndFlags(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.BaseURL != "http://127.0.0.1:8080" || c.ClickHouseDSN != "" || !strings.HasSuffix(c.DataDir, "/data") {
		t.Fatalf("defaults: %+v", c)
	}
	env := map[string]string{"PILOTPULSE_ADDR": "0.0.0.0:9000", "PILOTPULSE_SESSION_IDLE": "45m", "PILOTPULSE_BASE_URL": "https://pilot.example.dk/"}
	c, err = load(t, env, "-addr", "127.0.0.1:9100")
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9100" {
		t.Errorf("the flag must win over the environment: %s", c.Addr)
	}
	if c.SessionIdle != 45*time.Minute || c.BaseURL != "https://pilot.example.dk" || !c.SecureCookies {
		t.Errorf("environment not applied: %+v", c)
	}
}

func TestValidationNamesTheVariable(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"PILOTPULSE_ADDR": "8080"}, "PILOTPULSE_ADDR"},
		{map[string]string{"PILOTPULSE_CLICKHOUSE_DSN": "http://localhost:8123"}, "PILOTPULSE_CLICKHOUSE_DSN"},
		{map[string]string{"PILOTPULSE_BASE_URL": "ftp://x"}, "PILOTPULSE_BASE_URL"},
		{map[string]string{"PILOTPULSE_LOG_LEVEL": "loud"}, "PILOTPULSE_LOG_LEVEL"},
		{map[string]string{"PILOTPULSE_SESSION_IDLE": "soon"}, "PILOTPULSE_SESSION_IDLE"},
		{map[string]string{"PILOTPULSE_SESSION_IDLE": "24h", "PILOTPULSE_SESSION_ABSOLUTE": "1h"}, "PILOTPULSE_SESSION_IDLE"},
		// The mail settings (formerly survey.SMTPFromEnv) and the push limits.
		{map[string]string{"PILOTPULSE_SMTP_HOST": "mail", "PILOTPULSE_SMTP_FROM": "a@b.dk", "PILOTPULSE_SMTP_PORT": "x"}, "PILOTPULSE_SMTP_PORT"},
		{map[string]string{"PILOTPULSE_SMTP_HOST": "mail", "PILOTPULSE_SMTP_FROM": "a@b.dk", "PILOTPULSE_SMTP_PORT": "70000"}, "PILOTPULSE_SMTP_PORT"},
		{map[string]string{"PILOTPULSE_SMTP_HOST": "mail", "PILOTPULSE_SMTP_FROM": "nope"}, "PILOTPULSE_SMTP_FROM"},
		{map[string]string{"PILOTPULSE_SMTP_HOST": "mail", "PILOTPULSE_SMTP_FROM": "a@b.dk", "PILOTPULSE_SMTP_TLS": "ssl3"}, "PILOTPULSE_SMTP_TLS"},
		{map[string]string{"PILOTPULSE_PUSH_RATE": "fast"}, "PILOTPULSE_PUSH_RATE"},
		{map[string]string{"PILOTPULSE_PUSH_RATE": "0"}, "PILOTPULSE_PUSH_RATE"},
		{map[string]string{"PILOTPULSE_PUSH_BURST": "0"}, "PILOTPULSE_PUSH_BURST"},
		{map[string]string{"PILOTPULSE_PUSH_WAIT": "-1s"}, "PILOTPULSE_PUSH_WAIT"},
		{map[string]string{"PILOTPULSE_TRUSTED_PROXIES": "10.0.0.1, proxy.example"}, "PILOTPULSE_TRUSTED_PROXIES"},
		{map[string]string{"PILOTPULSE_TRUSTED_PROXIES": "10.0.0.0/33"}, "PILOTPULSE_TRUSTED_PROXIES"},
		{map[string]string{"PILOTPULSE_METRICS_ADDR": "9090"}, "PILOTPULSE_METRICS_ADDR"},
		{map[string]string{"PILOTPULSE_METRICS_ADDR": "127.0.0.1:8080"}, "PILOTPULSE_METRICS_ADDR"},
	} {
		_, err := load(t, tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err %v, want one naming %s", tc.env, err, tc.want)
		}
	}
}

// TestSMTP: the mail settings (formerly survey.SMTPFromEnv) keep their
// defaults and validation.
func TestSMTP(t *testing.T) {
	c, err := load(t, nil)
	if err != nil || c.SMTP != (SMTP{}) {
		t.Errorf("empty: %+v %v", c.SMTP, err)
	}
	c, err = load(t, map[string]string{"PILOTPULSE_SMTP_HOST": "mail", "PILOTPULSE_SMTP_FROM": "a@b.dk"})
	if err != nil || c.SMTP.Port != 587 || c.SMTP.TLS != "starttls" {
		t.Errorf("defaults: %+v %v", c.SMTP, err)
	}
	c, _ = load(t, map[string]string{"PILOTPULSE_SMTP_HOST": "mail", "PILOTPULSE_SMTP_PORT": "465", "PILOTPULSE_SMTP_FROM": "a@b.dk"})
	if c.SMTP.TLS != "tls" {
		t.Errorf("port 465: %+v", c.SMTP)
	}
	c, err = load(t, map[string]string{"PILOTPULSE_SMTP_HOST": "mail", "PILOTPULSE_SMTP_FROM": "a@b.dk", "PILOTPULSE_SMTP_USER": "u"}, "-smtp-host", "relay", "-smtp-port", "2525")
	if err != nil || c.SMTP.Host != "relay" || c.SMTP.Port != 2525 || c.SMTP.User != "u" {
		t.Errorf("flags must win over the environment: %+v %v", c.SMTP, err)
	}
}

func TestPushLimits(t *testing.T) {
	c, err := load(t, nil)
	if err != nil || c.PushRate != 50 || c.PushBurst != 100 || c.PushWait != 60*time.Second {
		t.Fatalf("defaults: rate %g burst %d wait %s (%v)", c.PushRate, c.PushBurst, c.PushWait, err)
	}
	c, err = load(t, map[string]string{"PILOTPULSE_PUSH_RATE": "0.5", "PILOTPULSE_PUSH_BURST": "3"}, "-push-wait", "300ms")
	if err != nil || c.PushRate != 0.5 || c.PushBurst != 3 || c.PushWait != 300*time.Millisecond {
		t.Fatalf("set: rate %g burst %d wait %s (%v)", c.PushRate, c.PushBurst, c.PushWait, err)
	}
}

func TestBacklogBound(t *testing.T) {
	c, err := load(t, nil)
	if err != nil || c.BacklogEvents != 5_000_000 || c.BacklogBytes != 2<<30 {
		t.Fatalf("defaults: %d events, %d bytes (%v)", c.BacklogEvents, c.BacklogBytes, err)
	}
	c, err = load(t, map[string]string{"PILOTPULSE_BACKLOG_EVENTS": "1000"}, "-backlog-bytes", "512MiB")
	if err != nil || c.BacklogEvents != 1000 || c.BacklogBytes != 512<<20 {
		t.Fatalf("set: %d events, %d bytes (%v)", c.BacklogEvents, c.BacklogBytes, err)
	}
	for _, bad := range []map[string]string{{"PILOTPULSE_BACKLOG_EVENTS": "0"}, {"PILOTPULSE_BACKLOG_BYTES": "2GB"}, {"PILOTPULSE_BACKLOG_BYTES": "1000"}} {
		if _, err := load(t, bad); err == nil || !strings.Contains(err.Error(), "PILOTPULSE_BACKLOG_") {
			t.Errorf("%v: %v, want an error naming the variable", bad, err)
		}
	}
}

func TestTrustedProxiesAndMetricsAddr(t *testing.T) {
	c, err := load(t, nil)
	if err != nil || len(c.TrustedProxies) != 0 || c.MetricsAddr != "" {
		t.Fatalf("defaults: proxies %v metrics %q (%v): want none and the main address", c.TrustedProxies, c.MetricsAddr, err)
	}
	c, err = load(t, map[string]string{"PILOTPULSE_TRUSTED_PROXIES": " 10.1.2.3, 192.168.0.0/16 ,::1,10.9.9.9/8", "PILOTPULSE_METRICS_ADDR": "127.0.0.1:9090"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.TrustedProxies {
		got = append(got, p.String())
	}
	if strings.Join(got, " ") != "10.1.2.3/32 192.168.0.0/16 ::1/128 10.0.0.0/8" || c.MetricsAddr != "127.0.0.1:9090" {
		t.Fatalf("proxies %v, metrics %q", got, c.MetricsAddr)
	}
}

// Where sources may reach: the import root (default DATA_DIR/import), feed
// hosts and the address classes feeds may reach besides public ones.
func TestReachSettings(t *testing.T) {
	c, err := load(t, map[string]string{"PILOTPULSE_DATA_DIR": "/srv/pilot"})
	if err != nil {
		t.Fatal(err)
	}
	if c.ImportRoot != "/srv/pilot/import" || len(c.FeedHosts) != 0 || len(c.FeedAllowPrivate) != 0 {
		t.Fatalf("defaults: %q %q %q", c.ImportRoot, c.FeedHosts, c.FeedAllowPrivate)
	}
	c, err = load(t, map[string]string{"PILOTPULSE_IMPORT_ROOT": "/srv/exports", "PILOTPULSE_FEED_HOSTS": " Feed.Example.dk., 10.0.0.5 ,[::1]",
		"PILOTPULSE_FEED_ALLOW_PRIVATE": "loopback,private"})
	if err != nil {
		t.Fatal(err)
	}
	if c.ImportRoot != "/srv/exports" || strings.Join(c.FeedHosts, " ") != "feed.example.dk 10.0.0.5 ::1" || strings.Join(c.FeedAllowPrivate, " ") != "loopback private" {
		t.Errorf("set: %q %q %q", c.ImportRoot, c.FeedHosts, c.FeedAllowPrivate)
	}
	for env, want := range map[string]string{"PILOTPULSE_FEED_HOSTS": "https://feed.example.dk", "PILOTPULSE_FEED_ALLOW_PRIVATE": "everything"} {
		if _, err := load(t, map[string]string{env: want}); err == nil || !strings.Contains(err.Error(), env) {
			t.Errorf("%s=%s: %v", env, want, err)
		}
	}
}

func TestDedupHorizon(t *testing.T) {
	c, err := load(t, nil)
	if err != nil || c.DedupHorizon != 90*24*time.Hour {
		t.Fatalf("default: %s (%v), want 90 days", c.DedupHorizon, err)
	}
	for v, want := range map[string]time.Duration{"30d": 30 * 24 * time.Hour, "720h": 720 * time.Hour, "1d": 24 * time.Hour} {
		c, err = load(t, map[string]string{"PILOTPULSE_DEDUP_HORIZON": v})
		if err != nil || c.DedupHorizon != want {
			t.Errorf("%s: %s (%v), want %s", v, c.DedupHorizon, err, want)
		}
	}
	for _, v := range []string{"12h", "0d", "ninety", "-3d"} {
		if _, err := load(t, map[string]string{"PILOTPULSE_DEDUP_HORIZON": v}); err == nil || !strings.Contains(err.Error(), "PILOTPULSE_DEDUP_HORIZON") {
			t.Errorf("%s: %v, want an error naming PILOTPULSE_DEDUP_HORIZON", v, err)
		}
	}
}
