package dashboards

// The sheets of the weekly pilot workbook (report_weekly.go), written from
// weeklyData with reports.Book: frozen headers, fitted widths, counts and
// shares as numbers, user text as string cells. Chart titles and series
// names are fixed translated texts (the series names point at header
// cells), never user text.

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/pilotpulse/pilotpulse/reports"
	"github.com/pilotpulse/pilotpulse/support"
	"github.com/pilotpulse/pilotpulse/survey"
)

// weeklyBook writes the workbook of d.
type weeklyBook struct {
	d weeklyData
	b *reports.Book
}

// t translates key in the workbook's language.
func (wb weeklyBook) t(key string, args ...any) string { return tf(wb.d.lang, key, args...) }

// col is a column headed by the translation of key.
func (wb weeklyBook) col(key string, kind reports.Kind, args ...any) reports.Column {
	return reports.Column{Header: wb.t(key, args...), Kind: kind}
}

// number is a value for a cell: nil (an empty cell) when p is nil.
func number[N int | int64 | uint64 | float64](p *N) any {
	if p == nil {
		return nil
	}
	return *p
}

// difference is now - before, nil when either is missing.
func difference(now, before *float64) any {
	if now == nil || before == nil {
		return nil
	}
	return *now - *before
}

// fraction is a percentage (0-100) as a fraction for a Percent cell.
func fraction(percent *float64) any {
	if percent == nil {
		return nil
	}
	return *percent / 100
}

func writeWeeklyBook(d weeklyData, out io.Writer) error {
	b, err := reports.NewBook()
	if err != nil {
		return err
	}
	defer b.Close()
	wb := weeklyBook{d: d, b: b}
	for _, sheet := range []func() error{wb.summary, wb.trends, wb.setupSheet, wb.supportSheet, wb.questionnaire, wb.responseSheet, wb.volumeSheet, wb.adoptionSheet, wb.definitions} {
		if err := sheet(); err != nil {
			return err
		}
	}
	return b.Write(out)
}

// sheet adds a worksheet named by the translation of key.
func (wb weeklyBook) sheet(key string, cols ...reports.Column) (*reports.Sheet, error) {
	return wb.b.Sheet(wb.t(key), cols)
}

// rows writes each row of values, stopping at the first error.
func rows(s *reports.Sheet, values ...[]any) error {
	for _, v := range values {
		if err := s.Row(v...); err != nil {
			return err
		}
	}
	return nil
}

