package dashboards

// Every dashboard page and its JSON twin read the same period and filter
// parameters (docs/figures.md#period-and-filters):
//
//	period=latest|4w|pilot   a preset: the newest week with data, the four
//	                         weeks ending with it, every week with data
//	from=, to=               ISO weeks (2012-W46) or dates; either may be
//	                         left out (to: the newest week with data; from: to)
//	kind=                    company kind; default company (the pilot's
//	                         companies), or all
//	cohort=                  a cohort label of the registry
//	authority=               an authority's CVR (an authority user always
//	                         sees its own; naming another is 404)
//	authority_kind=          an authority kind of the registry (state,
//	                         municipality, region): the volume pages
//
// A page resolves them once (periodOf, filtersOf) and hands the result to
// its figure function, so the page, its JSON twin and a report agree.

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
)

// The period presets.
const (
	PresetLatest = "latest" // the newest week with data
	PresetFour   = "4w"     // the four weeks ending with the newest week with data
	PresetPilot  = "pilot"  // from the first to the newest week with data
	PresetCustom = "custom" // from and to as given
)

// Presets lists the presets a page offers, in order.
var Presets = []string{PresetLatest, PresetFour, PresetPilot}

// PeriodMaxWeeks is the longest period a page shows: three years.
const PeriodMaxWeeks = 3*52 + 1

// PeriodQuery is the period a request asks for, as sent.
type PeriodQuery struct {
	Preset, From, To string
}

func periodQueryOf(c *fiber.Ctx) PeriodQuery {
	return PeriodQuery{Preset: strings.TrimSpace(c.Query("period")), From: strings.TrimSpace(c.Query("from")), To: strings.TrimSpace(c.Query("to"))}
}

// Period is the weeks a page shows and the period of the same length right
// before them, which its changes compare against.
type Period struct {
	Preset       string    `json:"preset"` // one of Presets, or custom
	From         week.Week `json:"from"`
	To           week.Week `json:"to"`
	PreviousFrom week.Week `json:"previous_from"`
	PreviousTo   week.Week `json:"previous_to"`
	// First and Latest are the first and the newest week with data in the
	// page's view; both zero when there is none (then the period is this week).
	First  week.Week `json:"first_week"`
	Latest week.Week `json:"latest_week"`
}

// Range is the period's weeks.
func (p Period) Range() week.Range { return week.Range{From: p.From, To: p.To} }

// Previous is the period of the same length right before it.
func (p Period) Previous() week.Range { return week.Range{From: p.PreviousFrom, To: p.PreviousTo} }

// HasData says whether the page's view has any week with data.
func (p Period) HasData() bool { return !p.Latest.IsZero() }

// ResolvePeriod reads q against the weeks with data (first and latest, both
// zero when there is none: then every preset is the week of now). A bad
// parameter is a problem.Fields naming it.
func ResolvePeriod(q PeriodQuery, first, latest week.Week, now time.Time) (Period, error) {
	p := Period{First: first, Latest: latest}
	if latest.IsZero() {
		first, latest = week.Of(now), week.Of(now)
	}
	var fs problem.Fields
	from, to := figures.WeekParam(&fs, "from", q.From), figures.WeekParam(&fs, "to", q.To)
	switch {
	case q.From != "" || q.To != "":
		p.Preset = PresetCustom
		if q.Preset != "" && q.Preset != PresetCustom {
			fs.Add("period", "dashboards.period_and_weeks")
		}
	case q.Preset == "" || q.Preset == PresetLatest:
		p.Preset = PresetLatest
	case slices.Contains(Presets, q.Preset):
		p.Preset = q.Preset
	default:
		fs.Add("period", "dashboards.bad_period", q.Preset)
	}
	if len(fs) > 0 {
		return p, fs
	}
	switch p.Preset {
	case PresetLatest:
		from, to = latest, latest
	case PresetFour:
		from, to = latest.Add(-3), latest
	case PresetPilot:
		from, to = first, latest
		if latest.Add(-(PeriodMaxWeeks - 1)).After(from) {
			from = latest.Add(-(PeriodMaxWeeks - 1))
		}
	case PresetCustom:
		if to.IsZero() {
			to = latest
		}
		if from.IsZero() {
			from = to
		}
	}
	r := week.Range{From: from, To: to}
	switch {
	case to.Before(from):
		fs.Add("to", "figures.to_before_from", to.String(), from.String())
	case r.Len() > PeriodMaxWeeks:
		fs.Add("from", "figures.range_too_long", r.Len(), PeriodMaxWeeks)
	}
	if len(fs) > 0 {
		return p, fs
	}
	n := r.Len()
	p.From, p.To = from, to
	p.PreviousFrom, p.PreviousTo = from.Add(-n), from.Prev()
	return p, nil
}

