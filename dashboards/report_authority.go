package dashboards

// The authority volume report (docs/figures.md#authority-volume-report): one
// authority's weeks of a period as a workbook, from the drill-down's figures
// (authorityVolume, the same function as /dashboards/volume/authorities/CVR
// and its JSON twin) with the same scoping: an authority user only ever gets
// its own authority, another is not found (404); admins and managers any.
// Delivered by GET /api/v1/reports/authority/CVR, the CLI (report
// authority) through Reader.AuthorityWorkbook, and linked from the volume
// pages.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/reports"
)

// ReportCompanies is how many of the companies reached the authority report
// lists (most messages first); the sheet says when there are more.
const ReportCompanies = 100_000

// AuthorityWorkbook writes the volume report of the authority with the CVR
// for the weeks of r (both zero: the newest week with messages) in lang to
// out, as p may see it: an authority user only its own authority (another
// is a problem.NotFound), admins and managers any. The export is audited
// with p as the actor.
func (r *Reader) AuthorityWorkbook(ctx context.Context, p *auth.Principal, authorityCVR string, rg week.Range, lang string, out io.Writer) error {
	scope := auth.ScopeFor(p)
	a, err := r.h.authorityShown(ctx, scope, authorityCVR)
	if err != nil {
		return err
	}
	f := Filters{Kind: registry.KindCompany, Authority: a.CVR}
	q, err := r.h.volumePeriod(ctx, f, auth.AuthorityScope(a.CVR), rangeQuery(rg))
	if err != nil {
		return err
	}
	_, err = r.h.authorityReport(ctx, q, lang, p.Name(), "", out)
	return err
}

// rangeQuery asks for the weeks of r; the zero range is the newest week.
func rangeQuery(r week.Range) PeriodQuery {
	if r.From.IsZero() && r.To.IsZero() {
		return PeriodQuery{Preset: PresetLatest}
	}
	var q PeriodQuery
	if !r.From.IsZero() {
		q.From = r.From.String()
	}
	if !r.To.IsZero() {
		q.To = r.To.String()
	}
	return q
}

// AuthorityReportName is the file name of an authority's report.
func AuthorityReportName(cvr string, p Period) string {
	return fmt.Sprintf("authority-volume-%s-%s-%s.xlsx", cvr, p.From, p.To)
}

// authorityReport computes q's drill-down, writes its workbook to out and
// records the export (actor, ip: who asked); it returns the file name.
func (h *handler) authorityReport(ctx context.Context, q volumeQuery, lang, actor, ip string, out io.Writer) (string, error) {
	av, err := h.authorityVolume(ctx, q, ReportCompanies)
	if err != nil {
		return "", err
	}
	b, err := authorityBook(av, lang)
	if err != nil {
		return "", err
	}
	defer b.Close()
	if err := b.Write(out); err != nil {
		return "", err
	}
	return AuthorityReportName(av.AuthorityCVR, av.Period), h.Audit.Record(ctx, audit.Entry{Actor: actor, Action: audit.Export, Target: "authority volume report " + av.AuthorityCVR,
		Detail: fmt.Sprintf("xlsx (%s), %s to %s: %d messages, %d companies", lang, av.Period.From, av.Period.To, av.Total.Messages, av.CompaniesReached), IP: ip})
}

// authorityReportFile is GET /api/v1/reports/authority/:cvr: the period as
// on the drill-down (from, to or period), lang da|en (default: the
// reader's language).
func (h *handler) authorityReportFile(c *fiber.Ctx) error {
	var fs problem.Fields
	lang := reportLanguage(c, &fs)
	if len(fs) > 0 {
		return fs
	}
	q, err := h.volumeQueryOf(c.UserContext(), c, c.Params("cvr"))
	if err != nil {
		return err
	}
	var body bytes.Buffer
	name, err := h.authorityReport(c.UserContext(), q, lang, web.PrincipalOf(c).Name(), c.IP(), &body)
	if err != nil {
		return err
	}
	return sendWorkbook(c, name, body.Bytes())
}

// sendWorkbook answers with a workbook as a download named name.
func sendWorkbook(c *fiber.Ctx, name string, body []byte) error {
	c.Set(fiber.HeaderContentType, reports.XLSXContentType)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, name))
	return c.Send(body)
}

// reportLanguage is a download's language: the lang parameter (da or en),
// else the reader's; another value adds a field error to fs.
func reportLanguage(c *fiber.Ctx, fs *problem.Fields) string {
	switch l := strings.TrimSpace(c.Query("lang")); l {
	case "":
		return web.Language(c)
	case "da", "en":
		return l
	default:
		fs.Add("lang", "report.bad_lang", l)
		return ""
	}
}

// authorityReportHref links the report of an authority for the weeks of a
// period, as a page shows them.
func authorityReportHref(cvr string, p Period) string {
	return "/api/v1/reports/authority/" + url.PathEscape(cvr) + "?" + url.Values{"from": {p.From.String()}, "to": {p.To.String()}}.Encode()
}

