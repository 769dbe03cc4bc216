// Package config reads Pilotpulse's configuration from the environment and
// command-line flags (a flag of the same name wins), validates it once at
// start and hands it down as one struct.
package config

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is every setting Pilotpulse reads. README.md (Configuration) lists the public ones.
type Config struct {
	Addr          string // PILOTPULSE_ADDR
	DataDir       string // PILOTPULSE_DATA_DIR
	ClickHouseDSN string // PILOTPULSE_CLICKHOUSE_DSN; empty: a managed private server
	BaseURL       string // PILOTPULSE_BASE_URL; default http://ADDR
	LogFormat     string // PILOTPULSE_LOG_FORMAT: text or json (default json unless on a terminal)
	LogLevel      string // PILOTPULSE_LOG_LEVEL: debug, info, warn, error

	SessionIdle     time.Duration // PILOTPULSE_SESSION_IDLE
	SessionAbsolute time.Duration // PILOTPULSE_SESSION_ABSOLUTE
	// SecureCookies marks cookies Secure; on by default when BaseURL is https.
	SecureCookies bool

	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client, for the sign-in throttle and the audit log
	// (PILOTPULSE_TRUSTED_PROXIES: IPs and CIDRs, comma-separated; empty:
	// trust none, the client is the connection's peer).
	TrustedProxies []netip.Prefix
	// MetricsAddr, when set, is the only address serving /metrics (not
	// Addr) (PILOTPULSE_METRICS_ADDR).
	MetricsAddr string

	// SMTP is the mail server questionnaire invitations and reminders go
	// through; zero Host: no e-mail.
	SMTP SMTP

	// Push limits of POST /api/v1/events: PushRate requests per second on
	// average per token (per user for sessions), PushBurst at once; a push
	// waits at most PushWait for its turn, then gets 503 with Retry-After.
	PushRate  float64       // PILOTPULSE_PUSH_RATE
	PushBurst int           // PILOTPULSE_PUSH_BURST
	PushWait  time.Duration // PILOTPULSE_PUSH_WAIT

	// ImportRoot is the folder directory sources must live under
	// (PILOTPULSE_IMPORT_ROOT; default DATA_DIR/import).
	ImportRoot string
	// FeedHosts are the only hosts http-feed sources may name
	// (PILOTPULSE_FEED_HOSTS, comma-separated; empty: any host whose
	// addresses are public).
	FeedHosts []string
	// FeedAllowPrivate are the address classes, otherwise refused, feeds
	// may connect to: loopback, private, link-local
	// (PILOTPULSE_FEED_ALLOW_PRIVATE, comma-separated).
	FeedAllowPrivate []string
	// The bound of the ingest backlog (events acknowledged into the ledger,
	// not yet in ClickHouse, e.g. while it is down): past BacklogEvents
	// pending events or BacklogBytes of them, new events get 503.
	BacklogEvents int64 // PILOTPULSE_BACKLOG_EVENTS
	BacklogBytes  int64 // PILOTPULSE_BACKLOG_BYTES: bytes, or with KiB, MiB, GiB
	// DedupHorizon is how long the ingest ledger keeps an event's key,
	// counted back from the newest event (whole days); older events are
	// looked up in ClickHouse (PILOTPULSE_DEDUP_HORIZON, e.g. 90d or 720h).
	DedupHorizon time.Duration
	// ReportRetention is how long report files (raw exports, scheduled
	// workbooks) are kept after they are made (PILOTPULSE_REPORT_RETENTION,
	// e.g. 30d or 720h).
	ReportRetention time.Duration
}

// FeedAddressClasses are the values PILOTPULSE_FEED_ALLOW_PRIVATE takes.
var FeedAddressClasses = []string{"loopback", "private", "link-local"}

// SMTP is how e-mail goes out. Zero Host: no e-mail.
type SMTP struct {
	Host     string // PILOTPULSE_SMTP_HOST
	Port     int    // PILOTPULSE_SMTP_PORT; default 587
	User     string // PILOTPULSE_SMTP_USER
	Password string // PILOTPULSE_SMTP_PASSWORD
	From     string // PILOTPULSE_SMTP_FROM
	// TLS is "starttls" (default), "tls" (implicit, the default on port 465)
	// or "none" (PILOTPULSE_SMTP_TLS).
	TLS string
}

// Default returns the configuration with every default filled in.
func Default() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		DataDir:         "./data",
		LogLevel:        "info",
		SessionIdle:     2 * time.Hour,
		SessionAbsolute: 12 * time.Hour,
		PushRate:        50,
		PushBurst:       100,
		PushWait:        60 * time.Second,
		BacklogEvents:   5_000_000,
		BacklogBytes:    2 << 30,
		DedupHorizon:    90 * 24 * time.Hour,
		ReportRetention: 30 * 24 * time.Hour,
	}
}

