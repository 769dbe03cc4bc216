// Command pilotpulse runs the Pilotpulse app and its operator commands.
// See README.md (Commands): serve, migrate, user add, token create,
// import companies|authorities FILE…
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/term"

	"github.com/pilotpulse/pilotpulse/internal/app"
	"github.com/pilotpulse/pilotpulse/internal/config"
)

// usageError is bad usage: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usage = `usage: pilotpulse COMMAND [flags]

commands:
  serve                                   the web app (and its scheduled work)
  migrate                                 apply database migrations and exit
  user add --email E --role R [--authority CVR] [--language da|en]
  token create (--user EMAIL | --source NAME) [--name LABEL]
  import companies FILE…                  CSV or XLSX, see README
  import authorities FILE…
  import events [--source NAME] FILE…     usage events: NDJSON, NDJSON.gz, JSON, CSV (default source: import)
  import calls FILE…                      a support-call log (CSV or XLSX)
  survey tick | wave 2012-W46 | export yaml|json | publish FILE
  demo [--seed 1] [--weeks 8]             load the demo pilot (registry, waves, answers, calls, interviews,
                                          usage events via source demo-feed, demo users); safe to repeat
  source add --name N --kind http-feed|directory (--url U | --dir D) [--interval 30s] [--limit N] [--origin O]
  source list                             pulled and push sources with their status
  source set --name N [--url U | --dir D] [--interval 30s] [--limit N] [--enabled true|false] [--origin O]
                                          (push sources: only --origin)
  source poll --name N                    pull now (the running app picks it up within seconds)
  feed serve [--addr 127.0.0.1:9900] [--companies 30] [--weeks 8] [--seed 1] [--delay 0]
                                          a synthetic upstream feed (the demo pilot)
  feed export [-o FILE] [--companies 30] [--weeks 8] [--seed 1]   the same events as NDJSON
  report weekly [--week 2012-W46] [--lang da|en] -o FILE.xlsx
                                          the weekly pilot workbook (default: the newest week with data)
  report authority --authority CVR [--from 2012-W45] [--to 2012-W52] [--lang da|en] -o FILE.xlsx
                                          an authority's volume report (default: the newest week with messages)
  report legal-notice [--since 2012-11-12] [--from W] [--to W] [--kind K] [--cohort C] [--lang da|en] -o FILE.xlsx
                                          the legal-notice list for a mail merge
  export events|answers|calls --from W --to W [--authority CVR] [--lang da|en] -o FILE.xlsx|FILE.csv
                                          a raw export (events: --authority narrows to one authority)

Every command takes the configuration flags (-addr, -data-dir, -clickhouse-dsn,
-base-url, -log-format, -log-level, -session-idle, -session-absolute,
-smtp-host, -smtp-port, -smtp-user, -smtp-password, -smtp-from, -smtp-tls,
-push-rate, -push-burst, -push-wait); each also reads PILOTPULSE_<NAME>.
`

// env is what a command sees of the world; tests pass their own.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// stdinTerminal and stdoutTerminal say whether those are terminals.
	stdinTerminal, stdoutTerminal bool
}

func main() {
	e := env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv,
		stdinTerminal: term.IsTerminal(int(os.Stdin.Fd())), stdoutTerminal: term.IsTerminal(int(os.Stdout.Fd()))}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	endProfile := startCPUProfile(e.getenv)
	err := run(ctx, os.Args[1:], e)
	endProfile()
	stop()
	os.Exit(exitCode(err, e.stderr))
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, "pilotpulse: "+oneLine(err.Error()))
		fmt.Fprint(stderr, usage)
		return 2
	}
	fmt.Fprintln(stderr, "pilotpulse: "+oneLine(err.Error()))
	return 1
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// cmdContext is what a command runs with.
type cmdContext struct {
	env
	cfg    config.Config
	logger *slog.Logger
	args   []string // positional arguments after the flags
	fs     *flag.FlagSet
}

func commands() map[string]func(ctx context.Context, c *cmdContext) error {
	cmds := map[string]func(ctx context.Context, c *cmdContext) error{
		"serve":              runServe,
		"migrate":            runMigrate,
		"user add":           runUserAdd,
		"token create":       runTokenCreate,
		"import companies":   runImportRegistry("companies"),
		"import authorities": runImportRegistry("authorities"),
		"import calls":       runImportCalls,
		"import events":      runImportEvents,
		"source add":         runSourceAdd,
		"source list":        runSourceList,
		"source set":         runSourceSet,
		"source poll":        runSourcePoll,
		"feed serve":         runFeedServe,
		"feed export":        runFeedExport,
		"survey":             runSurvey,
		"demo":               runDemo,
		"export events":      runExport("events"),
		"export answers":     runExport("answers"),
		"export calls":       runExport("calls"),
	}
	for kind, rc := range reportCommands { // report.go
		cmds["report "+kind] = rc.run
	}
	return cmds
}

// commandFlags adds each command's own flags.
var commandFlags = map[string]func(fs *flag.FlagSet){
	"source add":  sourceAddFlags,
	"source set":  sourceSetFlags,
	"source poll": sourceSetFlags,
	"demo":        demoFlags,
	"feed serve":  feedFlags,
	"feed export": feedFlags,
	"user add": func(fs *flag.FlagSet) {
		fs.String("email", "", "the user's e-mail (sign-in name)")
		fs.String("role", "", "admin, support, manager or authority")
		fs.String("authority", "", "the authority's CVR (role authority only)")
		fs.String("language", "da", "da or en")
	},
	"token create": func(fs *flag.FlagSet) {
		fs.String("user", "", "e-mail of the user the token acts as")
		fs.String("source", "", "name of the ingestion source the token sends events for")
		fs.String("name", "", "a label for the token")
	},
}

func run(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) == 0 {
			return usageError{"no command given"}
		}
		fmt.Fprint(e.stdout, usage)
		return nil
	}
	name := args[0]
	rest := args[1:]
	if name == "user" || name == "token" || name == "import" || name == "source" || name == "feed" || name == "report" || name == "export" {
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			return usageError{fmt.Sprintf("%q needs a subcommand", name)}
		}
		name, rest = name+" "+rest[0], rest[1:]
	}
	fn, ok := commands()[name]
	if !ok {
		return usageError{fmt.Sprintf("unknown command %q", name)}
	}
	fs := flag.NewFlagSet("pilotpulse "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	config.Register(fs)
	if add := commandFlags[name]; add != nil {
		add(fs)
	}
	if err := fs.Parse(rest); err != nil {
		return usageError{err.Error()}
	}
	cfg, err := config.Load(fs, e.getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	if name != "serve" && fs.Lookup("log-level").Value.String() == "" && e.getenv(config.EnvName("log-level")) == "" {
		cfg.LogLevel = "warn" // one-shot commands speak on stdout; the log carries warnings and errors only
	}
	logger := app.NewLogger(cfg, e.stderr, e.stdoutTerminal)
	slog.SetDefault(logger)
	return fn(ctx, &cmdContext{env: e, cfg: cfg, logger: logger, args: fs.Args(), fs: fs})
}

func (c *cmdContext) flag(name string) string { return c.fs.Lookup(name).Value.String() }
