package dashboards

// The figures of the volume pages (docs/figures.md#content-volume): the
// page /dashboards/volume and its JSON twins GET /api/v1/metrics/volume
// (the weeks) and /api/v1/metrics/volume/ranking, and the drill-down
// /dashboards/volume/authorities/CVR, all computed by volume() below from
// the weekly figures (analytics/figures Volume: volume_weekly, exact).

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
)

// VolumeWeek is one authority's week: the figures of
// figures.WeekVolume (unchanged JSON fields) with the authority's name,
// kind and target, and the shares in percent.
type VolumeWeek struct {
	figures.WeekVolume
	AuthorityName string `json:"authority_name"` // "" for an authority not in the registry
	AuthorityKind string `json:"authority_kind"`
	// MetadataShare and DeepLinkShare are percentages; null without messages.
	MetadataShare *float64 `json:"metadata_share"`
	DeepLinkShare *float64 `json:"deep_link_share"`
	WeeklyTarget  *int64   `json:"weekly_target"`
	// Attainment is messages / weekly target in percent; null without a
	// target above 0 (docs/figures.md#share-of-weekly-target).
	Attainment *float64 `json:"attainment"`
}

// VolumeRank is one authority's row of the ranking: its messages in the
// period, their shares, its attainment and the change against the
// previous period.
type VolumeRank struct {
	// Rank is 1 for the most messages; authorities with as many messages
	// share a rank (1, 2, 2, 4).
	Rank          int      `json:"rank"`
	AuthorityCVR  string   `json:"authority_cvr"`
	AuthorityName string   `json:"authority_name"`
	AuthorityKind string   `json:"authority_kind"`
	Messages      uint64   `json:"messages"`
	Digital       uint64   `json:"digital"`
	RemotePrint   uint64   `json:"remote_print"`
	WithMetadata  uint64   `json:"with_metadata"`
	WithDeepLink  uint64   `json:"with_deep_link"`
	MetadataShare *float64 `json:"metadata_share"`
	DeepLinkShare *float64 `json:"deep_link_share"`
	WeeklyTarget  *int64   `json:"weekly_target"`
	// Attainment is messages / (weekly target × weeks of the period) in percent.
	Attainment       *float64 `json:"attainment"`
	PreviousMessages uint64   `json:"previous_messages"`
	PreviousRank     int      `json:"previous_rank"`
}

// VolumeRanking ranks the authorities for a period.
type VolumeRanking struct {
	Period  Period  `json:"period"`
	Filters Filters `json:"filters"`
	// Ranked is how many authorities the ranks are among: every authority
	// of the registry of the kind filtered by, and (without a kind filter)
	// those outside the registry that sent messages in either period.
	Ranked int `json:"ranked"`
	// Rows are the caller's authorities (an authority user: its own row
	// only, with its rank among all Ranked), most messages first.
	Rows []VolumeRank `json:"rows"`
}

// volumeFigures is everything the volume page shows.
type volumeFigures struct {
	Ranking VolumeRanking
	// Weeks are the rows of the authorities shown, a row per authority and
	// week of the period with messages.
	Weeks []VolumeWeek
}

// volumeQuery is a volume request resolved: filters, the scope shown, the
// period.
type volumeQuery struct {
	Filters Filters
	Scope   auth.Scope
	Period  Period
}

// volumeQueryOf reads the period and filters of a volume request; cvr, when
// set, is the authority of a drill-down (outside the caller's scope: 404).
func (h *handler) volumeQueryOf(ctx context.Context, c *fiber.Ctx, cvr string) (volumeQuery, error) {
	f, scope, err := h.filtersOf(ctx, c)
	if err != nil {
		return volumeQuery{Filters: f}, err
	}
	if cvr != "" {
		a, err := h.authorityShown(ctx, scope, cvr)
		if err != nil {
			return volumeQuery{Filters: f}, err
		}
		f.Authority, scope = a.CVR, auth.AuthorityScope(a.CVR)
	}
	return h.volumePeriod(ctx, f, scope, periodQueryOf(c))
}

// volumePeriod resolves the period asked for against the weeks with
// messages in scope.
func (h *handler) volumePeriod(ctx context.Context, f Filters, scope auth.Scope, pq PeriodQuery) (volumeQuery, error) {
	first, latest, ok, err := h.Volume.Span(ctx, scope)
	if err != nil {
		return volumeQuery{Filters: f}, err
	}
	if !ok {
		first, latest = week.Week{}, week.Week{}
	}
	p, err := ResolvePeriod(pq, first, latest, time.Now())
	return volumeQuery{Filters: f, Scope: scope, Period: p}, err
}

// authorityShown is the authority of a drill-down or a report: from the
// registry in the caller's scope (else not found); for a caller seeing
// every authority also a valid CVR outside the registry (events may name
// one).
func (h *handler) authorityShown(ctx context.Context, scope auth.Scope, cvr string) (registry.Authority, error) {
	a, err := h.Registry.Authority(ctx, scope, cvr)
	if err == nil || !scope.All() || registry.CheckCVR(cvr) != nil {
		return a, err
	}
	return registry.Authority{CVR: cvr}, nil
}

