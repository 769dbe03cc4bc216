package support

import "github.com/pilotpulse/pilotpulse/internal/web"

// The labels of the code values, per language; also accepted in import files.
var (
	labelsDA = map[string]string{
		"support.desk.portal": "Portalens support", "support.desk.mailbox_operator": "Postkasseoperatørens support",
		"support.channel.phone": "Telefon", "support.channel.email": "E-mail", "support.channel.chat": "Chat",
		"support.category.mailbox_creation": "Oprettelse af postkasse", "support.category.employee_signature": "Medarbejdersignatur",
		"support.category.rights_and_roles": "Rettigheder og roller", "support.category.folders_and_rules": "Mapper og regler",
		"support.category.notifications": "Notifikationer", "support.category.finding_mail": "Finde post/søgning",
		"support.category.third_party_access": "Tredjepartsadgang", "support.category.deleted_mail": "Slettet post", "support.category.other": "Andet",
		"support.resolution.resolved": "Løst", "support.resolution.partly": "Delvist løst", "support.resolution.not_resolved": "Ikke løst",
		"support.resolution.escalated": "Eskaleret",
	}
	labelsEN = map[string]string{
		"support.desk.portal": "Portal support desk", "support.desk.mailbox_operator": "Mailbox operator's desk",
		"support.channel.phone": "Phone", "support.channel.email": "E-mail", "support.channel.chat": "Chat",
		"support.category.mailbox_creation": "Mailbox creation", "support.category.employee_signature": "Employee signature",
		"support.category.rights_and_roles": "Rights and roles", "support.category.folders_and_rules": "Folders and rules",
		"support.category.notifications": "Notifications", "support.category.finding_mail": "Finding mail/search",
		"support.category.third_party_access": "Third-party access", "support.category.deleted_mail": "Deleted mail", "support.category.other": "Other",
		"support.resolution.resolved": "Resolved", "support.resolution.partly": "Partly resolved", "support.resolution.not_resolved": "Not resolved",
		"support.resolution.escalated": "Escalated",
	}
)

