package registry

import (
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

// KindAll is the participant-kind filter value that counts every kind.
const KindAll = "all"

// Denominator is the line a figure page shows under its figures to say
// what its shares are of: n participants of kind (one of CompanyKinds, or
// KindAll), cohort if not "", and where the other participants are
// (OtherKinds).
func Denominator(n int, kind, cohort string) problem.Message {
	var m problem.Message
	switch kind {
	case KindCompany:
		m = problem.Msg("denominator.company", participantCount(n))
	case KindAll:
		m = problem.Msg("denominator.all", participantCount(n))
	default:
		m = problem.Msg("denominator.kind", problem.Msg("kind."+kind), participantCount(n))
	}
	if cohort != "" {
		m = problem.Join(" ", m, problem.Msg("denominator.cohort", cohort))
	}
	return problem.Join(" ", m, OtherKinds(kind))
}

// OtherKinds says where the participants a figure of kind leaves out are:
// for the pilot's companies (the default), that the municipality, region
// and state institution are participants of another kind, shown under the
// Participant kind filter; for another kind, that the companies are the
// default there.
func OtherKinds(kind string) problem.Message {
	switch kind {
	case KindCompany:
		return problem.Msg("denominator.others")
	case KindAll:
		return problem.Msg("denominator.every_kind")
	}
	return problem.Msg("denominator.companies_default")
}

// participantCount is a count written in the reader's language (1.234 / 1,234).
type participantCount int

func (n participantCount) In(lang string) string { return web.FormatCount(lang, int64(n)) }

func init() {
	web.Translations(map[string]string{
		"denominator.company":           "Andelene er af %s virksomheder i piloten.",
		"denominator.kind":              "Andelene er af deltagerne af typen %s, %s i alt.",
		"denominator.all":               "Andelene er af alle %s deltagere.",
		"denominator.cohort":            "Kun hold %q tælles.",
		"denominator.others":            "Kommuner, regioner og statslige institutioner er deltagere af en anden type og vises under filteret Deltagertype.",
		"denominator.companies_default": "Virksomhederne i piloten, som tælles som standard, vises under filteret Deltagertype.",
		"denominator.every_kind":        "Virksomheder, kommuner, regioner og statslige institutioner tælles alle (filteret Deltagertype).",
	}, map[string]string{
		"denominator.company":           "Shares are of the %s companies in the pilot.",
		"denominator.kind":              "Shares are of the participants of kind %s, %s in all.",
		"denominator.all":               "Shares are of all %s participants.",
		"denominator.cohort":            "Only cohort %q is counted.",
		"denominator.others":            "Municipalities, regions and state institutions are participants of another kind, shown under the Participant kind filter.",
		"denominator.companies_default": "The pilot's companies, counted by default, are shown under the Participant kind filter.",
		"denominator.every_kind":        "Companies, municipalities, regions and state institutions are all counted (the Participant kind filter).",
	})
}