type setting struct {
	name  string // flag name; env is PILOTPULSE_ + upper(name with - as _)
	usage string
	apply func(string) error
}

func settings(c *Config) []setting {
	str := func(p *string) func(string) error { return func(v string) error { *p = v; return nil } }
	dur := func(p *time.Duration) func(string) error {
		return func(v string) error {
			d, err := time.ParseDuration(v)
			if err != nil {
				return fmt.Errorf("not a duration like 30m or 2h: %q", v)
			}
			*p = d
			return nil
		}
	}
	num := func(parse func(string) error, want string) func(string) error {
		return func(v string) error {
			if parse(v) != nil {
				return fmt.Errorf("want %s, got %q", want, v)
			}
			return nil
		}
	}
	integer := func(p *int) func(string) error {
		return num(func(v string) (err error) { *p, err = strconv.Atoi(v); return err }, "a whole number")
	}
	decimal := func(p *float64) func(string) error {
		return num(func(v string) (err error) { *p, err = strconv.ParseFloat(v, 64); return err }, "a number")
	}
	return []setting{
		{"addr", "address the web app listens on", str(&c.Addr)},
		{"data-dir", "folder for the app database, secrets, reports and a private ClickHouse", str(&c.DataDir)},
		{"clickhouse-dsn", "ClickHouse to use (clickhouse://user:pass@host:9000/db); empty starts a private one", str(&c.ClickHouseDSN)},
		{"base-url", "public address put into questionnaire links (default http://ADDR)", str(&c.BaseURL)},
		{"log-format", "text or json", str(&c.LogFormat)},
		{"log-level", "debug, info, warn or error", str(&c.LogLevel)},
		{"session-idle", "sign a session out after this long unused", dur(&c.SessionIdle)},
		{"session-absolute", "sign a session out this long after sign-in", dur(&c.SessionAbsolute)},
		{"smtp-host", "mail server for questionnaire invitations and reminders; empty: no e-mail", str(&c.SMTP.Host)},
		{"smtp-port", "mail server port (default 587)", integer(&c.SMTP.Port)},
		{"smtp-user", "mail server user (empty: no sign-in)", str(&c.SMTP.User)},
		{"smtp-password", "mail server password (better in the environment than on the command line)", str(&c.SMTP.Password)},
		{"smtp-from", "sender address of the e-mail, e.g. Pilot <pilot@example.dk>", str(&c.SMTP.From)},
		{"smtp-tls", "starttls, tls or none (default starttls; tls on port 465)", str(&c.SMTP.TLS)},
		{"push-rate", "pushes of usage events per second per token, on average", decimal(&c.PushRate)},
		{"push-burst", "pushes of usage events per token at once", integer(&c.PushBurst)},
		{"push-wait", "how long a push waits for its turn before 503 with Retry-After", dur(&c.PushWait)},
		{"backlog-events", "events kept for ClickHouse while it is down, at most; past it pushes get 503", num(func(v string) (err error) { c.BacklogEvents, err = strconv.ParseInt(v, 10, 64); return err }, "a whole number")},
		{"backlog-bytes", "bytes of events kept for ClickHouse while it is down, at most (e.g. 2GiB, 512MiB)", num(func(v string) (err error) { c.BacklogBytes, err = parseBytes(v); return err }, "bytes like 2GiB, 512MiB or 1000000")},
		{"trusted-proxies", "reverse proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-For names the client; empty: none", proxies(&c.TrustedProxies)},
		{"import-root", "folder directory sources must live under (default DATA_DIR/import)", str(&c.ImportRoot)},
		{"feed-hosts", "hosts http-feed sources may name, comma-separated; empty: any host with public addresses", list(&c.FeedHosts)},
		{"feed-allow-private", "address classes feeds may reach besides public ones: loopback, private, link-local (comma-separated)", list(&c.FeedAllowPrivate)},
		{"dedup-horizon", "how long the ingest ledger keeps event keys (whole days, e.g. 90d or 720h); older events are looked up in ClickHouse", days(&c.DedupHorizon)},
		{"report-retention", "how long report files (raw exports) are kept after they are made (e.g. 30d or 720h)", days(&c.ReportRetention)},
		{"metrics-addr", "address serving /metrics (host:port) instead of the main address; empty: /metrics on the main address", str(&c.MetricsAddr)},
	}
}