func (wb weeklyBook) summary() error {
	ov, w := wb.d.ov, wb.d.week
	s, err := wb.sheet("report.sheet_summary", wb.col("report.figure", reports.Text), wb.col("report.week", reports.Count, w.String()),
		wb.col("report.week", reports.Count, w.Prev().String()), wb.col("report.change", reports.Count))
	if err != nil {
		return err
	}
	p := ov.Pilot
	if p == nil {
		return s.Row(wb.t("report.no_pilot"))
	}
	now, before := p.Period, p.PreviousPeriod
	counts := [][]any{
		{wb.t("overview.companies"), p.CompaniesByEnd, p.CompaniesByPreviousEnd, p.CompaniesByEnd - p.CompaniesByPreviousEnd},
		{wb.t("report.denominator", wb.t("dashboards.kind_"+p.Kind)), p.Companies},
		{wb.t("report.setup_companies"), now.SetupProblems.Part, before.SetupProblems.Part, now.SetupProblems.Part - before.SetupProblems.Part},
		{wb.t("report.setup_cumulative"), now.SetupProblemsCumulative.Part, before.SetupProblemsCumulative.Part, now.SetupProblemsCumulative.Part - before.SetupProblemsCumulative.Part},
		{wb.t("overview.callers"), now.CallingCompanies.Part, before.CallingCompanies.Part, now.CallingCompanies.Part - before.CallingCompanies.Part},
		{wb.t("overview.calls_series"), now.Calls, before.Calls, now.Calls - before.Calls},
		{wb.t("overview.third_party"), now.ThirdPartyAccess.Part, before.ThirdPartyAccess.Part, now.ThirdPartyAccess.Part - before.ThirdPartyAccess.Part},
	}
	if r := now.ResponseRate; r != nil {
		row := []any{wb.t("report.answered_invitations"), r.Part}
		if b := before.ResponseRate; b != nil {
			row = append(row, b.Part, r.Part-b.Part)
		}
		counts = append(counts, row)
	}
	if now.Messages != nil {
		row := []any{wb.t("report.messages"), *now.Messages, number(before.Messages)}
		if before.Messages != nil {
			row = append(row, int64(*now.Messages)-int64(*before.Messages))
		}
		counts = append(counts, row)
		if t := targetsReached(ov); t[1] > 0 {
			counts = append(counts, []any{wb.t("report.targets_reached", t[1]), t[0]})
		}
	}
	if err := rows(s, counts...); err != nil {
		return err
	}

	if err := s.Table([]reports.Column{wb.col("report.share", reports.Text), wb.col("report.week", reports.Percent, w.String()),
		wb.col("report.week", reports.Percent, w.Prev().String()), wb.col("report.change_points", reports.Decimal)}); err != nil {
		return err
	}
	share := func(name string, now, before Share) []any {
		return []any{name, now.Share, before.Share, 100 * (now.Share - before.Share)}
	}
	shares := [][]any{
		share(wb.t("report.setup_rate"), now.SetupProblems, before.SetupProblems),
		share(wb.t("report.setup_rate_cumulative"), now.SetupProblemsCumulative, before.SetupProblemsCumulative),
		share(wb.t("report.callers_share"), now.CallingCompanies, before.CallingCompanies),
		share(wb.t("report.third_party_share"), now.ThirdPartyAccess, before.ThirdPartyAccess),
	}
	if r := now.ResponseRate; r != nil {
		row := []any{wb.t("overview.response"), r.Share}
		if b := before.ResponseRate; b != nil {
			row = append(row, b.Share, 100*(r.Share-b.Share))
		}
		shares = append(shares, row)
	}
	for _, desk := range support.Desks {
		if n := now.NotSolvedByDesk[desk]; n.Whole > 0 || before.NotSolvedByDesk[desk].Whole > 0 {
			shares = append(shares, share(wb.t("report.not_solved_desk", wb.t("support.desk."+desk)), n, before.NotSolvedByDesk[desk]))
		}
	}
	if err := rows(s, shares...); err != nil {
		return err
	}

	if err := s.Table([]reports.Column{wb.col("report.score", reports.Text), wb.col("report.week", reports.Decimal, w.String()),
		wb.col("report.week", reports.Decimal, w.Prev().String()), wb.col("report.change", reports.Decimal)}); err != nil {
		return err
	}
	if err := s.Row(wb.t("report.ease"), number(now.Ease), number(before.Ease), difference(now.Ease, before.Ease)); err != nil {
		return err
	}

	if err := s.Table([]reports.Column{wb.col("review.title", reports.Text)}); err != nil {
		return err
	}
	if err := s.Row(wb.d.review.Heading); err != nil {
		return err
	}
	for _, line := range wb.d.review.Sentences {
		if err := s.Row(line); err != nil {
			return err
		}
	}
	return nil
}

// trends is the pilot's weeks up to the week (the overview's trend) with
// the charts of the main trends.
func (wb weeklyBook) trends() error {
	s, err := wb.sheet("report.sheet_trends", wb.col("report.week_column", reports.Text), wb.col("report.setup_rate", reports.Percent),
		wb.col("report.setup_rate_cumulative", reports.Percent), wb.col("overview.callers_series", reports.Count), wb.col("overview.calls_series", reports.Count),
		wb.col("overview.response", reports.Percent), wb.col("report.messages", reports.Count))
	if err != nil {
		return err
	}
	p := wb.d.ov.Pilot
	if p == nil || len(p.Weeks) == 0 {
		return nil
	}
	for i, pw := range p.Weeks {
		var response, messages any
		if pw.ResponseRate != nil {
			response = pw.ResponseRate.Share
		}
		if p.Volume != nil {
			var n uint64
			for _, a := range p.Volume {
				n += a.Messages[i]
			}
			messages = n
		}
		if err := s.Row(pw.Week, pw.SetupProblems.Share, pw.SetupProblemsCumulative.Share, pw.CallingCompanies.Part, pw.Calls, response, messages); err != nil {
			return err
		}
	}
	last := s.Rows()
	charts := []struct {
		cell, title string
		typ         excelize.ChartType
		format      string // of the values' axis
		cols        []string
	}{
		{"I2", "overview.setup_chart", excelize.Line, "0%", []string{"B", "C"}},
		{"I20", "overview.callers_chart", excelize.Col, "#,##0", []string{"D", "E"}},
		{"I38", "report.chart_volume", excelize.Col, "#,##0", []string{"G"}},
	}
	if p.Volume == nil { // the events are unavailable: no volume to chart
		charts = charts[:2]
	}
	for _, c := range charts {
		ch := &excelize.Chart{Type: c.typ, Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: wb.t(c.title)}}}, Legend: excelize.ChartLegend{Position: "bottom"},
			Dimension: excelize.ChartDimension{Width: 640, Height: 320}, YAxis: excelize.ChartAxis{MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: c.format}}}
		for _, col := range c.cols {
			ch.Series = append(ch.Series, excelize.ChartSeries{Name: ref(s.Name, col, 1, 1), Categories: ref(s.Name, "A", 2, last), Values: ref(s.Name, col, 2, last)})
		}
		if err := wb.b.File().AddChart(s.Name, c.cell, ch); err != nil {
			return err
		}
	}
	return nil
}

