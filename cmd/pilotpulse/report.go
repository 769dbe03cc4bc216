package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pilotpulse/pilotpulse/dashboards"
	"github.com/pilotpulse/pilotpulse/internal/app"
	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// `pilotpulse report KIND [flags] -o FILE`: the reports of issue 11, built
// by dashboards.Reader with the same figures and scoping as the pages. The
// CLI runs as the system, with a manager's scope (every authority,
// the pilot's figures).

// reportCommand is one `report KIND` command: its flags and what it does.
type reportCommand struct {
	flags func(*flag.FlagSet)
	run   func(ctx context.Context, c *cmdContext) error
}

// reportCommands are the `report` commands by KIND; each report adds its
// line here.
var reportCommands = map[string]reportCommand{
	"weekly":       {weeklyReportFlags, runReportWeekly},
	"authority":    {authorityReportFlags, runReportAuthority}, // report_authority.go
	"legal-notice": {legalNoticeReportFlags, runReportLegalNotice},
}

func init() {
	for kind, rc := range reportCommands {
		commandFlags["report "+kind] = func(fs *flag.FlagSet) {
			fs.String("o", "", "the file to write (.xlsx)")
			fs.String("lang", "da", "the report's language: da or en")
			rc.flags(fs)
		}
	}
}

// reportPrincipal is who the CLI builds reports as: the system, with a
// manager's scope.
func reportPrincipal() *auth.Principal {
	return &auth.Principal{Email: "system (cli)", Role: auth.RoleManager, Language: "da", Via: "cli"}
}

// reportLang reads --lang.
func reportLang(c *cmdContext) (string, error) {
	switch l := strings.TrimSpace(c.flag("lang")); l {
	case "da", "en":
		return l, nil
	default:
		return "", usageError{fmt.Sprintf("--lang must be da or en, not %q", l)}
	}
}

// writeReport writes a report to --o through a temporary file beside it,
// renamed into place only when build succeeded, and records the export in
// the audit log.
func writeReport(ctx context.Context, c *cmdContext, a *app.App, target string, build func(f *os.File) (string, error)) error {
	path := strings.TrimSpace(c.flag("o"))
	if path == "" {
		return usageError{"report needs -o FILE"}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	detail, err := build(tmp)
	if err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if err := a.Audit.Record(ctx, audit.Entry{Actor: reportPrincipal().Name(), Action: audit.Export, Target: target, Detail: detail + ", file " + path}); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "wrote %s (%s)\n", path, detail)
	return nil
}

func weeklyReportFlags(fs *flag.FlagSet) {
	fs.String("week", "", "the ISO week, e.g. 2012-W46 (default: the newest week with data)")
}

// runReportWeekly writes the weekly pilot workbook.
func runReportWeekly(ctx context.Context, c *cmdContext) error {
	if len(c.args) > 0 {
		return usageError{"report weekly takes no arguments, only flags"}
	}
	if strings.TrimSpace(c.flag("o")) == "" {
		return usageError{"report weekly needs -o FILE"}
	}
	lang, err := reportLang(c)
	if err != nil {
		return err
	}
	var w week.Week
	if text := strings.TrimSpace(c.flag("week")); text != "" {
		if w, err = week.Parse(text); err != nil {
			return usageError{"--week: " + err.Error()}
		}
	}
	a, err := app.Open(ctx, c.cfg, c.logger, app.Options{ClickHouse: true})
	if err != nil {
		return err
	}
	defer a.Close()
	r := dashboards.NewReader(a.DashboardDeps())
	return writeReport(ctx, c, a, "weekly workbook", func(f *os.File) (string, error) {
		written, err := r.WeeklyWorkbook(ctx, reportPrincipal(), w, lang, f)
		return fmt.Sprintf("week %s, language %s", written, lang), err
	})
}