// list parses a comma-separated list, dropping empty items.
func list(p *[]string) func(string) error {
	return func(v string) error {
		var out []string
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, f)
			}
		}
		*p = out
		return nil
	}
}

// days parses a number of days like 90d, or a duration like 720h.
func days(p *time.Duration) func(string) error {
	return func(v string) error {
		if n, ok := strings.CutSuffix(v, "d"); ok {
			d, err := strconv.Atoi(n)
			if err != nil {
				return fmt.Errorf("want a number of days like 90d, or a duration like 720h, got %q", v)
			}
			*p = time.Duration(d) * 24 * time.Hour
			return nil
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("want a number of days like 90d, or a duration like 720h, got %q", v)
		}
		*p = d
		return nil
	}
}

// parseBytes reads a size: a whole number of bytes, or one with KiB, MiB
// or GiB after it.
func parseBytes(v string) (int64, error) {
	mult := int64(1)
	for suffix, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if n, ok := strings.CutSuffix(v, suffix); ok {
			v, mult = strings.TrimSpace(n), m
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return 0, errors.New("not a size")
	}
	return n * mult, nil
}

// proxies parses a comma-separated list of IP addresses and CIDRs.
func proxies(p *[]netip.Prefix) func(string) error {
	return func(v string) error {
		var out []netip.Prefix
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			pre, err := netip.ParsePrefix(f)
			if err != nil {
				a, aerr := netip.ParseAddr(f)
				if aerr != nil {
					return fmt.Errorf("want IP addresses or CIDRs like 10.0.0.1 or 10.0.0.0/8, comma-separated, got %q", f)
				}
				a = a.Unmap()
				pre = netip.PrefixFrom(a, a.BitLen())
			}
			out = append(out, pre.Masked())
		}
		*p = out
		return nil
	}
}

// EnvName is the environment variable for a flag name.
func EnvName(flagName string) string {
	return "PILOTPULSE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Register adds the configuration flags to fs. Call Load after fs.Parse.
func Register(fs *flag.FlagSet) {
	for _, s := range settings(&Config{}) {
		fs.String(s.name, "", s.usage+" (env "+EnvName(s.name)+")")
	}
}

// Load builds the configuration: defaults, then the environment, then the
// flags that were set on fs (fs may be nil). It validates the result.
func Load(fs *flag.FlagSet, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := Default()
	set := map[string]string{}
	if fs != nil {
		fs.Visit(func(f *flag.Flag) { set[f.Name] = f.Value.String() })
	}
	for _, s := range settings(&c) {
		v, ok := set[s.name]
		source := "flag -" + s.name
		if !ok {
			v = getenv(EnvName(s.name))
			source = EnvName(s.name)
			if v == "" {
				continue
			}
		}
		if err := s.apply(strings.TrimSpace(v)); err != nil {
			return c, fmt.Errorf("%s: %w", source, err)
		}
	}
	return c, c.finish()
}

func (c *Config) finish() error {
	var errs []error
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil || port == "" {
		errs = append(errs, fmt.Errorf("PILOTPULSE_ADDR: want host:port, got %q", c.Addr))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("PILOTPULSE_DATA_DIR: must not be empty"))
	} else if abs, err := filepath.Abs(c.DataDir); err == nil {
		c.DataDir = abs
	}
	if c.ClickHouseDSN != "" {
		u, err := url.Parse(c.ClickHouseDSN)
		if err != nil || u.Scheme != "clickhouse" || u.Host == "" {
			errs = append(errs, errors.New("PILOTPULSE_CLICKHOUSE_DSN: want clickhouse://user:pass@host:9000/db"))
		}
	}
	if c.BaseURL == "" {
		if host == "" {
			host = "127.0.0.1"
		}
		c.BaseURL = "http://" + net.JoinHostPort(host, port)
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("PILOTPULSE_BASE_URL: want an http(s) address, got %q", c.BaseURL))
	} else {
		c.BaseURL = strings.TrimRight(c.BaseURL, "/")
		c.SecureCookies = u.Scheme == "https"
	}
	switch c.LogFormat {
	case "", "text", "json":
	default:
		errs = append(errs, fmt.Errorf("PILOTPULSE_LOG_FORMAT: want text or json, got %q", c.LogFormat))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("PILOTPULSE_LOG_LEVEL: want debug, info, warn or error, got %q", c.LogLevel))
	}
	if c.SessionIdle <= 0 || c.SessionAbsolute < c.SessionIdle {
		errs = append(errs, errors.New("PILOTPULSE_SESSION_IDLE must be > 0 and no longer than PILOTPULSE_SESSION_ABSOLUTE"))
	}
	if c.PushRate <= 0 {
		errs = append(errs, fmt.Errorf("PILOTPULSE_PUSH_RATE: want more than 0, got %g", c.PushRate))
	}
	if c.PushBurst < 1 {
		errs = append(errs, fmt.Errorf("PILOTPULSE_PUSH_BURST: want at least 1, got %d", c.PushBurst))
	}
	if c.PushWait <= 0 {
		errs = append(errs, fmt.Errorf("PILOTPULSE_PUSH_WAIT: want more than 0, got %s", c.PushWait))
	}
	if c.BacklogEvents < 1 {
		errs = append(errs, fmt.Errorf("PILOTPULSE_BACKLOG_EVENTS: want at least 1, got %d", c.BacklogEvents))
	}
	if c.BacklogBytes < 1<<20 {
		errs = append(errs, fmt.Errorf("PILOTPULSE_BACKLOG_BYTES: want at least 1MiB, got %d bytes", c.BacklogBytes))
	}
	if c.DedupHorizon < 24*time.Hour {
		errs = append(errs, fmt.Errorf("PILOTPULSE_DEDUP_HORIZON: want at least a day (1d), got %s", c.DedupHorizon))
	}
	if c.ReportRetention < time.Hour {
		errs = append(errs, fmt.Errorf("PILOTPULSE_REPORT_RETENTION: want at least an hour, got %s", c.ReportRetention))
	}
	if c.MetricsAddr != "" {
		if _, mport, err := net.SplitHostPort(c.MetricsAddr); err != nil || mport == "" {
			errs = append(errs, fmt.Errorf("PILOTPULSE_METRICS_ADDR: want host:port, got %q", c.MetricsAddr))
		} else if c.MetricsAddr == c.Addr {
			errs = append(errs, fmt.Errorf("PILOTPULSE_METRICS_ADDR: must differ from PILOTPULSE_ADDR (%s)", c.Addr))
		}
	}
	errs = append(errs, c.finishReach()...)
	errs = append(errs, c.SMTP.finish())
	return errors.Join(errs...)
}

