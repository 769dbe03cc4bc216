// Package exports is the raw exports (answers in long format, support
// calls as they stand, usage events of a period and authority) and the
// /reports pages: an export runs as a background job of reports/jobs and
// streams its rows through reports.Stream (XLSX with a sheet per 1,048,575
// rows, or CSV), so memory stays flat however many rows there are. The
// CLI (pilotpulse export) writes the same files synchronously with Write.
package exports

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/store"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/reports"
	"github.com/pilotpulse/pilotpulse/reports/jobs"
	"github.com/pilotpulse/pilotpulse/support"
	"github.com/pilotpulse/pilotpulse/survey"
)

// The kinds of export.
const (
	Answers = "answers"
	Calls   = "calls"
	Events  = "events"
)

// Kinds lists the kinds of export.
var Kinds = []string{Answers, Calls, Events}

// Deps is what the exports read and where their jobs go.
type Deps struct {
	Jobs    *jobs.Store    // nil: no background jobs (the CLI)
	CH      driver.Conn    // nil: no events export
	DB      *store.DB      // the registry's names
	Survey  *survey.Store  // answers
	Support *support.Store // calls
	Audit   *audit.Log
}

// Spec is one export: what, in which format, for which weeks (both
// included) and, for events, which authority ("" = every authority the
// requester's scope allows).
type Spec struct {
	Kind      string    `json:"kind"`
	Format    string    `json:"format"`
	From      week.Week `json:"from"`
	To        week.Week `json:"to"`
	Authority string    `json:"authority,omitempty"`
	Lang      string    `json:"-"`
}

// MaxWeeks is the longest period one export covers.
const MaxWeeks = 260

// rolesOf are the roles that may export each kind: answers and calls span
// every authority's companies, so only the roles that see them all.
var rolesOf = map[string][]auth.Role{
	Answers: {auth.RoleAdmin, auth.RoleManager},
	Calls:   {auth.RoleAdmin, auth.RoleManager},
	Events:  {auth.RoleAdmin, auth.RoleManager, auth.RoleAuthority},
}

// KindsFor lists the kinds role may export.
func KindsFor(role auth.Role) []string {
	var out []string
	for _, k := range Kinds {
		if slices.Contains(rolesOf[k], role) {
			out = append(out, k)
		}
	}
	return out
}

// Input is an export as asked for (a form or JSON), before checking.
type Input struct {
	Kind      string `json:"kind"`
	Format    string `json:"format"`
	From      string `json:"from"`
	To        string `json:"to"`
	Authority string `json:"authority"`
}

// Check turns in into a Spec for who (jobs.System for an operator's
// command): field errors name the parameter; naming an authority outside
// who's scope is problem.ErrNotFound (404, never a hint of its data).
func (d Deps) Check(ctx context.Context, in Input, who jobs.Requester, lang string) (Spec, error) {
	role, scope := who.Role, who.Scope()
	if who == jobs.System {
		role = auth.RoleAdmin
	}
	var fs problem.Fields
	s := Spec{Kind: strings.TrimSpace(in.Kind), Format: strings.ToLower(strings.TrimSpace(in.Format)), Lang: lang}
	switch {
	case !slices.Contains(Kinds, s.Kind):
		fs.Add("kind", "reports.v.kind", s.Kind)
	case !slices.Contains(rolesOf[s.Kind], role):
		fs.Add("kind", "reports.v.kind_role")
	case s.Kind == Events && d.CH == nil:
		fs.Add("kind", "reports.v.no_events")
	}
	if s.Format == "" {
		s.Format = reports.XLSX
	}
	if !slices.Contains(reports.Formats, s.Format) {
		fs.Add("format", "reports.v.format", s.Format)
	}
	var err error
	if s.From, err = week.Parse(strings.TrimSpace(in.From)); err != nil {
		fs.Add("from", "reports.v.week", in.From)
	}
	if s.To, err = week.Parse(strings.TrimSpace(in.To)); err != nil {
		fs.Add("to", "reports.v.week", in.To)
	}
	if !fs.Has("from") && !fs.Has("to") {
		if s.To.Before(s.From) {
			fs.Add("to", "reports.v.to_before_from", s.From.String())
		} else if _, err := week.NewRange(s.From, s.To, MaxWeeks); err != nil {
			fs.Add("to", "reports.v.range_long", MaxWeeks)
		}
	}
	s.Authority = strings.ReplaceAll(strings.TrimSpace(in.Authority), " ", "")
	if s.Kind != Events {
		if s.Authority != "" {
			fs.Add("authority", "reports.v.authority_events_only")
		}
		return s, fs.Err()
	}
	if role == auth.RoleAuthority && s.Authority == "" {
		s.Authority = who.AuthorityCVR
	}
	if s.Authority != "" {
		if !scope.Allows(s.Authority) {
			return s, problem.NotFound("reports.authority_not_found")
		}
		var n int
		if err := d.DB.QueryRowContext(ctx, `SELECT count(*) FROM authorities WHERE cvr = ?`, s.Authority).Scan(&n); err != nil {
			return s, err
		}
		if n == 0 {
			if !scope.All() {
				return s, problem.NotFound("reports.authority_not_found")
			}
			fs.Add("authority", "reports.v.authority_unknown", s.Authority)
		}
	}
	return s, fs.Err()
}