// volume computes the page's figures for q.
func (h *handler) volume(ctx context.Context, q volumeQuery) (volumeFigures, error) {
	p := q.Period
	// Every authority's weeks of both periods: the ranks are among all of
	// them; only the rows of q.Scope leave this function.
	rows, err := h.Volume.PerAuthorityWeek(ctx, auth.SystemScope(), week.Range{From: p.PreviousFrom, To: p.To})
	if err != nil {
		return volumeFigures{}, err
	}
	known, err := h.Registry.Authorities(ctx, auth.SystemScope(), "")
	if err != nil {
		return volumeFigures{}, err
	}
	byCVR := map[string]registry.Authority{}
	for _, a := range known {
		byCVR[a.CVR] = a
	}
	kindOK := func(cvr string) bool {
		return q.Filters.AuthorityKind == "" || byCVR[cvr].Kind == q.Filters.AuthorityKind
	}

	var out volumeFigures
	now, before := map[string]*VolumeRank{}, map[string]*VolumeRank{}
	add := func(cvr string) {
		if _, ok := now[cvr]; ok {
			return
		}
		a := byCVR[cvr]
		now[cvr] = &VolumeRank{AuthorityCVR: cvr, AuthorityName: a.Name, AuthorityKind: a.Kind, WeeklyTarget: a.WeeklyTarget}
		before[cvr] = &VolumeRank{}
	}
	for _, a := range known {
		if kindOK(a.CVR) {
			add(a.CVR)
		}
	}
	from := p.From.String() // ISO weeks order as their names do
	for _, w := range rows {
		if !kindOK(w.AuthorityCVR) {
			continue
		}
		add(w.AuthorityCVR)
		r := now[w.AuthorityCVR]
		if w.Week < from {
			r = before[w.AuthorityCVR]
		} else if q.Scope.Allows(w.AuthorityCVR) {
			out.Weeks = append(out.Weeks, volumeWeek(w, byCVR[w.AuthorityCVR]))
		}
		r.Messages += w.Messages
		r.Digital += w.Digital
		r.RemotePrint += w.RemotePrint
		r.WithMetadata += w.WithMetadata
		r.WithDeepLink += w.WithDeepLink
	}
	ranked := rankByMessages(now)
	rankByMessages(before) // numbers the previous period's ranks
	out.Ranking = VolumeRanking{Period: p, Filters: q.Filters, Ranked: len(ranked), Rows: []VolumeRank{}}
	weeks := p.Range().Len()
	for _, r := range ranked {
		if !q.Scope.Allows(r.AuthorityCVR) {
			continue
		}
		r.PreviousMessages, r.PreviousRank = before[r.AuthorityCVR].Messages, before[r.AuthorityCVR].Rank
		r.MetadataShare, r.DeepLinkShare = share(r.WithMetadata, r.Messages), share(r.WithDeepLink, r.Messages)
		r.Attainment = attainment(r.Messages, r.WeeklyTarget, weeks)
		out.Ranking.Rows = append(out.Ranking.Rows, *r)
	}
	return out, nil
}

// rankByMessages orders the rows by messages (most first, then by CVR)
// and numbers them, rows with as many messages sharing a rank.
func rankByMessages(m map[string]*VolumeRank) []*VolumeRank {
	rows := make([]*VolumeRank, 0, len(m))
	for cvr, r := range m {
		r.AuthorityCVR = cvr
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b *VolumeRank) int {
		if c := cmp.Compare(b.Messages, a.Messages); c != 0 {
			return c
		}
		return cmp.Compare(a.AuthorityCVR, b.AuthorityCVR)
	})
	for i, r := range rows {
		r.Rank = i + 1
		if i > 0 && r.Messages == rows[i-1].Messages {
			r.Rank = rows[i-1].Rank
		}
	}
	return rows
}

// volumeWeek is a week of figures with the authority's registry data and
// the shares.
func volumeWeek(w figures.WeekVolume, a registry.Authority) VolumeWeek {
	return VolumeWeek{WeekVolume: w, AuthorityName: a.Name, AuthorityKind: a.Kind, WeeklyTarget: a.WeeklyTarget,
		MetadataShare: share(w.WithMetadata, w.Messages), DeepLinkShare: share(w.WithDeepLink, w.Messages), Attainment: attainment(w.Messages, a.WeeklyTarget, 1)}
}

// attainment is messages over the target of the weeks in percent; nil
// without a target above 0.
func attainment(messages uint64, target *int64, weeks int) *float64 {
	if target == nil || *target <= 0 || weeks <= 0 {
		return nil
	}
	return share(messages, uint64(*target)*uint64(weeks))
}

// share is part of whole in percent, nil when whole is zero.
func share(part, whole uint64) *float64 {
	if whole == 0 {
		return nil
	}
	s := 100 * float64(part) / float64(whole)
	return &s
}

// volumeWeekExample and volumeRankExample are the OpenAPI examples.
func volumeWeekExample() VolumeWeek {
	target := int64(150)
	return volumeWeek(figures.WeekVolume{AuthorityCVR: "10000025", Week: "2012-W46", Monday: "2012-11-12", Messages: 120, Digital: 100, RemotePrint: 20, WithMetadata: 80, WithDeepLink: 30, Companies: 12},
		registry.Authority{CVR: "10000025", Name: "Skattestyrelsen", Kind: registry.KindState, WeeklyTarget: &target})
}

func volumeRankExample() VolumeRank {
	w := volumeWeekExample()
	return VolumeRank{Rank: 3, AuthorityCVR: w.AuthorityCVR, AuthorityName: w.AuthorityName, AuthorityKind: w.AuthorityKind, Messages: w.Messages, Digital: w.Digital,
		RemotePrint: w.RemotePrint, WithMetadata: w.WithMetadata, WithDeepLink: w.WithDeepLink, MetadataShare: w.MetadataShare, DeepLinkShare: w.DeepLinkShare,
		WeeklyTarget: w.WeeklyTarget, Attainment: w.Attainment, PreviousMessages: 95, PreviousRank: 4}
}
