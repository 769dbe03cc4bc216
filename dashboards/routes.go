// Package dashboards holds the pages that chart and tabulate the pilot's
// figures. Each page reads its figure through the one function that
// computes it (analytics, support, survey), with the request's authority
// scope, so a page, its JSON twin under /api/v1/metrics and an Excel sheet
// show the same numbers. Pages: the pilot overview (the start page, per
// role), content volume per authority, the adoption funnel, the
// legal-notice list, the company hub (/companies/CVR), wishes (with the
// admin's keyword rules) and the week in review.
package dashboards

import (
	"embed"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/store"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/support"
	"github.com/pilotpulse/pilotpulse/survey"
)

//go:embed all:templates
var templates embed.FS

// Deps is what the dashboards read. Without ClickHouse (CH nil) only the
// company hub is served, without usage events.
type Deps struct {
	CH       driver.Conn
	Volume   *figures.Volume // the weekly volume figures
	Registry *registry.Store
	Support  *support.Store
	Survey   *survey.Store
	// DB holds the wishes' keyword rules; Audit records their changes and
	// the exports.
	DB    *store.DB
	Audit *audit.Log
}

type handler struct {
	srv *web.Server
	Deps
	participantCache *participantCache // participants.go
	eventWeeksCache  *eventWeeksCache  // company_week_cache.go
}

