package dashboards

// The legal-notice list as a workbook for a mail merge
// (/dashboards/legal-notice.xlsx, the CLI's report legal-notice through
// Reader.LegalNoticeWorkbook): the same list as the page, its JSON twin and
// the CSV (legalNotice, docs/figures.md#not-logged-in-since), one row per
// contact under a header row, the language as a word, the last login as a
// date and the days since it as a number.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/reports"
)

// LegalNoticeQuery asks for the legal-notice list outside a web request,
// with the parameters of /dashboards/legal-notice.
type LegalNoticeQuery struct {
	// Since is a date (2012-11-12); "" is the period's first day.
	Since string
	// Range is the period; the zero range is the newest week with data.
	Range week.Range
	// Kind and Cohort filter the companies (Kind "" is company).
	Kind, Cohort string
}

// LegalNoticeWorkbook writes the legal-notice list of q in lang to out, as
// p may read it (admins, managers and support staff; anyone else is
// refused). Bad parameters are a problem.Fields naming them. The export is
// audited with p as the actor.
func (r *Reader) LegalNoticeWorkbook(ctx context.Context, p *auth.Principal, q LegalNoticeQuery, lang string, out io.Writer) error {
	if p == nil || !slices.Contains(companyRoles, p.Role) {
		return problem.ErrForbidden
	}
	since, err := checkSince(q.Since)
	if err != nil {
		return err
	}
	f := Filters{Kind: q.Kind, Cohort: q.Cohort}
	if fs := f.check(); len(fs) > 0 {
		return fs
	}
	period, err := r.h.adoptionPeriod(ctx, p, rangeQuery(q.Range), time.Now())
	if err != nil {
		return err
	}
	ln, err := r.h.legalNotice(ctx, companyScope(p), period, f, since)
	if err != nil {
		return err
	}
	return r.h.legalNoticeReport(ctx, ln, lang, p.Name(), "", out)
}

// LegalNoticeReportName is the file name of the list's workbook.
func LegalNoticeReportName(ln LegalNotice) string {
	return fmt.Sprintf("legal-notice-%s.xlsx", ln.Since)
}

// legalNoticeReport writes the list's workbook to out and records the
// export, as the CSV's (actor, ip: who asked).
func (h *handler) legalNoticeReport(ctx context.Context, ln LegalNotice, lang, actor, ip string, out io.Writer) error {
	b, err := reports.NewBook()
	if err != nil {
		return err
	}
	defer b.Close()
	rows, err := writeLegalNoticeSheets(b, ln, lang)
	if err != nil {
		return err
	}
	if err := b.Write(out); err != nil {
		return err
	}
	return h.Audit.Record(ctx, audit.Entry{Actor: actor, Action: audit.Export, Target: "legal-notice list",
		Detail: fmt.Sprintf("xlsx (%s), no login since %s, kind %s, cohort %q: %d companies, %d rows", lang, ln.Since, ln.Filters.Kind, ln.Filters.Cohort, len(ln.NotLoggedIn), rows),
		IP:     ip})
}

// legalNoticeWorkbookFile is GET /dashboards/legal-notice.xlsx: the query
// of the page (since, period, kind, cohort).
func (h *handler) legalNoticeWorkbookFile(c *fiber.Ctx) error {
	var fs problem.Fields
	lang := reportLanguage(c, &fs)
	if len(fs) > 0 {
		return fs
	}
	ln, err := h.legalNoticeOf(c)
	if err != nil {
		return err
	}
	var body bytes.Buffer
	if err := h.legalNoticeReport(c.UserContext(), ln, lang, web.PrincipalOf(c).Name(), c.IP(), &body); err != nil {
		return err
	}
	return sendWorkbook(c, LegalNoticeReportName(ln), body.Bytes())
}

// writeLegalNoticeSheets adds the list (a row per contact; a company
// without contacts gets one row without them) and its definitions; it
// returns the rows of the list.
func writeLegalNoticeSheets(b *reports.Book, ln LegalNotice, lang string) (int, error) {
	t := func(key string, args ...any) string { return tf(lang, key, args...) }
	list, err := b.Sheet(t("report_legal.sheet_list"), []reports.Column{
		{Header: t("adoption.company"), Kind: reports.Text}, {Header: "CVR", Kind: reports.Text},
		{Header: t("report_legal.contact"), Kind: reports.Text}, {Header: t("report_legal.email"), Kind: reports.Text},
		{Header: t("report_legal.language"), Kind: reports.Text},
		{Header: t("legal_notice.last_login"), Kind: reports.Date}, {Header: t("legal_notice.days_since"), Kind: reports.Count},
	})
	if err != nil {
		return 0, err
	}
	for _, c := range ln.NotLoggedIn {
		var last, days any
		if c.LastLogin != "" {
			last, _ = time.Parse(time.DateOnly, c.LastLogin)
		}
		if c.DaysSince != nil {
			days = *c.DaysSince
		}
		contacts := c.Contacts
		if len(contacts) == 0 {
			contacts = []NoticeContact{{}}
		}
		for _, ct := range contacts {
			language := ct.Language
			if language == "da" || language == "en" {
				language = t("legal_notice.language_" + language)
			}
			if err := list.Row(c.Name, c.CVR, ct.Name, ct.Email, language, last, days); err != nil {
				return 0, err
			}
		}
	}
	rows := list.Rows() - 1
	about, err := b.Sheet(t("report_legal.sheet_about"), []reports.Column{
		{Header: t("legal_notice.since"), Kind: reports.Date}, {Header: t("report_legal.as_of"), Kind: reports.Date},
		{Header: t("dashboards.kind"), Kind: reports.Text}, {Header: t("dashboards.cohort"), Kind: reports.Text},
		{Header: t("report_legal.companies"), Kind: reports.Count}, {Header: t("report_legal.not_logged_in"), Kind: reports.Count},
	})
	if err != nil {
		return 0, err
	}
	since, _ := time.Parse(time.DateOnly, ln.Since)
	asOf, _ := time.Parse(time.DateOnly, ln.AsOf)
	cohort := ln.Filters.Cohort
	if cohort == "" {
		cohort = t("dashboards.every_cohort")
	}
	if err := about.Row(since, asOf, t("dashboards.kind_"+ln.Filters.Kind), cohort, ln.Companies, len(ln.NotLoggedIn)); err != nil {
		return 0, err
	}
	return rows, definitionsSheet(b, lang, legalNoticeDefinitions)
}

var legalNoticeDefinitions = []definition{
	{"legal_notice.since", "report_legal.def_since", "not-logged-in-since"},
	{"legal_notice.last_login", "report_legal.def_last_login", "not-logged-in-since"},
	{"legal_notice.days_since", "report_legal.def_days_since", "not-logged-in-since"},
	{"report_legal.contact", "report_legal.def_contacts", "not-logged-in-since"},
}