// ref is a reference to the cells of col from row to row to: 'Sheet'!$B$2:$B$9.
func ref(sheet, col string, from, to int) string {
	r := fmt.Sprintf("'%s'!$%s$%d", strings.ReplaceAll(sheet, "'", "''"), col, from)
	if to != from {
		r += fmt.Sprintf(":$%s$%d", col, to)
	}
	return r
}

func (wb weeklyBook) setupSheet() error {
	sp := wb.d.setup
	s, err := wb.sheet("report.sheet_setup", wb.col("report.week_column", reports.Text), wb.col("report.setup_companies", reports.Count),
		wb.col("report.companies", reports.Count), wb.col("report.setup_rate", reports.Percent), wb.col("setup.source_answer", reports.Count),
		wb.col("setup.source_call", reports.Count), wb.col("setup.source_event", reports.Count), wb.col("report.setup_calls", reports.Count),
		wb.col("report.failed_events", reports.Count), wb.col("report.median_setup_hours", reports.Decimal))
	if err != nil {
		return err
	}
	total := func(w string, t SetupTotal) []any {
		return []any{w, t.Problems.Part, t.Problems.Whole, t.Problems.Share, t.Sources.Answers, t.Sources.Calls, number(t.Sources.Events), t.Calls, t.FailedEvents, number(t.MedianSetupHours)}
	}
	if err := rows(s, total(sp.Period.To.String(), sp.Total), total(sp.Period.PreviousTo.String(), sp.Previous)); err != nil {
		return err
	}

	if err := s.Table([]reports.Column{wb.col("report.source", reports.Text), wb.col("report.kind_of_problem", reports.Text), wb.col("report.count", reports.Count)}); err != nil {
		return err
	}
	if len(sp.Weeks) > 0 {
		sw := sp.Weeks[len(sp.Weeks)-1]
		for _, group := range []struct {
			source string
			labels []Label
			counts map[string]int
		}{{"setup.source_answer", sp.Labels.AnswerKinds, sw.AnswerKinds}, {"setup.source_call", sp.Labels.CallCategories, sw.CallCategories}, {"setup.source_event", sp.Labels.EventReasons, sw.EventReasons}} {
			for _, l := range group.labels {
				if err := s.Row(wb.t(group.source), l.Text, group.counts[l.Key]); err != nil {
					return err
				}
			}
		}
	}

	if err := s.Table([]reports.Column{wb.col("report.company", reports.Text), wb.col("report.cvr", reports.Text), wb.col("setup.source_answer", reports.Text),
		wb.col("setup.source_call", reports.Text), wb.col("setup.source_event", reports.Text)}); err != nil {
		return err
	}
	yes := func(b bool) string { return wb.t("survey.answer." + map[bool]string{true: "yes", false: "no"}[b]) }
	for _, c := range sp.Problems {
		if err := s.Row(c.Name, c.CVR, yes(c.Answer), yes(c.Call), yes(c.Event)); err != nil {
			return err
		}
	}

	if err := s.Table([]reports.Column{wb.col("report.follow_up", reports.Text, wb.d.followUps.Week), wb.col("report.cvr", reports.Text),
		wb.col("follow_ups.why", reports.Text), wb.col("follow_ups.calls", reports.Count), wb.col("follow_ups.last_interview", reports.Text)}); err != nil {
		return err
	}
	for _, r := range followUpsViewOf(wb.d.lang, wb.d.followUps).Rows {
		if err := s.Row(r.Name, r.CVR, strings.Join(r.Why, "; "), len(r.Calls), r.LastInterview); err != nil {
			return err
		}
	}
	return nil
}

