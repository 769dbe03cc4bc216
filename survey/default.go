package survey

import (
	"bytes"
	"encoding/json"

	"go.yaml.in/yaml/v3"
)

// Question keys of the default weekly questionnaire. Other code (figures,
// dashboards, interviews' topics) refers to them.
const (
	KeyUsedMailbox       = "used_mailbox"
	KeySetupProblem      = "setup_problem"
	KeySetupProblemKinds = "setup_problem_kinds"
	KeyEase              = "ease"
	KeyContactedSupport  = "contacted_support"
	KeySupportDesk       = "support_desk"
	KeySupportSolved     = "support_solved"
	KeyThirdPartyAccess  = "third_party_access"
	KeyMissingFeatures   = "missing_features"
	KeyComments          = "comments"
)

// DefaultSlug is the slug of the shipped weekly questionnaire.
const DefaultSlug = "weekly"

func t(da, en string) Text { return Text{DA: da, EN: en} }

func opt(key, da, en string) Option { return Option{Key: key, Text: t(da, en)} }

// DefaultDefinition is the shipped weekly questionnaire, built from the
// pilot's slides: use of the mailbox, setup problems and their kind, ease,
// support contact and whether it solved the problem, third-party access and
// the wishes the pilot heard.
func DefaultDefinition() Definition {
	return Definition{
		Slug:  DefaultSlug,
		Title: t("Ugentligt spørgeskema om den digitale postkasse", "Weekly questionnaire on the digital mailbox"),
		Intro: t("Tak fordi I deltager i indkøringsperioden. Det tager omkring 3 minutter at svare. Svarene gælder den seneste uge.",
			"Thank you for taking part in the running-in pilot. Answering takes about 3 minutes. The answers are about the past week."),
		Questions: []Question{
			{Key: KeyUsedMailbox, Type: TypeYesNo, Required: true,
				Text: t("Har jeres virksomhed brugt den digitale postkasse i denne uge?", "Has your company used the digital mailbox this week?")},
			{Key: KeySetupProblem, Type: TypeYesNo, Required: true,
				Text: t("Har I haft problemer med at oprette eller opsætte postkassen i denne uge?", "Have you had problems creating or setting up the mailbox this week?")},
			{Key: KeySetupProblemKinds, Type: TypeMulti, Required: true, ShowIf: &Condition{Key: KeySetupProblem, Equals: "yes"},
				Text: t("Hvilke problemer?", "Which problems?"),
				Help: t("Vælg alle der passer.", "Choose all that apply."),
				Options: []Option{
					opt("creating_mailbox", "Oprettelse af postkassen", "Creating the mailbox"),
					opt("employee_signature", "Medarbejdersignaturer (NemID)", "Employee signatures (NemID)"),
					opt("rights_roles", "Rettigheder og roller", "Rights and roles"),
					opt("folders_rules", "Mapper og regler", "Folders and rules"),
					opt("notifications", "Advisering", "Notifications"),
					opt("finding_mail", "At finde post", "Finding mail"),
					opt("other", "Andet", "Other"),
				}},
			{Key: KeyEase, Type: TypeRating, Required: true,
				Text: t("Hvor let har det været at bruge postkassen? (1 = meget svært, 5 = meget let)", "How easy has the mailbox been to use? (1 = very hard, 5 = very easy)")},
			{Key: KeyContactedSupport, Type: TypeYesNo, Required: true,
				Text: t("Har I kontaktet support i denne uge?", "Have you contacted support this week?")},
			{Key: KeySupportDesk, Type: TypeSingle, Required: true, ShowIf: &Condition{Key: KeyContactedSupport, Equals: "yes"},
				Text: t("Hvilken support?", "Which support desk?"),
				Options: []Option{
					opt("virk", "Virk.dk's support", "Virk.dk support"),
					opt("eboks", "e-Boks' support", "e-Boks support"),
					opt("both", "Begge", "Both"),
				}},
			{Key: KeySupportSolved, Type: TypeYesNo, Required: true, ShowIf: &Condition{Key: KeyContactedSupport, Equals: "yes"},
				Text: t("Løste supporten jeres problem?", "Did support solve your problem?")},
			{Key: KeyThirdPartyAccess, Type: TypeYesNo, Required: true,
				Text: t("Har I givet en tredjepart (fx revisor) læseadgang til postkassen?", "Have you granted a third party (e.g. an accountant) read access to the mailbox?")},
			{Key: KeyMissingFeatures, Type: TypeMulti,
				Text: t("Hvad savner I i postkassen?", "What do you miss in the mailbox?"),
				Help: t("Vælg alle der passer, eller ingen.", "Choose all that apply, or none."),
				Options: []Option{
					opt("search_folders", "Søgning på tværs af mapper", "Search across folders"),
					opt("audit_trail", "At se hvem der har gjort hvad", "Seeing who did what"),
					opt("recover_deleted", "At genfinde slettet post", "Recovering deleted mail"),
					opt("other", "Andet (skriv gerne i kommentaren)", "Other (please say in the comments)"),
				}},
			{Key: KeyComments, Type: TypeText,
				Text: t("Kommentarer", "Comments"),
				Help: t("Alt andet I vil fortælle os.", "Anything else you want to tell us.")},
		},
	}
}

// MarshalDefinition writes a definition as JSON or YAML.
func MarshalDefinition(d Definition, format string) ([]byte, error) {
	if format == "json" {
		return json.MarshalIndent(d, "", "  ")
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

func yamlUnmarshalStrict(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	return dec.Decode(v)
}