// The columns of the weeks sheet, by position (the chart refers to them).
const (
	colWeek = iota + 1
	colMonday
	colMessages
	colDigital
	colRemotePrint
	colWithMetadata
	colMetadataShare
	colWithDeepLink
	colDeepLinkShare
	colCompanies
	colTarget
	colAttainment
)

// authorityBook builds the workbook of a drill-down: the authority, its
// weeks with a totals row and charts, the companies reached, and the
// definitions of the figures. Every text from users (names) is a cell,
// never part of a chart title or a formula.
func authorityBook(av AuthorityDrillDown, lang string) (*reports.Book, error) {
	b, err := reports.NewBook()
	if err != nil {
		return nil, err
	}
	if err := writeAuthoritySheets(b, av, lang); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

func writeAuthoritySheets(b *reports.Book, av AuthorityDrillDown, lang string) error {
	t := func(key string, args ...any) string { return tf(lang, key, args...) }
	about, err := b.Sheet(t("report_authority.sheet_authority"), []reports.Column{
		{Header: t("volume.authority"), Kind: reports.Text}, {Header: "CVR", Kind: reports.Text}, {Header: t("report_authority.kind"), Kind: reports.Text},
		{Header: t("report_authority.from"), Kind: reports.Text}, {Header: t("report_authority.to"), Kind: reports.Text}, {Header: t("report_authority.weeks"), Kind: reports.Count},
		{Header: t("volume.weekly_target"), Kind: reports.Count}, {Header: t("volume.rank"), Kind: reports.Count}, {Header: t("report_authority.ranked"), Kind: reports.Count},
	})
	if err != nil {
		return err
	}
	kind := ""
	if av.AuthorityKind != "" {
		kind = t("kind." + av.AuthorityKind) // the registry's name of the kind
	}
	var rank, ranked any
	if av.Total.Rank > 0 {
		rank, ranked = av.Total.Rank, av.Ranked
	}
	if err := about.Row(authorityLabel(av.AuthorityName, av.AuthorityCVR), av.AuthorityCVR, kind, av.Period.From.String(), av.Period.To.String(),
		av.Period.Range().Len(), targetCell(av.Total.WeeklyTarget), rank, ranked); err != nil {
		return err
	}

	weeks, err := b.Sheet(t("report_authority.sheet_weeks"), []reports.Column{
		{Header: t("volume.week"), Kind: reports.Text}, {Header: t("report_authority.monday"), Kind: reports.Date},
		{Header: t("volume.messages"), Kind: reports.Count}, {Header: t("volume.digital"), Kind: reports.Count}, {Header: t("volume.remote_print"), Kind: reports.Count},
		{Header: t("report_authority.with_metadata"), Kind: reports.Count}, {Header: t("report_authority.metadata_share"), Kind: reports.Percent},
		{Header: t("report_authority.with_deep_link"), Kind: reports.Count}, {Header: t("report_authority.deep_link_share"), Kind: reports.Percent},
		{Header: t("volume.companies"), Kind: reports.Count}, {Header: t("volume.weekly_target"), Kind: reports.Count},
		{Header: t("volume.attainment"), Kind: reports.Percent},
	})
	if err != nil {
		return err
	}
	for _, w := range av.Weeks {
		monday, _ := time.Parse(time.DateOnly, w.Monday)
		if err := weeks.Row(w.Week, monday, w.Messages, w.Digital, w.RemotePrint, w.WithMetadata, fraction(w.MetadataShare),
			w.WithDeepLink, fraction(w.DeepLinkShare), w.Companies, targetCell(w.WeeklyTarget), fraction(w.Attainment)); err != nil {
			return err
		}
	}
	tot := av.Total
	var periodTarget any
	if tot.WeeklyTarget != nil && *tot.WeeklyTarget > 0 {
		periodTarget = *tot.WeeklyTarget * int64(len(av.Weeks))
	}
	if err := weeks.Row(t("volume.total"), nil, tot.Messages, tot.Digital, tot.RemotePrint, tot.WithMetadata, fraction(tot.MetadataShare),
		tot.WithDeepLink, fraction(tot.DeepLinkShare), av.CompaniesReached, periodTarget, fraction(tot.Attainment)); err != nil {
		return err
	}
	if err := authorityCharts(b.File(), weeks.Name, len(av.Weeks), periodTarget != nil, t); err != nil {
		return err
	}

	companies, err := b.Sheet(t("report_authority.sheet_companies"), []reports.Column{
		{Header: t("volume.company"), Kind: reports.Text}, {Header: "CVR", Kind: reports.Text},
		{Header: t("volume.messages"), Kind: reports.Count}, {Header: t("volume.digital"), Kind: reports.Count}, {Header: t("volume.remote_print"), Kind: reports.Count},
		{Header: t("report_authority.with_metadata"), Kind: reports.Count}, {Header: t("report_authority.with_deep_link"), Kind: reports.Count},
		{Header: t("volume.weeks_active"), Kind: reports.Count},
	})
	if err != nil {
		return err
	}
	for _, c := range av.Companies {
		name := c.Name
		if name == "" {
			name = t("volume.unknown_company")
		}
		if err := companies.Row(name, c.CompanyCVR, c.Messages, c.Digital, c.RemotePrint, c.WithMetadata, c.WithDeepLink, c.Weeks); err != nil {
			return err
		}
	}
	if n := av.CompaniesReached; n > uint64(len(av.Companies)) {
		if err := companies.Row(t("volume.more_companies", len(av.Companies), count(lang, n))); err != nil {
			return err
		}
	}
	return definitionsSheet(b, lang, authorityDefinitions)
}

// authorityCharts adds the native charts beside the weeks sheet's n week
// rows (the totals row left out): messages per week by channel, and the
// attainment of the weekly target when there is one. Titles are fixed
// translated texts; series names refer to the header cells.
func authorityCharts(f *excelize.File, sheet string, n int, target bool, t func(string, ...any) string) error {
	if n == 0 {
		return nil
	}
	quoted := "'" + strings.ReplaceAll(sheet, "'", "''") + "'!"
	col := func(c int) string {
		name, _ := excelize.ColumnNumberToName(c)
		return fmt.Sprintf("%s$%s$2:$%s$%d", quoted, name, name, n+1)
	}
	header := func(c int) string {
		name, _ := excelize.ColumnNumberToName(c)
		return fmt.Sprintf("%s$%s$1", quoted, name)
	}
	size := excelize.ChartDimension{Width: 640, Height: 320}
	channels := &excelize.Chart{Type: excelize.ColStacked, Dimension: size,
		Title:  excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: t("volume.chart_channels")}}},
		Legend: excelize.ChartLegend{Position: "bottom"},
		Series: []excelize.ChartSeries{
			{Name: header(colDigital), Categories: col(colWeek), Values: col(colDigital)},
			{Name: header(colRemotePrint), Categories: col(colWeek), Values: col(colRemotePrint)},
		}}
	anchor, _ := excelize.CoordinatesToCellName(colAttainment+2, 2)
	if err := f.AddChart(sheet, anchor, channels); err != nil {
		return err
	}
	if !target {
		return nil
	}
	attained := &excelize.Chart{Type: excelize.Line, Dimension: size,
		Title:  excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: t("volume.chart_attainment")}}},
		Legend: excelize.ChartLegend{Position: "none"},
		YAxis:  excelize.ChartAxis{NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}},
		Series: []excelize.ChartSeries{{Name: header(colAttainment), Categories: col(colWeek), Values: col(colAttainment)}}}
	anchor, _ = excelize.CoordinatesToCellName(colAttainment+2, 20)
	return f.AddChart(sheet, anchor, attained)
}

