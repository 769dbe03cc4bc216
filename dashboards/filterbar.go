package dashboards

import (
	"context"
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/registry"
)

// The filter bar every dashboard page shows above its figures
// (templates/_dashboards_filters.html): the period presets as links, the
// custom weeks, the filters the page supports, the period compared with,
// and the link to the page's JSON twin.

// filterFields says which filters a page offers.
type filterFields struct {
	Kind, Cohort, Authority, AuthorityKind bool
}

type presetLink struct {
	Label, Href string
	Current     bool
}

type option struct {
	Value, Label string
}

type filterBar struct {
	Action  string // the page's path
	Presets []presetLink
	From    string
	To      string
	Fields  filterFields
	Kind    string
	Kinds   []option
	Cohort  string
	Cohorts []string
	// Authority is the authority filtered by; Authorities are those the
	// caller may pick (admins and managers only).
	Authority   string
	Authorities []option
	Shown       string // "2012-W45 – 2012-W48"
	Compared    string // the previous period, for the changes
	APIHref     string

	// AuthorityKind is the authority kind filtered by (the volume pages).
	AuthorityKind  string
	AuthorityKinds []option
}

// filterBar builds the bar of the page at path whose JSON twin is api.
func (h *handler) filterBar(ctx context.Context, c *fiber.Ctx, path, api string, p Period, f Filters, show filterFields) (filterBar, error) {
	lang := web.Language(c)
	b := filterBar{Action: path, Fields: show, Kind: f.Kind, Cohort: f.Cohort, Authority: f.Authority, AuthorityKind: f.AuthorityKind,
		Shown: weeksText(p.From.String(), p.To.String()), Compared: weeksText(p.PreviousFrom.String(), p.PreviousTo.String())}
	if p.Preset == PresetCustom {
		b.From, b.To = p.From.String(), p.To.String()
	}
	for _, preset := range Presets {
		q := f.Query(Period{Preset: preset})
		b.Presets = append(b.Presets, presetLink{Label: tf(lang, "dashboards.preset_"+preset), Href: path + "?" + q.Encode(), Current: p.Preset == preset})
	}
	b.APIHref = api + "?" + f.Query(p).Encode()
	if show.Kind {
		for _, k := range append(slices.Clone(registry.CompanyKinds), KindAll) {
			b.Kinds = append(b.Kinds, option{Value: k, Label: tf(lang, "dashboards.kind_"+k)})
		}
	}
	if show.AuthorityKind {
		for _, k := range registry.AuthorityKinds {
			b.AuthorityKinds = append(b.AuthorityKinds, option{Value: k, Label: tf(lang, "dashboards.authority_kind_"+k)})
		}
	}
	if show.Cohort {
		ps, err := h.participants(ctx)
		if err != nil {
			return b, err
		}
		b.Cohorts = slices.Clone(ps.cohorts)
	}
	if pr := web.PrincipalOf(c); show.Authority && pr != nil && (pr.Role == auth.RoleAdmin || pr.Role == auth.RoleManager) {
		as, err := h.Registry.Authorities(ctx, web.ScopeOf(c), "")
		if err != nil {
			return b, err
		}
		for _, a := range as {
			b.Authorities = append(b.Authorities, option{Value: a.CVR, Label: a.Name + " (" + a.CVR + ")"})
		}
	}
	return b, nil
}

// weeksText is a period written for people: one week, or "from – to".
func weeksText(from, to string) string {
	if from == to {
		return from
	}
	return from + " – " + to
}