// Summary says what the export holds, for the audit log.
func (s Spec) Summary() string {
	out := fmt.Sprintf("%s export %s..%s", s.Kind, s.From, s.To)
	if s.Authority != "" {
		out += ", authority " + s.Authority
	}
	return out
}

// FileName is the download's name.
func (s Spec) FileName() string {
	name := fmt.Sprintf("%s-%s-%s", web.Translate(s.Lang, "reports.file."+s.Kind), s.From, s.To)
	if s.Authority != "" {
		name += "-" + s.Authority
	}
	return name + "." + s.Format
}

// source is the rows of one kind of export.
type source struct {
	sheet string
	cols  []reports.Column
	count func(ctx context.Context) (int64, error)
	each  func(ctx context.Context, emit func(row []any) error) error
}

// progressRows is how often Write reports its rows.
const progressRows = 2000

// Write writes the export of spec, read with scope, to w, and returns
// the rows written. progress (may be nil) hears the total once known and
// the rows written every few thousand rows.
func (d Deps) Write(ctx context.Context, spec Spec, scope auth.Scope, w io.Writer, progress func(written, total int64)) (int64, error) {
	var src source
	var err error
	switch spec.Kind {
	case Answers:
		src = d.answers(spec)
	case Calls:
		src = d.calls(spec)
	case Events:
		src, err = d.events(ctx, spec, scope)
	default:
		err = fmt.Errorf("unknown export %q", spec.Kind)
	}
	if err != nil {
		return 0, err
	}
	if progress == nil {
		progress = func(int64, int64) {}
	}
	total, err := src.count(ctx)
	if err != nil {
		return 0, err
	}
	progress(0, total)
	st, err := reports.NewStream(w, spec.Format, src.sheet, src.cols)
	if err != nil {
		return 0, err
	}
	err = src.each(ctx, func(row []any) error {
		if err := st.Row(row); err != nil {
			return err
		}
		if n := st.Rows(); n%progressRows == 0 {
			progress(n, max(total, n))
			return ctx.Err()
		}
		return nil
	})
	if err != nil {
		st.Abort()
		return st.Rows(), err
	}
	if err := st.Close(); err != nil {
		return st.Rows(), err
	}
	progress(st.Rows(), max(total, st.Rows()))
	return st.Rows(), nil
}

// columns are the headers of a sheet: translation keys and kinds.
func columns(lang string, keysAndKinds ...any) []reports.Column {
	var cols []reports.Column
	for i := 0; i+1 < len(keysAndKinds); i += 2 {
		cols = append(cols, reports.Column{Header: web.Translate(lang, "reports.col."+keysAndKinds[i].(string)), Kind: keysAndKinds[i+1].(reports.Kind)})
	}
	return cols
}

