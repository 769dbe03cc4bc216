package dashboards

// The weekly pilot workbook (issue 11, item 1): the week's figures for the
// steering group as an Excel workbook, in the reader's language. Built by
// Reader.WeeklyWorkbook for the CLI (pilotpulse report weekly), the route
// GET /api/v1/reports/weekly and scheduled work; every figure comes from
// the function behind its page or JSON route (overview, week in review,
// setup problems, follow-ups, support figures, questionnaire results, wave
// response, volume ranking, adoption funnel). The sheets are written in
// report_weekly_sheets.go; definitions: docs/figures.md#weekly-workbook.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/support"
	"github.com/pilotpulse/pilotpulse/survey"
)

// WeeklyReportPath is the route of the weekly workbook.
const WeeklyReportPath = "/api/v1/reports/weekly"

// weeklyReaders may build the weekly workbook: the roles that read the
// pilot's figures (the overview's pilot view).
var weeklyReaders = []auth.Role{auth.RoleAdmin, auth.RoleManager}

// errWeeklyForbidden answers a principal whose role may not read the
// weekly workbook (the route's role check answers the same 403).
var errWeeklyForbidden = &problem.Error{Kind: problem.ErrForbidden, Message: problem.Msg("report.weekly_forbidden")}

// WeeklyWorkbook writes the weekly pilot workbook of week w (zero: the
// newest week with data, as the overview's default) in lang ("da" or
// "en") to out, with the principal's scope exactly as the pages read it:
// admins and managers only (anyone else: a Forbidden problem). It returns
// the week written.
func (r *Reader) WeeklyWorkbook(ctx context.Context, p *auth.Principal, w week.Week, lang string, out io.Writer) (week.Week, error) {
	d, err := r.h.weeklyFigures(ctx, p, w, lang, time.Now())
	if err != nil {
		return week.Week{}, err
	}
	return d.week, writeWeeklyBook(d, out)
}

// WeeklyWorkbookName is the file name of the week's workbook in lang:
// pilotpulse-uge-2012-W46.xlsx, pilotpulse-week-2012-W46.xlsx.
func WeeklyWorkbookName(lang string, w week.Week) string {
	return tf(lang, "report.weekly_filename", w.String())
}

// weeklyData is every figure of the workbook, each as its page or JSON
// route computes it.
type weeklyData struct {
	lang      string
	week      week.Week
	ov        Overview       // /api/v1/metrics/overview?week=W
	review    Review         // /api/v1/metrics/week-in-review?from=W&to=W
	setup     SetupProblems  // /api/v1/metrics/setup-problems?from=W&to=W
	followUps FollowUps      // /api/v1/metrics/follow-ups?from=W&to=W
	calls     support.Report // /api/v1/support/figures?from=W-1&to=W
	// results and response are the week's wave (nil without one) and the
	// week before's; nonRespondents the week's.
	results        *survey.QuestionResults // /api/v1/survey/waves/W/results
	response       []survey.WaveFigures    // /api/v1/survey/waves/W (figures)
	nonRespondents []survey.Invitation     // … (non_respondents)
	volume         VolumeRanking           // /api/v1/metrics/volume/ranking?from=W&to=W
	adoption       Adoption                // /api/v1/metrics/adoption?from=W&to=W
}

// weeklyFigures computes the workbook's figures for the principal.
func (h *handler) weeklyFigures(ctx context.Context, p *auth.Principal, w week.Week, lang string, now time.Time) (weeklyData, error) {
	if p == nil || !slices.Contains(weeklyReaders, p.Role) {
		return weeklyData{}, errWeeklyForbidden
	}
	if h.CH == nil {
		return weeklyData{}, fmt.Errorf("the weekly workbook needs ClickHouse: %w", problem.ErrUnavailable)
	}
	scope := auth.ScopeFor(p)
	f := Filters{Kind: registry.KindCompany}
	var pq PeriodQuery
	if !w.IsZero() {
		pq = PeriodQuery{From: w.String(), To: w.String()}
	}
	d := weeklyData{lang: lang}
	var err error
	if d.ov, err = h.overview(ctx, p, pq, f, scope, now); err != nil {
		return d, err
	}
	d.week = d.ov.Period.To
	pq = PeriodQuery{From: d.week.String(), To: d.week.String()}
	if d.review, err = h.reviewOf(ctx, lang, d.ov); err != nil {
		return d, err
	}
	if d.setup, err = h.setupProblems(ctx, p, pq, f, lang, now); err != nil {
		return d, err
	}
	if d.followUps, err = h.followUpsOf(ctx, p, companyScope(p), d.setup.Period, f, now); err != nil {
		return d, err
	}
	if d.calls, err = h.Support.WeeklyReport(ctx, scope, support.FigureFilter{From: d.week.Prev(), To: d.week, Kind: registry.KindCompany}); err != nil {
		return d, err
	}
	if err := h.weeklySurvey(ctx, &d); err != nil {
		return d, err
	}
	vol, err := h.volume(ctx, volumeQuery{Filters: f, Scope: scope, Period: d.ov.Period})
	if err != nil {
		return d, err
	}
	d.volume = vol.Ranking
	d.adoption, err = h.adoption(ctx, companyScope(p), d.ov.Period, f)
	return d, err
}

// weeklySurvey reads the questionnaire figures of the week's wave and the
// response of the week before's.
func (h *handler) weeklySurvey(ctx context.Context, d *weeklyData) error {
	for _, w := range []week.Week{d.week, d.week.Prev()} {
		wave, err := h.Survey.Wave(ctx, w.String())
		if errors.Is(err, problem.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		f, err := h.Survey.FigWaveResponse(ctx, wave, h.Survey.Now())
		if err != nil {
			return err
		}
		d.response = append(d.response, f)
		if w != d.week {
			continue
		}
		r, err := h.Survey.FigQuestionResults(ctx, wave.ID, d.lang)
		if err != nil {
			return err
		}
		d.results = &r
		if d.nonRespondents, err = h.Survey.FigNonRespondents(ctx, wave.ID); err != nil {
			return err
		}
	}
	return nil
}

// weeklyReportFile is GET /api/v1/reports/weekly?week=2012-W46[&lang=en]:
// the workbook as a download, recorded in the audit log.
func (h *handler) weeklyReportFile(c *fiber.Ctx) error {
	var fs problem.Fields
	var w week.Week
	if text := strings.TrimSpace(c.Query("week")); text != "" {
		w = figures.WeekParam(&fs, "week", text)
	}
	lang := reportLanguage(c, &fs)
	if len(fs) > 0 {
		return fs
	}
	var buf bytes.Buffer
	p := web.PrincipalOf(c)
	written, err := (&Reader{h: h}).WeeklyWorkbook(c.UserContext(), p, w, lang, &buf)
	if err != nil {
		return err
	}
	if err := h.Audit.Record(c.UserContext(), audit.Entry{Actor: p.Name(), Action: audit.Export, Target: "weekly workbook",
		Detail: fmt.Sprintf("week %s, language %s, %d bytes", written, lang, buf.Len()), IP: c.IP()}); err != nil {
		return err
	}
	return sendWorkbook(c, WeeklyWorkbookName(lang, written), buf.Bytes())
}
