package dashboards

import "github.com/pilotpulse/pilotpulse/internal/web"

// The texts of the authority volume report and of the definitions sheet
// the report workbooks share (report_authority.go, report_legal_notice.go).
func init() {
	web.Translations(map[string]string{
		"report_authority.download":        "Hent rapporten (Excel)",
		"report_authority.sheet_authority": "Myndighed", "report_authority.sheet_weeks": "Uger", "report_authority.sheet_companies": "Virksomheder",
		"report_authority.sheet_definitions": "Definitioner", "report_authority.figure": "Tal", "report_authority.definition": "Definition", "report_authority.source": "Kilde",
		"report_authority.kind": "Myndighedstype", "report_authority.from": "Fra uge", "report_authority.to": "Til uge", "report_authority.weeks": "Uger i perioden",
		"report_authority.ranked": "Myndigheder i alt", "report_authority.monday": "Mandag",
		"report_authority.with_metadata": "Antal med metadata", "report_authority.with_deep_link": "Antal med dybe links",
		"report_authority.metadata_share": "Andel med metadata", "report_authority.deep_link_share": "Andel med dybe links",
		"report_authority.def_week":         "ISO-uge fra mandag 00:00 til næste mandag 00:00 dansk tid (Europe/Copenhagen).",
		"report_authority.def_messages":     "Meddelelser (hændelsen message.sent) fra myndigheden i ugen; en meddelelse sendt igen tæller én gang.",
		"report_authority.def_digital":      "Af meddelelserne dem sendt digitalt (kanal digital).",
		"report_authority.def_remote_print": "Af meddelelserne dem sendt via fjernprint (kanal remote_print).",
		"report_authority.def_metadata":     "Meddelelser med metadata delt med alle meddelelser; uden oplysning tæller en meddelelse som uden metadata. Tom uden meddelelser.",
		"report_authority.def_deep_link":    "Meddelelser med dybe links delt med alle meddelelser, talt som andelen med metadata. Tom uden meddelelser.",
		"report_authority.def_companies":    "Forskellige virksomheder, der fik mindst én meddelelse fra myndigheden i ugen (præcist tal). I alt-rækken: forskellige virksomheder i hele perioden, ikke summen af ugerne.",
		"report_authority.def_target":       "Myndighedens ugemål fra registret. I alt-rækken: ugemålet gange periodens uger.",
		"report_authority.def_attainment":   "Meddelelser delt med ugemålet; i alt-rækken meddelelser delt med ugemålet gange periodens uger. Tom uden et ugemål over 0.",
		"report_authority.def_rank":         "Myndighedens plads blandt alle myndigheder efter meddelelser i perioden, flest først; lige mange deler plads.",
		"report_authority.def_company_list": "Virksomhederne, myndigheden sendte mindst én meddelelse til i perioden, flest meddelelser først: meddelelser, kanaler, metadata, dybe links og uger med post.",
	}, map[string]string{
		"report_authority.download":        "Download the report (Excel)",
		"report_authority.sheet_authority": "Authority", "report_authority.sheet_weeks": "Weeks", "report_authority.sheet_companies": "Companies",
		"report_authority.sheet_definitions": "Definitions", "report_authority.figure": "Figure", "report_authority.definition": "Definition", "report_authority.source": "Source",
		"report_authority.kind": "Authority kind", "report_authority.from": "From week", "report_authority.to": "To week", "report_authority.weeks": "Weeks in the period",
		"report_authority.ranked": "Authorities ranked", "report_authority.monday": "Monday",
		"report_authority.with_metadata": "Number with metadata", "report_authority.with_deep_link": "Number with deep links",
		"report_authority.metadata_share": "Share with metadata", "report_authority.deep_link_share": "Share with deep links",
		"report_authority.def_week":         "ISO week from Monday 00:00 to the next Monday 00:00 Copenhagen time (Europe/Copenhagen).",
		"report_authority.def_messages":     "Messages (the message.sent event) from the authority in the week; a message sent again counts once.",
		"report_authority.def_digital":      "Of the messages, those sent digitally (channel digital).",
		"report_authority.def_remote_print": "Of the messages, those sent by remote print (channel remote_print).",
		"report_authority.def_metadata":     "Messages with metadata over all messages; a message without the information counts as without metadata. Empty without messages.",
		"report_authority.def_deep_link":    "Messages with deep links over all messages, counted like the share with metadata. Empty without messages.",
		"report_authority.def_companies":    "Distinct companies that got at least one message from the authority in the week (exact). The totals row: distinct companies in the whole period, not the sum of the weeks.",
		"report_authority.def_target":       "The authority's weekly target from the registry. The totals row: the weekly target times the weeks of the period.",
		"report_authority.def_attainment":   "Messages over the weekly target; in the totals row messages over the weekly target times the weeks of the period. Empty without a weekly target above 0.",
		"report_authority.def_rank":         "The authority's place among all authorities by messages in the period, most first; as many messages share a place.",
		"report_authority.def_company_list": "The companies the authority sent at least one message to in the period, most messages first: messages, channels, metadata, deep links and weeks with mail.",
	})
}
