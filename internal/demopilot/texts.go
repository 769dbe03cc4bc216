package demopilot

// The demo pilot's free text: questionnaire comments, support-call notes
// and interview notes, in Danish and (for English-speaking contacts)
// English. They carry the seed's findings: setup problems of three kinds,
// the mailbox as a management decision, the operator's support easy to
// reach but not solving the problem, and the wishes for search across
// folders, an audit trail (who did what) and undelete.

import (
	"math/rand/v2"

	"github.com/pilotpulse/pilotpulse/analytics/demofeed"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/survey"
)

// text is one text in Danish and English.
type text struct{ da, en string }

func (t text) in(lang string) string {
	if lang == registry.LanguageEnglish {
		return t.en
	}
	return t.da
}

func pick(r *rand.Rand, ts []text, lang string) string { return ts[r.IntN(len(ts))].in(lang) }

// problemKinds maps a setup-failure reason to the questionnaire's problem
// kind and the call log's category.
var problemKinds = map[string]struct{ answer, category string }{
	demofeed.ReasonSignature: {"employee_signature", "employee_signature"},
	demofeed.ReasonRights:    {"rights_roles", "rights_and_roles"},
	demofeed.ReasonTechnical: {"creating_mailbox", "mailbox_creation"},
}

// setupComments are comments on a setup problem, by reason.
var setupComments = map[string][]text{
	demofeed.ReasonSignature: {
		{"Vi venter stadig på medarbejdersignaturer til bogholderiet, så kun direktøren kan logge ind.", "We are still waiting for employee signatures for accounting, so only the CEO can log in."},
		{"Bestillingen af NemID medarbejdersignatur tog over en uge.", "Ordering the NemID employee signature took more than a week."},
	},
	demofeed.ReasonRights: {
		{"Det er uklart, hvordan rettigheder og roller tildeles i den udvidede model.", "It is unclear how rights and roles are assigned in the extended model."},
		{"Vi kunne ikke give lønafdelingen adgang til deres egen mappe.", "We could not give payroll access to its own folder."},
	},
	demofeed.ReasonTechnical: {
		{"Oprettelsen fejlede flere gange med en teknisk fejl uden forklaring.", "Creating the mailbox failed several times with a technical error and no explanation."},
		{"Siden hang, da vi skulle oprette postkassen; vi måtte starte forfra.", "The page hung while creating the mailbox; we had to start over."},
	},
}

// decisionComments say that creating the mailbox is a management decision.
var decisionComments = []text{
	{"Oprettelsen af postkassen er en ledelsesmæssig beslutning hos os; den griber ind i mange arbejdsgange og kan ikke indføres på kort tid.",
		"Creating the mailbox is a management decision for us; it touches many workflows and cannot be done in a short time."},
	{"Direktionen skulle først godkende, hvem der må læse posten. Det tager tid i en stor virksomhed.",
		"Management had to decide first who may read the mail. That takes time in a large company."},
}

// wishComments are the wishes in free text, by the questionnaire's option.
var wishComments = map[string][]text{
	"search_folders": {
		{"Vi savner søgning på tværs af mapper.", "We miss searching across folders."},
		{"Det er svært at finde et brev, når man ikke ved hvilken mappe det ligger i. Søgning på tværs af mapper ville hjælpe.", "Hard to find a letter without knowing its folder: search across folders would help."},
	},
	"audit_trail": {
		{"Vi vil gerne kunne se hvem der har gjort hvad i postkassen.", "We would like to see who did what in the mailbox (an audit trail)."},
		{"Hvem har flyttet brevet fra SKAT? Vi mangler en log over hvem der har gjort hvad.", "Who moved the letter from the tax agency? We need an audit trail of who did what."},
	},
	"recover_deleted": {
		{"En kollega slettede et brev ved en fejl. Det skal være muligt at genfinde slettet post i en kortere periode.", "A colleague deleted a letter by mistake. It should be possible to undelete mail for a short period."},
	},
}

// goodComments are comments of a week without trouble.
var goodComments = []text{
	{"Det kører fint nu, og posten kommer i postkassen.", "It works well now, and the mail arrives in the mailbox."},
	{"Reglerne flytter posten til de rigtige mapper.", "The rules move the mail to the right folders."},
	{"Vi får stadig meget post på papir. Hvor er myndighederne?", "We still get a lot of mail on paper. Where are the authorities?"},
}

