package dashboards

import "github.com/pilotpulse/pilotpulse/internal/web"

// The texts of the legal-notice workbook (report_legal_notice.go).
func init() {
	web.Translations(map[string]string{
		"report_legal.download":   "Hent listen til brevfletning (Excel)",
		"report_legal.sheet_list": "Brevfletning", "report_legal.sheet_about": "Om listen",
		"report_legal.contact": "Kontaktperson", "report_legal.email": "E-mail", "report_legal.language": "Sprog",
		"report_legal.as_of": "Dage regnet til", "report_legal.companies": "Deltagere", "report_legal.not_logged_in": "Ikke logget ind",
		"report_legal.def_since":      "Listen har deltagerne af den valgte type og det valgte hold uden noget login (hændelsen user.login) på denne dato eller senere.",
		"report_legal.def_last_login": "Dagen (dansk tid) for deltagerens seneste login; tom når deltageren aldrig har logget ind.",
		"report_legal.def_days_since": "Dage fra seneste login til periodens sidste dag, eller til dagen før datoen, når den er senere; tom når deltageren aldrig har logget ind.",
		"report_legal.def_contacts":   "En række pr. kontaktperson i registret med e-mail og sprog; en deltager uden kontaktpersoner har én række uden dem.",
	}, map[string]string{
		"report_legal.download":   "Download the list for a mail merge (Excel)",
		"report_legal.sheet_list": "Mail merge", "report_legal.sheet_about": "About the list",
		"report_legal.contact": "Contact", "report_legal.email": "E-mail", "report_legal.language": "Language",
		"report_legal.as_of": "Days counted to", "report_legal.companies": "Participants", "report_legal.not_logged_in": "Not logged in",
		"report_legal.def_since":      "The list has the participants of the chosen kind and cohort with no login (the user.login event) on this date or later.",
		"report_legal.def_last_login": "The day (Copenhagen time) of the participant's last login; empty when it never logged in.",
		"report_legal.def_days_since": "Days from the last login to the period's last day, or to the day before the date when that is later; empty when it never logged in.",
		"report_legal.def_contacts":   "One row per contact of the registry with e-mail and language; a participant without contacts has one row without them.",
	})
}