// Kinds a page may filter by: a company kind of the registry, or every kind.
const (
	KindAll = registry.KindAll
)

// Filters narrow what a page counts.
type Filters struct {
	// Kind is the company kind counted: registry.KindCompany (the pilot's
	// companies, the default and the denominator of the seed's figures), one
	// of the other registry.CompanyKinds, or KindAll.
	Kind string `json:"kind"`
	// Cohort is a registry cohort label; "" is every cohort.
	Cohort string `json:"cohort,omitempty"`
	// Authority is the CVR of the authority the page is narrowed to; ""
	// is every authority in the caller's scope.
	Authority string `json:"authority,omitempty"`
	// AuthorityKind keeps the authorities of one registry.AuthorityKinds
	// kind (the volume pages); "" is every kind.
	AuthorityKind string `json:"authority_kind,omitempty"`
}

// MaxCohortLength is the longest cohort label a filter accepts.
const MaxCohortLength = 100

// Companies keeps the companies the filters count (kind and cohort).
func (f Filters) Companies(cs []registry.Company) []registry.Company {
	var out []registry.Company
	for _, c := range cs {
		if f.Counts(c) {
			out = append(out, c)
		}
	}
	return out
}

// Counts says whether the filters count company c.
func (f Filters) Counts(c registry.Company) bool {
	return (f.Kind == KindAll || c.Kind == f.Kind) && (f.Cohort == "" || c.Cohort == f.Cohort)
}

// Query writes the filters and the period as URL parameters (the JSON
// twin's link, the presets' links), leaving out defaults.
func (f Filters) Query(p Period) url.Values {
	v := url.Values{}
	if p.Preset == PresetCustom {
		v.Set("from", p.From.String())
		v.Set("to", p.To.String())
	} else if p.Preset != "" && p.Preset != PresetLatest {
		v.Set("period", p.Preset)
	}
	if f.Kind != "" && f.Kind != registry.KindCompany {
		v.Set("kind", f.Kind)
	}
	if f.Cohort != "" {
		v.Set("cohort", f.Cohort)
	}
	if f.Authority != "" {
		v.Set("authority", f.Authority)
	}
	if f.AuthorityKind != "" {
		v.Set("authority_kind", f.AuthorityKind)
	}
	return v
}

// check fills in the default kind and names the filters that are not
// valid (a problem.Fields; empty when all are).
func (f *Filters) check() problem.Fields {
	var fs problem.Fields
	if f.AuthorityKind != "" && !slices.Contains(registry.AuthorityKinds, f.AuthorityKind) {
		fs.Add("authority_kind", "dashboards.bad_authority_kind", f.AuthorityKind)
	}
	switch {
	case f.Kind == "":
		f.Kind = registry.KindCompany
	case f.Kind != KindAll && !slices.Contains(registry.CompanyKinds, f.Kind):
		fs.Add("kind", "dashboards.bad_kind", f.Kind)
	}
	if len(f.Cohort) > MaxCohortLength {
		fs.Add("cohort", "dashboards.cohort_too_long", MaxCohortLength)
	}
	return fs
}

// filtersOf reads the filters of a request and the scope the page's
// figures read with: the caller's, narrowed to the authority asked for. An
// authority outside the caller's scope is not found (404), never shown; an
// authority user is always narrowed to its own.
func (h *handler) filtersOf(ctx context.Context, c *fiber.Ctx) (Filters, auth.Scope, error) {
	p := web.PrincipalOf(c)
	scope := web.ScopeOf(c)
	f := Filters{Kind: strings.TrimSpace(c.Query("kind")), Cohort: strings.TrimSpace(c.Query("cohort")), Authority: strings.TrimSpace(c.Query("authority")),
		AuthorityKind: strings.TrimSpace(c.Query("authority_kind"))}
	if fs := f.check(); len(fs) > 0 {
		return f, scope, fs
	}
	if f.Authority == "" && p != nil && p.Role == auth.RoleAuthority {
		f.Authority = p.AuthorityCVR
	}
	if f.Authority != "" {
		a, err := h.Registry.Authority(ctx, scope, f.Authority) // outside the scope: not found
		if err != nil {
			return f, scope, err
		}
		f.Authority = a.CVR
		scope = auth.AuthorityScope(a.CVR)
	}
	return f, scope, nil
}