func (d Deps) answers(spec Spec) source {
	span := survey.WaveSpan{From: spec.From.String(), To: spec.To.String()}
	return source{
		sheet: web.Translate(spec.Lang, "reports.sheet.answers"),
		cols: columns(spec.Lang, "wave", reports.Text, "company_cvr", reports.Text, "company", reports.Text, "contact", reports.Text,
			"email", reports.Text, "question", reports.Text, "answer", reports.Text, "number", reports.General, "free_text", reports.Text,
			"submitted_at", reports.DateTime),
		count: func(ctx context.Context) (int64, error) { return d.Survey.CountExportAnswers(ctx, span) },
		each: func(ctx context.Context, emit func([]any) error) error {
			row := make([]any, 10)
			return d.Survey.EachExportAnswer(ctx, span, spec.Lang, func(a survey.ExportAnswer) error {
				row[0], row[1], row[2], row[3], row[4], row[5], row[6] = a.Wave, a.CompanyCVR, a.CompanyName, a.ContactName, a.ContactEmail, a.Question, a.Answer
				row[7] = nil
				if a.Number != nil {
					row[7] = *a.Number
				}
				row[8], row[9] = a.FreeText, a.SubmittedAt
				return emit(row)
			})
		},
	}
}

func (d Deps) calls(spec Spec) source {
	from, to := spec.From.Start(), spec.To.End()
	yesNo := func(b bool) string {
		if b {
			return web.Translate(spec.Lang, "reports.yes")
		}
		return web.Translate(spec.Lang, "reports.no")
	}
	label := func(kind, v string) string { return web.Translate(spec.Lang, "support."+kind+"."+v) }
	return source{
		sheet: web.Translate(spec.Lang, "reports.sheet.calls"),
		cols: columns(spec.Lang, "call_id", reports.General, "week", reports.Text, "received_at", reports.DateTime, "ended_at", reports.DateTime,
			"company_cvr", reports.Text, "company", reports.Text, "caller", reports.Text, "caller_role", reports.Text,
			"desk", reports.Text, "channel", reports.Text, "category", reports.Text, "resolution", reports.Text, "description", reports.Text,
			"duration", reports.Count, "follow_up_needed", reports.Text, "follow_up_by", reports.Text, "follow_up_done", reports.Text,
			"handled_by", reports.Text, "version", reports.Count, "updated_at", reports.DateTime, "updated_by", reports.Text),
		count: func(ctx context.Context) (int64, error) { return d.Support.CountExportCalls(ctx, from, to) },
		each: func(ctx context.Context, emit func([]any) error) error {
			row := make([]any, 21)
			return d.Support.EachExportCall(ctx, from, to, func(c support.Call) error {
				row[0], row[1], row[2], row[3] = c.ID, c.Week, c.ReceivedAt, nil
				if c.EndedAt != nil {
					row[3] = *c.EndedAt
				}
				row[4], row[5], row[6], row[7] = c.CompanyCVR, c.CompanyName, c.CallerName, c.CallerRole
				row[8], row[9], row[10], row[11] = label("desk", c.Desk), label("channel", c.Channel), label("category", c.Category), label("resolution", c.Resolution)
				row[12], row[13] = c.Description, nil
				if c.DurationMinutes != nil {
					row[13] = *c.DurationMinutes
				}
				row[14], row[15], row[16] = yesNo(c.FollowUpNeeded), c.FollowUpBy, yesNo(c.FollowUpDone)
				row[17], row[18], row[19], row[20] = c.HandledBy, c.Version, c.UpdatedAt, c.UpdatedBy
				return emit(row)
			})
		},
	}
}

// RegistryNames maps the CVRs of a registry table ("companies" or
// "authorities") to names.
func RegistryNames(ctx context.Context, db *store.DB, table string) (map[string]string, error) {
	if table != "companies" && table != "authorities" {
		return nil, fmt.Errorf("no registry table %q", table)
	}
	rows, err := db.QueryContext(ctx, `SELECT cvr, name FROM `+table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var cvr, name string
		if err := rows.Scan(&cvr, &name); err != nil {
			return nil, err
		}
		out[cvr] = name
	}
	return out, rows.Err()
}