// targetCell is a weekly target, or an empty cell without one above 0.
func targetCell(target *int64) any {
	if target == nil || *target <= 0 {
		return nil
	}
	return *target
}

// definition is a figure of a report: the translation keys of its name
// and its definition, and its anchor in docs/figures.md.
type definition struct{ name, text, anchor string }

var authorityDefinitions = []definition{
	{"volume.week", "report_authority.def_week", "weeks"},
	{"volume.messages", "report_authority.def_messages", "volume-per-authority"},
	{"volume.digital", "report_authority.def_digital", "volume-per-authority"},
	{"volume.remote_print", "report_authority.def_remote_print", "volume-per-authority"},
	{"report_authority.metadata_share", "report_authority.def_metadata", "metadata-share"},
	{"report_authority.deep_link_share", "report_authority.def_deep_link", "deep-link-share"},
	{"volume.companies", "report_authority.def_companies", "companies-reached"},
	{"volume.weekly_target", "report_authority.def_target", "share-of-weekly-target"},
	{"volume.attainment", "report_authority.def_attainment", "share-of-weekly-target"},
	{"volume.rank", "report_authority.def_rank", "ranking"},
	{"report_authority.sheet_companies", "report_authority.def_company_list", "companies-reached-in-the-period"},
}

// definitionsSheet adds the sheet that defines a report's figures.
func definitionsSheet(b *reports.Book, lang string, defs []definition) error {
	s, err := b.Sheet(tf(lang, "report_authority.sheet_definitions"), []reports.Column{
		{Header: tf(lang, "report_authority.figure"), Kind: reports.Text}, {Header: tf(lang, "report_authority.definition"), Kind: reports.Text},
		{Header: tf(lang, "report_authority.source"), Kind: reports.Text}})
	if err != nil {
		return err
	}
	for _, d := range defs {
		if err := s.Row(tf(lang, d.name), tf(lang, d.text), "docs/figures.md#"+d.anchor); err != nil {
			return err
		}
	}
	return nil
}