// callNotes are the support-call descriptions, by category; wishes are
// among the notes of finding_mail, deleted_mail and other.
var callNotes = map[string][]text{
	"employee_signature": {
		{"Kan ikke bestille medarbejdersignatur til en ny medarbejder; forklaret hvordan NemID-administrator gør det.", "Cannot order an employee signature for a new employee; explained how the NemID administrator does it."},
		{"Medarbejdersignaturen virker ikke på Virk.dk; certifikatet var ikke aktiveret.", "The employee signature does not work on Virk.dk; the certificate was not activated."},
	},
	"rights_and_roles": {
		{"Vil tildele læseret til bogholderiet, men kan ikke finde rettighederne i den udvidede model.", "Wants to give accounting read access but cannot find the rights in the extended model."},
		{"Administratorrollen forsvandt efter skift af rettighedsmodel.", "The administrator role disappeared after switching the rights model."},
	},
	"mailbox_creation": {
		{"Oprettelse af postkassen fejler med teknisk fejl. Sendt videre.", "Creating the mailbox fails with a technical error. Passed on."},
		{"Oprettelsen stopper ved accept af vilkår; prøvet igen uden held.", "Creation stops at accepting the terms; tried again without luck."},
	},
	"finding_mail": {
		{"Kan ikke finde et brev fra Skatteforvaltningen; ønsker søgning på tværs af mapper.", "Cannot find a letter from the tax agency; asks for search across folders."},
		{"Posten blev flyttet af en regel, og man kan ikke søge på tværs af mapper.", "A rule moved the mail, and one cannot search across folders."},
	},
	"deleted_mail": {
		{"Har slettet et brev ved en fejl og vil gerne gendanne slettet post.", "Deleted a letter by mistake and wants to undelete it."},
	},
	"third_party_access": {
		{"Spørger om revisoren kan få læseadgang; har ikke givet adgang endnu.", "Asks whether the accountant can get read access; has not granted it yet."},
	},
	"other": {
		{"Vil vide hvem der har gjort hvad i postkassen; et brev er flyttet uden at nogen ved af hvem.", "Wants to know who did what in the mailbox; a letter was moved and nobody knows by whom."},
		{"Spørger til advisering ved ny post på mobilen.", "Asks about notifications of new mail on the phone."},
	},
}

// operatorNotSolved is added to the notes of an operator's call that did
// not solve the problem.
var operatorNotSolved = text{" e-Boks' support var let at komme igennem til, men kunne ikke løse problemet.", " e-Boks support was easy to reach but could not solve the problem."}

// nonSetupCategories are the call categories of companies without setup
// trouble that week (none counts as a setup problem).
var nonSetupCategories = []string{"finding_mail", "finding_mail", "deleted_mail", "third_party_access", "other", "other"}

// interviewNotes are the parts of an interview's notes.
var interviewNotes = struct {
	decision, support, wishes []text
	setup                     map[string]text
}{
	decision: []text{
		{"Ledelsen besluttede i oktober at tage postkassen i brug; beslutningen berører fakturering, løn og kontrakter, så det har taget tid at få alle afdelinger med.",
			"Management decided in October to adopt the mailbox; the decision touches invoicing, payroll and contracts, so getting every department on board has taken time."},
		{"Oprettelsen er en ledelsesmæssig beslutning: hvem må læse posten, og hvem svarer myndighederne?",
			"Creating the mailbox is a management decision: who may read the mail, and who answers the authorities?"},
	},
	support: []text{
		{"Virk.dk's support svarede hurtigt. e-Boks' support var let at komme i kontakt med, men hjælpen løste ikke problemet.",
			"Virk.dk support answered quickly. e-Boks support was easy to reach, but its help did not solve the problem."},
	},
	wishes: []text{
		{"Ønsker: søgning på tværs af mapper, at kunne se hvem der har gjort hvad, og at kunne genfinde slettet post i en kortere periode.",
			"Wishes: search across folders, seeing who did what, and recovering deleted mail for a short period."},
		{"Savner søgning på tværs af mapper; ingen har givet læseadgang til tredjepart (revisor), det afventer ledelsen.",
			"Misses search across folders; nobody has granted read access to a third party (the accountant), that waits for management."},
	},
	setup: map[string]text{
		demofeed.ReasonSignature: {"Problemer med medarbejdersignaturer forsinkede ibrugtagningen med flere uger.", "Trouble with employee signatures delayed adoption by several weeks."},
		demofeed.ReasonRights:    {"Tildelingen af rettigheder i den udvidede model var svær at forstå.", "Assigning rights in the extended model was hard to understand."},
		demofeed.ReasonTechnical: {"Oprettelsen fejlede med tekniske fejl; postkassen blev først taget i brug sent i forløbet.", "Creation failed with technical errors; the mailbox was adopted late in the pilot."},
	},
}

// interviewTopics are the question keys an interview touches.
var interviewTopics = []string{survey.KeySetupProblem, survey.KeyContactedSupport, survey.KeyMissingFeatures, survey.KeyThirdPartyAccess}
