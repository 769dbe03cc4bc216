// Package config reads Pilotpulse's configuration from the environment and
// command-line flags (a flag of the same name wins), validates it once at
// start and hands it down as one struct.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
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
}

// Default returns the configuration with every default filled in.
func Default() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		DataDir:         "./data",
		LogLevel:        "info",
		SessionIdle:     2 * time.Hour,
		SessionAbsolute: 12 * time.Hour,
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
	return []setting{
		{"addr", "address the web app listens on", str(&c.Addr)},
		{"data-dir", "folder for the app database, secrets, reports and a private ClickHouse", str(&c.DataDir)},
		{"clickhouse-dsn", "ClickHouse to use (clickhouse://user:pass@host:9000/db); empty starts a private one", str(&c.ClickHouseDSN)},
		{"base-url", "public address put into questionnaire links (default http://ADDR)", str(&c.BaseURL)},
		{"log-format", "text or json", str(&c.LogFormat)},
		{"log-level", "debug, info, warn or error", str(&c.LogLevel)},
		{"session-idle", "sign a session out after this long unused", dur(&c.SessionIdle)},
		{"session-absolute", "sign a session out this long after sign-in", dur(&c.SessionAbsolute)},
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
	return errors.Join(errs...)
}
