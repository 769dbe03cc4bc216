package dashboards

import "github.com/pilotpulse/pilotpulse/internal/web"

func init() {
	web.Translations(map[string]string{
		"nav.volume": "Volumen", "volume.title": "Indholdsvolumen pr. myndighed",
		"volume.intro": "Meddelelser sendt til de deltagende virksomheders postkasser pr. ISO-uge (dansk tid): digitalt eller via fjernprint, andel med metadata og dybe links, antal virksomheder nået og ugens mål.",
		"volume.from":  "Fra uge", "volume.to": "Til uge", "volume.show": "Vis", "volume.week": "Uge", "volume.messages": "Meddelelser",
		"volume.messages_lc": "meddelelser", "volume.digital": "Digitalt", "volume.remote_print": "Fjernprint", "volume.metadata": "Med metadata",
		"volume.deep_link": "Med dybe links", "volume.companies": "Virksomheder nået", "volume.target": "Ugemål (nået)", "volume.total": "I alt",
		"volume.none": "Ingen meddelelser i perioden.", "volume.no_authorities": "Ingen myndigheder at vise.", "volume.unknown_authority": "Myndighed uden for registret",
		"volume.chart_authorities": "Meddelelser pr. uge pr. myndighed", "volume.chart_channels": "Meddelelser pr. uge efter kanal",
		"dashboards.chart_show_table": "Vis tabel", "dashboards.chart_show_chart": "Vis diagram", "dashboards.chart_empty": "Intet at vise i perioden.",
		"dashboards.chart_week": "Uge", "dashboards.chart_total": "I alt",
		"dashboards.period": "Periode", "dashboards.preset_latest": "Seneste uge", "dashboards.preset_4w": "Seneste 4 uger", "dashboards.preset_pilot": "Hele piloten",
		"dashboards.from": "Fra uge", "dashboards.to": "Til uge", "dashboards.kind": "Deltagertype", "dashboards.cohort": "Hold", "dashboards.every_cohort": "Alle hold",
		"dashboards.authority": "Myndighed", "dashboards.every_authority": "Alle myndigheder", "dashboards.show": "Vis",
		"dashboards.shown": "Viser", "dashboards.compared": "sammenlignet med",
		"dashboards.kind_company": "Virksomheder", "dashboards.kind_municipality": "Kommuner", "dashboards.kind_region": "Regioner",
		"dashboards.kind_state_institution": "Statslige institutioner", "dashboards.kind_all": "Alle deltagere",
		"dashboards.bad_period":       "kender ikke perioden %q; vælg seneste uge (latest), seneste 4 uger (4w) eller hele piloten (pilot)",
		"dashboards.period_and_weeks": "angiv enten en periode eller fra- og til-uge, ikke begge",
		"dashboards.bad_kind":         "kender ikke deltagertypen %q; vælg company, municipality, region, state_institution eller all",
		"dashboards.cohort_too_long":  "holdet må højst have %d tegn",
	}, map[string]string{
		"nav.volume": "Volume", "volume.title": "Content volume per authority",
		"volume.intro": "Messages sent to the pilot companies' mailboxes per ISO week (Copenhagen time): digital or by remote print, share with metadata and deep links, companies reached and the weekly target.",
		"volume.from":  "From week", "volume.to": "To week", "volume.show": "Show", "volume.week": "Week", "volume.messages": "Messages",
		"volume.messages_lc": "messages", "volume.digital": "Digital", "volume.remote_print": "Remote print", "volume.metadata": "With metadata",
		"volume.deep_link": "With deep links", "volume.companies": "Companies reached", "volume.target": "Weekly target (reached)", "volume.total": "Total",
		"volume.none": "No messages in this period.", "volume.no_authorities": "No authorities to show.", "volume.unknown_authority": "Authority not in the registry",
		"volume.chart_authorities": "Messages per week per authority", "volume.chart_channels": "Messages per week by channel",
		"dashboards.chart_show_table": "Show table", "dashboards.chart_show_chart": "Show chart", "dashboards.chart_empty": "Nothing to show in this period.",
		"dashboards.chart_week": "Week", "dashboards.chart_total": "Total",
		"dashboards.period": "Period", "dashboards.preset_latest": "Latest week", "dashboards.preset_4w": "Last 4 weeks", "dashboards.preset_pilot": "Whole pilot",
		"dashboards.from": "From week", "dashboards.to": "To week", "dashboards.kind": "Participant kind", "dashboards.cohort": "Cohort", "dashboards.every_cohort": "Every cohort",
		"dashboards.authority": "Authority", "dashboards.every_authority": "Every authority", "dashboards.show": "Show",
		"dashboards.shown": "Showing", "dashboards.compared": "compared with",
		"dashboards.kind_company": "Companies", "dashboards.kind_municipality": "Municipalities", "dashboards.kind_region": "Regions",
		"dashboards.kind_state_institution": "State institutions", "dashboards.kind_all": "Every participant",
		"dashboards.bad_period":       "unknown period %q; choose latest week (latest), last 4 weeks (4w) or the whole pilot (pilot)",
		"dashboards.period_and_weeks": "give either a period or from and to weeks, not both",
		"dashboards.bad_kind":         "unknown participant kind %q; choose company, municipality, region, state_institution or all",
		"dashboards.cohort_too_long":  "the cohort may have at most %d characters",
	})
}
