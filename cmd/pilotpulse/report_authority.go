package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/dashboards"
	"github.com/pilotpulse/pilotpulse/internal/app"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// The authority volume report and the legal-notice workbook (report.go
// adds -o and --lang to each, and writes and audits the file).

func authorityReportFlags(fs *flag.FlagSet) {
	fs.String("authority", "", "the authority's CVR")
	reportWeekFlags(fs)
}

func legalNoticeReportFlags(fs *flag.FlagSet) {
	fs.String("since", "", "no login on or after this date (2012-11-12; default: the period's first day)")
	fs.String("kind", "", "company kind: company (default), municipality, region, state_institution or all")
	fs.String("cohort", "", "a cohort label of the registry")
	reportWeekFlags(fs)
}

// reportWeekFlags are the period of a report over weeks.
func reportWeekFlags(fs *flag.FlagSet) {
	fs.String("from", "", "first ISO week (2012-W45) or a date in it")
	fs.String("to", "", "last ISO week (2012-W52) or a date in it (default: the newest week with data)")
}

// runReportAuthority writes an authority's volume report:
//
//	report authority --authority CVR [--from 2012-W45] [--to 2012-W52] [--lang en] -o FILE.xlsx
func runReportAuthority(ctx context.Context, c *cmdContext) error {
	cvr := strings.TrimSpace(c.flag("authority"))
	if cvr == "" {
		return usageError{"report authority needs --authority CVR"}
	}
	r, lang, err := reportOptions(c)
	if err != nil {
		return err
	}
	return buildReport(ctx, c, "authority report "+cvr, func(rd *dashboards.Reader, f *os.File) (string, error) {
		err := rd.AuthorityWorkbook(ctx, reportPrincipal(), cvr, r, lang, f)
		return fmt.Sprintf("authority %s, weeks %s to %s, language %s", cvr, weekText(r.From), weekText(r.To), lang), err
	})
}

// runReportLegalNotice writes the legal-notice list for a mail merge:
//
//	report legal-notice [--since 2012-11-12] [--from W] [--to W] [--kind K] [--cohort C] [--lang en] -o FILE.xlsx
func runReportLegalNotice(ctx context.Context, c *cmdContext) error {
	r, lang, err := reportOptions(c)
	if err != nil {
		return err
	}
	q := dashboards.LegalNoticeQuery{Since: c.flag("since"), Range: r, Kind: strings.TrimSpace(c.flag("kind")), Cohort: strings.TrimSpace(c.flag("cohort"))}
	return buildReport(ctx, c, "legal-notice list", func(rd *dashboards.Reader, f *os.File) (string, error) {
		err := rd.LegalNoticeWorkbook(ctx, reportPrincipal(), q, lang, f)
		return fmt.Sprintf("since %q, weeks %s to %s, language %s", q.Since, weekText(r.From), weekText(r.To), lang), err
	})
}

// weekText is a week for the audit log ("newest" when not given).
func weekText(w week.Week) string {
	if w.IsZero() {
		return "newest"
	}
	return w.String()
}

// reportOptions reads the weeks and the language of a report over weeks.
func reportOptions(c *cmdContext) (week.Range, string, error) {
	if len(c.args) > 0 {
		return week.Range{}, "", usageError{fmt.Sprintf("unexpected argument %q", c.args[0])}
	}
	if strings.TrimSpace(c.flag("o")) == "" {
		return week.Range{}, "", usageError{"-o FILE.xlsx is required"}
	}
	var fs problem.Fields
	r := week.Range{From: figures.WeekParam(&fs, "from", strings.TrimSpace(c.flag("from"))), To: figures.WeekParam(&fs, "to", strings.TrimSpace(c.flag("to")))}
	if len(fs) > 0 {
		return r, "", usageError{fs.Error()}
	}
	lang, err := reportLang(c)
	return r, lang, err
}

// buildReport opens the app with ClickHouse and writes a report through
// writeReport (a temporary file renamed once complete, audited).
func buildReport(ctx context.Context, c *cmdContext, target string, build func(*dashboards.Reader, *os.File) (string, error)) error {
	a, err := app.Open(ctx, c.cfg, c.logger, app.Options{ClickHouse: true})
	if err != nil {
		return err
	}
	defer a.Close()
	rd := dashboards.NewReader(a.DashboardDeps())
	return writeReport(ctx, c, a, target, func(f *os.File) (string, error) { return build(rd, f) })
}
