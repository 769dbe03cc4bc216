package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/dashboards"
	"github.com/pilotpulse/pilotpulse/internal/app"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

func init() {
	commandFlags["report authority"] = func(fs *flag.FlagSet) {
		fs.String("authority", "", "the authority's CVR")
		reportFlags(fs)
	}
	commandFlags["report legal-notice"] = func(fs *flag.FlagSet) {
		fs.String("since", "", "no login on or after this date (2012-11-12; default: the period's first day)")
		fs.String("kind", "", "company kind: company (default), municipality, region, state_institution or all")
		fs.String("cohort", "", "a cohort label of the registry")
		reportFlags(fs)
	}
}

// reportFlags are the flags every report takes.
func reportFlags(fs *flag.FlagSet) {
	fs.String("from", "", "first ISO week (2012-W45) or a date in it")
	fs.String("to", "", "last ISO week (2012-W52) or a date in it (default: the newest week with data)")
	fs.String("lang", "da", "da or en")
	fs.String("o", "", "the workbook to write (FILE.xlsx)")
}

// operator is who a report of the CLI is made for and audited as: an
// operator on the server, who may read every authority.
var operator = &auth.Principal{Role: auth.RoleAdmin, Email: "cli"}

// runReportAuthority writes an authority's volume report:
//
//	report authority --authority CVR [--from 2012-W45] [--to 2012-W52] [--lang en] -o FILE.xlsx
func runReportAuthority(ctx context.Context, c *cmdContext) error {
	cvr := strings.TrimSpace(c.flag("authority"))
	if cvr == "" {
		return usageError{"report authority needs --authority CVR"}
	}
	r, lang, out, err := reportOptions(c)
	if err != nil {
		return err
	}
	return writeReport(ctx, c, out, func(rd *dashboards.Reader, w io.Writer) error {
		return rd.AuthorityWorkbook(ctx, operator, cvr, r, lang, w)
	})
}

// runReportLegalNotice writes the legal-notice list for a mail merge:
//
//	report legal-notice [--since 2012-11-12] [--from W] [--to W] [--kind K] [--cohort C] [--lang en] -o FILE.xlsx
func runReportLegalNotice(ctx context.Context, c *cmdContext) error {
	r, lang, out, err := reportOptions(c)
	if err != nil {
		return err
	}
	q := dashboards.LegalNoticeQuery{Since: c.flag("since"), Range: r, Kind: strings.TrimSpace(c.flag("kind")), Cohort: strings.TrimSpace(c.flag("cohort"))}
	return writeReport(ctx, c, out, func(rd *dashboards.Reader, w io.Writer) error {
		return rd.LegalNoticeWorkbook(ctx, operator, q, lang, w)
	})
}

// reportOptions reads the flags every report takes: the weeks, the
// language and the file to write.
func reportOptions(c *cmdContext) (week.Range, string, string, error) {
	if len(c.args) > 0 {
		return week.Range{}, "", "", usageError{fmt.Sprintf("unexpected argument %q", c.args[0])}
	}
	var fs problem.Fields
	r := week.Range{From: figures.WeekParam(&fs, "from", strings.TrimSpace(c.flag("from"))), To: figures.WeekParam(&fs, "to", strings.TrimSpace(c.flag("to")))}
	if len(fs) > 0 {
		return r, "", "", usageError{fs.Error()}
	}
	lang := c.flag("lang")
	if lang != "da" && lang != "en" {
		return r, "", "", usageError{fmt.Sprintf("--lang %q: choose da or en", lang)}
	}
	out := c.flag("o")
	if out == "" {
		return r, "", "", usageError{"-o FILE.xlsx is required"}
	}
	return r, lang, out, nil
}

// writeReport opens the app with ClickHouse and writes a report to path:
// first to a temporary file beside it, renamed once complete, so a failed
// report leaves no partial file.
func writeReport(ctx context.Context, c *cmdContext, path string, write func(*dashboards.Reader, io.Writer) error) error {
	a, err := app.Open(ctx, c.cfg, c.logger, app.Options{ClickHouse: true})
	if err != nil {
		return err
	}
	defer a.Close()
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(dashboards.NewReader(a.DashboardDeps()), tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "wrote %s\n", path)
	return nil
}