// DefaultImportRoot is the import root of a data dir.
func DefaultImportRoot(dataDir string) string { return filepath.Join(dataDir, "import") }

// finishReach fills in the import root and checks the feed settings.
func (c *Config) finishReach() []error {
	var errs []error
	if c.ImportRoot == "" {
		c.ImportRoot = DefaultImportRoot(c.DataDir)
	} else if abs, err := filepath.Abs(c.ImportRoot); err == nil {
		c.ImportRoot = abs
	}
	for i, h := range c.FeedHosts {
		h = strings.ToLower(strings.TrimSuffix(strings.Trim(h, "[]"), "."))
		if _, err := netip.ParseAddr(h); err != nil && (h == "" || strings.ContainsAny(h, "/:@ ")) {
			errs = append(errs, fmt.Errorf("PILOTPULSE_FEED_HOSTS: want host names or IP addresses (no scheme or port), got %q", c.FeedHosts[i]))
		}
		c.FeedHosts[i] = h
	}
	for _, class := range c.FeedAllowPrivate {
		if !slices.Contains(FeedAddressClasses, class) {
			errs = append(errs, fmt.Errorf("PILOTPULSE_FEED_ALLOW_PRIVATE: want %s (comma-separated), got %q", strings.Join(FeedAddressClasses, ", "), class))
		}
	}
	return errs
}

// finish fills in the SMTP defaults and validates; without a host the
// other settings are ignored (no e-mail).
func (s *SMTP) finish() error {
	if s.Host == "" {
		*s = SMTP{}
		return nil
	}
	var errs []error
	if s.Port == 0 {
		s.Port = 587
	} else if s.Port < 1 || s.Port > 65535 {
		errs = append(errs, fmt.Errorf("PILOTPULSE_SMTP_PORT: want a port number, got %d", s.Port))
	}
	s.TLS = strings.ToLower(s.TLS)
	if s.TLS == "" {
		s.TLS = "starttls"
		if s.Port == 465 {
			s.TLS = "tls"
		}
	}
	if s.TLS != "starttls" && s.TLS != "tls" && s.TLS != "none" {
		errs = append(errs, fmt.Errorf("PILOTPULSE_SMTP_TLS: want starttls, tls or none, got %q", s.TLS))
	}
	if _, err := mail.ParseAddress(s.From); err != nil {
		errs = append(errs, fmt.Errorf("PILOTPULSE_SMTP_FROM: want an e-mail address, got %q", s.From))
	}
	return errors.Join(errs...)
}