func (wb weeklyBook) supportSheet() error {
	weeks := wb.d.calls.Weeks
	now, before := weeks[len(weeks)-1], weeks[0]
	s, err := wb.sheet("report.sheet_support", wb.col("support.category", reports.Text), wb.col("report.week", reports.Count, now.Week),
		wb.col("report.week", reports.Count, before.Week))
	if err != nil {
		return err
	}
	for _, c := range support.Categories {
		if err := s.Row(wb.t("support.category."+c), now.ByCategory[c], before.ByCategory[c]); err != nil {
			return err
		}
	}
	if err := s.Row(wb.t("volume.total"), now.Calls, before.Calls); err != nil {
		return err
	}

	if err := s.Table([]reports.Column{wb.col("report.desk", reports.Text), wb.col("report.calls", reports.Count), wb.col("report.not_solved", reports.Count),
		wb.col("report.not_solved_share", reports.Percent)}); err != nil {
		return err
	}
	for _, d := range support.Desks {
		ns := now.NotSolvedByDesk[d]
		if err := s.Row(wb.t("support.desk."+d), now.ByDesk[d], ns.Part, ns.Share); err != nil {
			return err
		}
	}

	if err := s.Table([]reports.Column{wb.col("support.resolution", reports.Text), wb.col("report.calls", reports.Count)}); err != nil {
		return err
	}
	for _, r := range support.Resolutions {
		if err := s.Row(wb.t("support.resolution."+r), now.ByResolution[r]); err != nil {
			return err
		}
	}

	// Weekly callers as the overview counts and says them.
	if err := s.Table([]reports.Column{wb.col("report.week_column", reports.Text), wb.col("overview.callers_series", reports.Count),
		wb.col("report.companies", reports.Count), wb.col("report.share", reports.Percent), wb.col("report.as_written", reports.Text)}); err != nil {
		return err
	}
	if p := wb.d.ov.Pilot; p != nil {
		for _, row := range []struct {
			w string
			s Share
		}{{wb.d.ov.Week, p.Period.CallingCompanies}, {wb.d.ov.Previous, p.PreviousPeriod.CallingCompanies}} {
			if err := s.Row(row.w, row.s.Part, row.s.Whole, row.s.Share, ofCompanies(wb.d.lang, p.Kind, row.s)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (wb weeklyBook) questionnaire() error {
	s, err := wb.sheet("report.sheet_questionnaire", wb.col("report.question", reports.Text), wb.col("report.answer", reports.Text),
		wb.col("report.count", reports.Count), wb.col("report.share_of_answered", reports.Percent))
	if err != nil {
		return err
	}
	r := wb.d.results
	if r == nil {
		return s.Row(wb.t("report.no_wave", wb.d.week.String()))
	}
	for _, q := range r.Questions {
		if q.Type == survey.TypeText {
			continue
		}
		for _, o := range q.Options {
			if err := s.Row(q.Question, o.Label, o.Count, o.Share); err != nil {
				return err
			}
		}
		if err := s.Row(q.Question, wb.t("report.answered"), q.Answered); err != nil {
			return err
		}
	}

	if err := s.Table([]reports.Column{wb.col("report.question", reports.Text), wb.col("report.answered", reports.Count), wb.col("report.mean", reports.Decimal)}); err != nil {
		return err
	}
	for _, q := range r.Questions {
		if q.Mean != nil {
			if err := s.Row(q.Question, q.Answered, *q.Mean); err != nil {
				return err
			}
		}
	}

	if err := s.Table([]reports.Column{wb.col("report.question", reports.Text), wb.col("report.company", reports.Text), wb.col("report.cvr", reports.Text),
		wb.col("report.free_text", reports.Text)}); err != nil {
		return err
	}
	for _, q := range r.Questions {
		for _, t := range q.Texts {
			if err := s.Row(q.Question, t.CompanyName, t.CompanyCVR, t.Text); err != nil {
				return err
			}
		}
	}
	return nil
}

func (wb weeklyBook) responseSheet() error {
	s, err := wb.sheet("report.sheet_response", wb.col("report.wave", reports.Text), wb.col("report.invitations", reports.Count),
		wb.col("report.submitted", reports.Count), wb.col("overview.response", reports.Percent), wb.col("report.companies_invited", reports.Count),
		wb.col("report.companies_answered", reports.Count), wb.col("report.company_rate", reports.Percent))
	if err != nil {
		return err
	}
	if len(wb.d.response) == 0 {
		if err := s.Row(wb.t("report.no_wave", wb.d.week.String())); err != nil {
			return err
		}
	}
	for _, f := range wb.d.response {
		if err := s.Row(f.Wave, f.Invitations, f.Submitted, f.ResponseRate, f.Companies, f.CompaniesAnswered, f.CompanyRate); err != nil {
			return err
		}
	}
	if err := s.Table([]reports.Column{wb.col("report.non_respondent", reports.Text, wb.d.week.String()), wb.col("report.cvr", reports.Text),
		wb.col("report.contact", reports.Text), wb.col("report.email", reports.Text), wb.col("report.status", reports.Text), wb.col("report.reminders", reports.Count)}); err != nil {
		return err
	}
	for _, i := range wb.d.nonRespondents {
		if err := s.Row(i.CompanyName, i.CompanyCVR, i.ContactName, i.ContactEmail, wb.t("survey.status."+i.Status), i.RemindersSent); err != nil {
			return err
		}
	}
	return nil
}

func (wb weeklyBook) volumeSheet() error {
	s, err := wb.sheet("report.sheet_volume", wb.col("report.rank", reports.Count), wb.col("dashboards.authority", reports.Text), wb.col("report.cvr", reports.Text),
		wb.col("report.authority_kind", reports.Text), wb.col("volume.messages", reports.Count), wb.col("volume.digital", reports.Count),
		wb.col("volume.remote_print", reports.Count), wb.col("report.metadata_share", reports.Percent), wb.col("report.deep_link_share", reports.Percent),
		wb.col("report.weekly_target", reports.Count), wb.col("report.attainment", reports.Percent), wb.col("report.previous_messages", reports.Count, wb.d.week.Prev().String()))
	if err != nil {
		return err
	}
	if !wb.d.ov.EventsAvailable() {
		return s.Row(nil, wb.t("overview.unavailable"))
	}
	for _, r := range wb.d.volume.Rows {
		kind := ""
		if r.AuthorityKind != "" {
			kind = wb.t("kind." + r.AuthorityKind)
		}
		if err := s.Row(r.Rank, authorityLabel(r.AuthorityName, r.AuthorityCVR), r.AuthorityCVR, kind, r.Messages, r.Digital, r.RemotePrint,
			fraction(r.MetadataShare), fraction(r.DeepLinkShare), number(r.WeeklyTarget), fraction(r.Attainment), r.PreviousMessages); err != nil {
			return err
		}
	}
	return nil
}

func (wb weeklyBook) adoptionSheet() error {
	a := wb.d.adoption
	s, err := wb.sheet("report.sheet_adoption", wb.col("adoption.step", reports.Text), wb.col("report.companies_at", reports.Count, a.AsOf),
		wb.col("report.share", reports.Percent), wb.col("report.companies_at", reports.Count, a.PreviousAsOf), wb.col("report.change", reports.Count))
	if err != nil {
		return err
	}
	for _, st := range a.Steps {
		if err := s.Row(wb.t("adoption.step_"+st.Step), st.Reached.Part, st.Reached.Share, st.Previous.Part, st.Change); err != nil {
			return err
		}
	}
	if err := s.Table([]reports.Column{wb.col("report.stuck_at", reports.Text), wb.col("report.company", reports.Text), wb.col("report.cvr", reports.Text),
		wb.col("report.since", reports.Text), wb.col("report.days", reports.Count)}); err != nil {
		return err
	}
	for _, st := range a.Steps {
		for _, c := range st.Stuck {
			if err := s.Row(wb.t("adoption.step_"+st.Step), c.Name, c.CVR, c.Since, c.Days); err != nil {
				return err
			}
		}
	}
	return nil
}

func (wb weeklyBook) definitions() error {
	s, err := wb.sheet("report.sheet_definitions", wb.col("report.figure", reports.Text), wb.col("report.definition", reports.Text), wb.col("report.reference", reports.Text))
	if err != nil {
		return err
	}
	for _, d := range WeeklyDefinitions {
		if err := s.Row(wb.t("report.def_name_"+d), wb.t("report.def_"+d), "docs/figures.md#"+d); err != nil {
			return err
		}
	}
	return nil
}

// WeeklyDefinitions are the figures the weekly workbook uses, by their
// anchor in docs/figures.md; the Definitions sheet gives each its name and
// definition in the reader's language.
var WeeklyDefinitions = []string{
	"companies-in-the-pilot", "setup-problem-rate", "setup-problem-sources", "setup-time", "follow-up-list",
	"calls", "weekly-callers", "calls-by-category-desk-and-resolution", "share-not-solved-per-desk",
	"response-rate", "company-response-rate", "non-respondents", "questionnaire-results", "ease-of-use", "third-party-access",
	"volume-per-authority", "metadata-share", "deep-link-share", "share-of-weekly-target", "ranking",
	"adoption-funnel", "week-in-review",
}