func init() {
	web.Translations(labelsDA, labelsEN)
	web.Translations(map[string]string{
		"nav.support_calls": "Supportopkald", "nav.support_figures": "Supporttal",
		"support.calls": "Supportopkald", "support.new": "Nyt opkald", "support.call": "Opkald", "support.edit": "Ret opkaldet",
		"support.company": "Virksomhed", "support.company_hint": "Skriv navn eller CVR og vælg på listen",
		"support.caller_name": "Opringerens navn", "support.caller_role": "Opringerens rolle", "support.received_at": "Modtaget",
		"support.received_hint": "Dansk tid; tomt = nu", "support.ended_at": "Afsluttet", "support.desk": "Support", "support.channel": "Kanal",
		"support.category": "Kategori", "support.description": "Beskrivelse", "support.resolution": "Udfald",
		"support.duration": "Varighed (minutter)", "support.follow_up_needed": "Opfølgning nødvendig", "support.follow_up_by": "Opfølgning senest",
		"support.follow_up_done": "Opfølgning udført", "support.handled_by": "Håndteret af", "support.choose": "Vælg …",
		"support.save": "Gem opkaldet", "support.saved": "Opkaldet er gemt.", "support.created": "Opkaldet er gemt.",
		"support.week": "Uge", "support.caller": "Opringer", "support.follow_up": "Opfølgning", "support.any": "alle",
		"support.follow_up_open": "åben", "support.follow_up_overdue": "åben og overskredet", "support.search": "Søg i beskrivelser",
		"support.find": "Find", "support.none": "Ingen opkald fundet.", "support.count": "opkald", "support.show": "Vis",
		"support.deleted": "Slettede", "support.deleted_include": "medtag", "support.deleted_only": "kun slettede",
		"support.deleted_banner": "Opkaldet er slettet", "support.by": "af", "support.reason": "Begrundelse",
		"support.delete": "Slet opkaldet", "support.delete_reason": "Begrundelse for sletning", "support.restore": "Gendan opkaldet",
		"support.history": "Historik", "support.version": "Version", "support.at": "Tidspunkt", "support.actor": "Hvem",
		"support.action": "Handling", "support.changes": "Ændringer",
		"support.action.created": "oprettet", "support.action.imported": "importeret", "support.action.updated": "ændret",
		"support.action.deleted": "slettet", "support.action.restored": "gendannet",
		"support.company_calls": "Opkald fra", "support.company_record": "Virksomhedens side",
		"support.import": "Importér opkald (CSV eller XLSX)", "support.import_submit": "Importér", "support.import_failed": "Intet blev importeret. Fejl i",
		"support.import_done": "Importeret", "support.import_created": "opkald oprettet", "support.import_skipped": "allerede importeret",
		"support.figures": "Supporttal pr. uge", "support.from": "Fra uge", "support.to": "Til uge",
		"support.calls_n": "Opkald", "support.calling_companies": "Virksomheder der ringede", "support.distinct_callers": "Forskellige opringere",
		"support.not_solved": "Ikke løst", "support.median_duration": "Median varighed (min.)", "support.past_due": "Opfølgninger overskredet",
		"support.total": "I alt", "support.by_category": "Opkald pr. kategori", "support.by_resolution": "Opkald pr. udfald",
		"support.by_desk": "Opkald pr. support", "support.past_due_all": "Åbne opfølgninger over fristen (alle uger)",
		"support.pilot_companies": "virksomheder i piloten", "support.json": "Samme tal som JSON",
		"support.not_solved_note": "Ikke løst = udfald delvist løst, ikke løst eller eskaleret.",
		"support.readonly":        "Du kan læse opkaldet, men ikke ændre det.", "support.cohort": "Pilothold", "support.true": "ja", "support.false": "nej", "support.pages": "Sider", "support.prev": "Nyere", "support.next": "Ældre",
	}, map[string]string{
		"nav.support_calls": "Support calls", "nav.support_figures": "Support figures",
		"support.calls": "Support calls", "support.new": "New call", "support.call": "Call", "support.edit": "Edit the call",
		"support.company": "Company", "support.company_hint": "Type a name or CVR and pick from the list",
		"support.caller_name": "Caller's name", "support.caller_role": "Caller's role", "support.received_at": "Received",
		"support.received_hint": "Danish time; empty = now", "support.ended_at": "Ended", "support.desk": "Desk", "support.channel": "Channel",
		"support.category": "Category", "support.description": "Description", "support.resolution": "Resolution",
		"support.duration": "Duration (minutes)", "support.follow_up_needed": "Follow-up needed", "support.follow_up_by": "Follow up by",
		"support.follow_up_done": "Follow-up done", "support.handled_by": "Handled by", "support.choose": "Choose …",
		"support.save": "Save the call", "support.saved": "The call is saved.", "support.created": "The call is saved.",
		"support.week": "Week", "support.caller": "Caller", "support.follow_up": "Follow-up", "support.any": "any",
		"support.follow_up_open": "open", "support.follow_up_overdue": "open and overdue", "support.search": "Search descriptions",
		"support.find": "Find", "support.none": "No calls found.", "support.count": "calls", "support.show": "Show",
		"support.deleted": "Deleted", "support.deleted_include": "include", "support.deleted_only": "deleted only",
		"support.deleted_banner": "This call is deleted", "support.by": "by", "support.reason": "Reason",
		"support.delete": "Delete the call", "support.delete_reason": "Reason for deleting", "support.restore": "Restore the call",
		"support.history": "History", "support.version": "Version", "support.at": "When", "support.actor": "Who",
		"support.action": "Action", "support.changes": "Changes",
		"support.action.created": "created", "support.action.imported": "imported", "support.action.updated": "changed",
		"support.action.deleted": "deleted", "support.action.restored": "restored",
		"support.company_calls": "Calls from", "support.company_record": "The company's page",
		"support.import": "Import calls (CSV or XLSX)", "support.import_submit": "Import", "support.import_failed": "Nothing was imported. Errors in",
		"support.import_done": "Imported", "support.import_created": "calls created", "support.import_skipped": "already imported",
		"support.figures": "Support figures per week", "support.from": "From week", "support.to": "To week",
		"support.calls_n": "Calls", "support.calling_companies": "Companies that called", "support.distinct_callers": "Distinct callers",
		"support.not_solved": "Not solved", "support.median_duration": "Median duration (min.)", "support.past_due": "Follow-ups past due",
		"support.total": "Total", "support.by_category": "Calls by category", "support.by_resolution": "Calls by resolution",
		"support.by_desk": "Calls by desk", "support.past_due_all": "Open follow-ups past due (all weeks)",
		"support.pilot_companies": "companies in the pilot", "support.json": "The same figures as JSON",
		"support.not_solved_note": "Not solved = resolution partly resolved, not resolved or escalated.",
		"support.readonly":        "You can read this call but not change it.", "support.cohort": "Pilot cohort", "support.true": "yes", "support.false": "no", "support.pages": "Pages", "support.prev": "Newer", "support.next": "Older",
	})
}