// Register adds the dashboard pages.
func Register(srv *web.Server, d Deps) error {
	if err := srv.Views().Add(templates); err != nil {
		return err
	}
	h := &handler{srv: srv, Deps: d, participantCache: &participantCache{}, eventWeeksCache: &eventWeeksCache{}}
	// The adoption funnel, the legal-notice list and the company hub
	// (adoption.go, legal_notice.go, company_hub.go): company figures, for
	// the roles that read companies; never authority users.
	srv.Router.Add(web.Route{Method: "GET", Path: "/companies/:cvr", Roles: companyRoles, Summary: "A company's hub: register data and one timeline of its answers, interviews, support calls and usage events", Handler: h.companyHubPage})
	srv.Router.Add(web.Route{Method: "GET", Path: "/api/v1/companies/:cvr/timeline", Roles: companyRoles, Tag: "registry",
		Summary: "A company's register data and its timeline by day, newest first: questionnaire answers (question texts and answer labels in the caller's language) and interviews for admins and managers, support calls and usage events per day and type. period=latest|4w|pilot (default pilot: every week with the company's data) or from/to (ISO weeks or dates).",
		Query:   []string{"period", "from", "to"}, Returns: CompanyTimeline{}, Handler: h.companyTimelineJSON})
	if d.CH == nil {
		return nil
	}
	srv.Router.Add(web.Route{Method: "GET", Path: "/dashboards/adoption", Roles: companyRoles, Summary: "The adoption funnel and the companies stuck at each step", Nav: "nav.adoption", NavOrder: 6, Handler: h.adoptionPage})
	srv.Router.Add(web.Route{Method: "GET", Path: "/api/v1/metrics/adoption", Roles: companyRoles, Tag: "figures",
		Summary: "The adoption funnel as of the period's end (in pilot, setup started, setup completed, first login, first message read) against the previous period's end, the companies stuck at each step and for how long, and the funnel per week of the period. period=latest|4w|pilot or from/to (ISO weeks or dates); kind (company, municipality, region, state_institution, all); cohort.",
		Query:   []string{"period", "from", "to", "kind", "cohort"}, Returns: Adoption{}, Handler: h.adoptionJSON})
	srv.Router.Add(web.Route{Method: "GET", Path: "/dashboards/legal-notice", Roles: companyRoles, Summary: "Companies with no login on or after a date, with their contacts (the legal-notice list)", Handler: h.legalNoticePage})
	srv.Router.Add(web.Route{Method: "GET", Path: "/dashboards/legal-notice.csv", Roles: companyRoles, Summary: "The legal-notice list for a mail merge (CSV, one row per contact)", Handler: h.legalNoticeFile})
	srv.Router.Add(web.Route{Method: "GET", Path: "/dashboards/legal-notice.xlsx", Roles: companyRoles, Summary: "The legal-notice list for a mail merge (Excel workbook, one row per contact)", Handler: h.legalNoticeWorkbookFile})
	srv.Router.Add(web.Route{Method: "GET", Path: "/api/v1/metrics/legal-notice", Roles: companyRoles, Tag: "figures",
		Summary: "Companies of the kind with no user.login on or after since (a date; default: the period's first day), with their contacts, last login and days since it. period, from, to, kind, cohort as for the adoption funnel.",
		Query:   []string{"since", "period", "from", "to", "kind", "cohort"}, Returns: legalNoticeExample(), Handler: h.legalNoticeJSON})
	// Volume per authority (volume*.go).
	volumeReaders := []auth.Role{auth.RoleAdmin, auth.RoleManager, auth.RoleAuthority}
	volumeQuery := []string{"period", "from", "to", "authority", "authority_kind"}
	srv.Router.Add(web.Route{Method: "GET", Path: "/dashboards/volume", Roles: volumeReaders,
		Summary: "Content volume per authority: messages per week by authority and channel, attainment of the weekly targets, the ranking of the authorities", Nav: "nav.volume", NavOrder: 5, Handler: h.volumePage})
	srv.Router.Add(web.Route{Method: "GET", Path: "/dashboards/volume/authorities/:cvr", Roles: volumeReaders,
		Summary: "One authority's volume: its weeks, its place in the ranking, the companies it reached", Handler: h.authorityVolumePage})
	srv.Router.Add(web.Route{Method: "GET", Path: "/api/v1/metrics/volume", Roles: volumeReaders, Tag: "figures",
		Summary: "Messages sent per authority and ISO week (Europe/Copenhagen) with messages, split by channel, with metadata and deep-link counts and shares, companies reached (exact) and attainment of the weekly target; an authority user sees only its own authority. period=latest|4w|pilot or from/to: ISO week (2012-W46) or date; default: the newest week with messages. authority=CVR, authority_kind=state|municipality|region.",
		Query:   volumeQuery, Returns: []VolumeWeek{volumeWeekExample()}, Handler: h.volumeJSON})
	srv.Router.Add(web.Route{Method: "GET", Path: "/api/v1/metrics/volume/ranking", Roles: volumeReaders, Tag: "figures",
		Summary: "The authorities ranked by messages sent in the period, with channels, shares, attainment and the previous period; an authority user gets its own row and its rank among all authorities, never another's. Parameters as /api/v1/metrics/volume.",
		Query:   volumeQuery, Returns: VolumeRanking{Ranked: 12, Rows: []VolumeRank{volumeRankExample()}}, Handler: h.volumeRankingJSON})
	srv.Router.Add(web.Route{Method: "GET", Path: "/api/v1/metrics/volume/authorities/:cvr", Roles: volumeReaders, Tag: "figures",
		Summary: "One authority's volume for the period: every week (also those without messages), its ranking row, the exact number of companies reached and the first 200 of them with their messages. Another authority's CVR is 404 for an authority user.",
		Query:   []string{"period", "from", "to", "authority_kind"}, Returns: AuthorityDrillDown{AuthorityCVR: "10000025", Total: volumeRankExample(), Ranked: 12, Weeks: []VolumeWeek{volumeWeekExample()}, CompaniesReached: 12, Companies: []CompanyReached{{CompanyVolume: figures.CompanyVolume{CompanyCVR: "10000050", Messages: 3, Digital: 2, RemotePrint: 1, WithMetadata: 2, WithDeepLink: 1, Weeks: 2}, Name: "Nordsø Shipping A/S"}}},
		Handler: h.authorityVolumeJSON})
	srv.Router.Add(web.Route{Method: "GET", Path: "/api/v1/reports/authority/:cvr", Roles: volumeReaders, Tag: "reports",
		Summary: "One authority's volume report as an Excel workbook (docs/figures.md#authority-volume-report): its weeks by channel with metadata and deep-link shares, companies reached, weekly target and attainment, a totals row and charts; the companies reached; the definitions. Another authority's CVR is 404 for an authority user. from/to: ISO weeks (2012-W45) or dates, or period=latest|4w|pilot (default: the newest week with messages); lang=da|en (default: the reader's language). Audited.",
		Query:   []string{"from", "to", "period", "lang"}, Handler: h.authorityReportFile})
	// Setup problems and the follow-up list (company figures: no authority users).
	srv.Router.Add(web.Route{Method: "GET", Path: setupPath, Roles: companyRoles, Summary: "Setup problems per week from the three sources, the companies with a problem, setup times and the follow-up list",
		Nav: "nav.setup_problems", NavOrder: 2, Handler: h.setupPage})
	srv.Router.Add(web.Route{Method: "GET", Path: followUpsPath, Roles: companyRoles, Summary: "The companies to interview in the period's last week, and why",
		Nav: "nav.follow_ups", NavOrder: 2, Handler: h.followUpsPage})
	srv.Router.Add(web.Route{Method: "GET", Path: setupAPIPath, Roles: companyRoles, Tag: "figures",
		Summary: "Setup problems per week of the period: companies with a problem from questionnaire answers, support calls in setup categories and mailbox.setup_failed events (by kind of problem, category and reason), the same for the period and the previous period, the companies and their sources, and the time from setup started to completed. Company figures: not for authority users; authority= is refused. Period: period=latest|4w|pilot or from/to weeks; kind= (default company: the denominator), cohort=.",
		Query:   []string{"period", "from", "to", "kind", "cohort"}, Returns: setupExample(), Handler: h.setupJSON})
	srv.Router.Add(web.Route{Method: "GET", Path: followUpsAPIPath, Roles: companyRoles, Tag: "figures",
		Summary: "The follow-up list of the period's last week: companies with a new setup problem (none the week before), an unresolved support call, or no answer two waves running, each with every reason that applies and where to record the interview. Same parameters as setup-problems.",
		Query:   []string{"period", "from", "to", "kind", "cohort"}, Returns: followUpsExample(), Handler: h.followUpsJSON})
	srv.SetHome(h.overviewPage)
	srv.Router.Add(web.Route{Method: "GET", Path: "/api/v1/metrics/overview", Roles: web.UserRolesAll, Tag: "figures",
		Summary: "The pilot overview of the start page, per role: for admins and managers the pilot's figures (companies, setup-problem rate per week and cumulative, calling companies, calls by category, share not solved per desk, response rate, third-party access, messages per authority); for an authority user (or ?authority=CVR) its messages against its weekly target; for support staff today's and the week's calls and the open follow-ups. week: ISO week (2012-W46) or date; default: the newest week with data.",
		Query:   []string{"period", "from", "to", "week", "kind", "cohort", "authority"}, Returns: overviewExample(), Handler: jsonOf(h.overviewOf)})

	// Wishes and the week in review (issue 10, items 6 and 7).
	pilotRoles := []auth.Role{auth.RoleAdmin, auth.RoleManager}
	admin := []auth.Role{auth.RoleAdmin}
	srv.Router.Add(web.Route{Method: "GET", Path: "/dashboards/wishes", Roles: pilotRoles,
		Summary: "Wishes: how often each wish comes up in answers, interviews and support calls, with the quotes", Nav: "nav.wishes", NavOrder: 7, Handler: h.wishesPage})
	srv.Router.Add(web.Route{Method: "GET", Path: "/api/v1/metrics/wishes", Roles: pilotRoles, Tag: "figures",
		Summary: "Wishes of the period (docs/figures.md#wishes): per keyword rule the mentions in multiple-choice answers, free-text answers, interview notes and support-call notes, against the previous period, the companies and the quotes with their matches marked. period=latest|4w|pilot or from/to (ISO weeks); kind, cohort filter the companies.",
		Query:   []string{"period", "from", "to", "kind", "cohort"}, Returns: wishesExample(), Handler: jsonOf(h.wishesOf)})
	srv.Router.Add(web.Route{Method: "GET", Path: "/dashboards/week-in-review", Roles: pilotRoles,
		Summary: "Week in review: the period's findings as a short text for the minutes", Nav: "nav.week_in_review", NavOrder: 8, Handler: h.reviewPage})
	srv.Router.Add(web.Route{Method: "GET", Path: "/api/v1/metrics/week-in-review", Roles: pilotRoles, Tag: "figures",
		Summary: "Week in review (docs/figures.md#week-in-review): the period's findings as sentences in the reader's language, from the overview's figures and the top wishes; only figures with data. period=latest|4w|pilot or from/to; kind, cohort.",
		Query:   []string{"period", "from", "to", "kind", "cohort"}, Returns: reviewExample(), Handler: jsonOf(h.review)})
	// The weekly pilot workbook (issue 11, item 1; report_weekly.go).
	srv.Router.Add(web.Route{Method: "GET", Path: WeeklyReportPath, Roles: weeklyReaders, Tag: "reports",
		Summary: "The weekly pilot workbook (Excel, .xlsx) of an ISO week: summary with the change from the week before and the week in review, trends with charts, setup problems and the follow-up list, support calls, questionnaire results, response rate and non-respondents, volume per authority, adoption funnel, definitions. week: ISO week (2012-W46) or date; default: the newest week with data. lang: da or en (default: the reader's language). Recorded in the audit log.",
		Query:   []string{"week", "lang"}, Handler: h.weeklyReportFile})
	srv.Router.Add(web.Route{Method: "GET", Path: "/admin/wishes", Roles: admin, Summary: "The wishes' keyword rules", Nav: "nav.wish_rules", NavOrder: 83, Handler: h.wishRulesPage})
	srv.Router.Add(web.Route{Method: "POST", Path: "/admin/wishes", Roles: admin, Summary: "Add a wish rule", Handler: h.createWishRuleForm})
	srv.Router.Add(web.Route{Method: "POST", Path: "/admin/wishes/:id", Roles: admin, Summary: "Change a wish rule", Handler: h.updateWishRuleForm})
	srv.Router.Add(web.Route{Method: "POST", Path: "/admin/wishes/:id/delete", Roles: admin, Summary: "Delete a wish rule", Handler: h.deleteWishRuleForm})
	return nil
}
