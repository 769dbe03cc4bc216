package demofeed

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/pilotpulse/pilotpulse/registry"
)

// Setup-failure reasons of the demo's mailbox.setup_failed events: the
// three kinds of setup problem the pilot's companies report.
const (
	ReasonSignature = "employee_signature_missing"
	ReasonRights    = "rights_assignment"
	ReasonTechnical = "technical_error"
)

// SetupReasons lists the setup-failure reasons the demo uses.
var SetupReasons = []string{ReasonSignature, ReasonRights, ReasonTechnical}

// Participant is one participant's part in the demo story. The events are
// made from it, and so are the questionnaire answers, support calls and
// interviews of `pilotpulse demo` (package demopilot), so that every source
// tells the same story about the same companies.
type Participant struct {
	CVR, Name, Kind string
	StartWeek       int // the pilot week (0 = 2012-W45) the setup starts
	// Reasons are the participant's setup problems (empty: none); each
	// failed setup has one of them.
	Reasons []string
	// TroubleWeeks are the pilot weeks with a failed setup, ascending.
	TroubleWeeks []int
	// Completed is when the mailbox was set up (zero: never, in the pilot).
	Completed     time.Time
	CompletedWeek int // -1: never
	Extended      bool
	Users         int
	// StopWeek is the first pilot week without logins of a participant
	// that stops using the mailbox; -1: logs in to the end.
	StopWeek int
}

// Troubled reports whether the participant had a setup problem.
func (p Participant) Troubled() bool { return len(p.Reasons) > 0 }

// TroubleIn reports whether the participant had a failed setup in pilot week w.
func (p Participant) TroubleIn(w int) bool { return slices.Contains(p.TroubleWeeks, w) }

// UsesMailboxIn reports whether the participant could use its mailbox in
// pilot week w: set up by the end of the week and still logging in.
func (p Participant) UsesMailboxIn(w int) bool {
	return p.CompletedWeek >= 0 && p.CompletedWeek <= w && (p.StopWeek < 0 || w < p.StopWeek)
}

var danishNames = []string{"Mette Hansen", "Lars Nielsen", "Anne Jensen", "Søren Pedersen", "Hanne Andersen", "Jens Christensen",
	"Camilla Larsen", "Mikkel Sørensen", "Louise Rasmussen", "Peter Jørgensen", "Birgitte Madsen", "Henrik Kristensen",
	"Maria Olsen", "Thomas Thomsen", "Susanne Poulsen", "Rasmus Johansen", "Karen Møller", "Niels Mortensen"}

var englishNames = []string{"Sarah Mitchell", "James Walker", "Emily Clarke", "Daniel Hughes", "Olivia Bennett", "Michael Turner"}

// demoParticipants makes the registry of the pilot: the companies (at most
// len(demoCompanyNames)), the authorities, and the authorities that also
// take part (a municipality, a region and a state institution). Every
// company has a Danish-speaking pilot contact; every fourth also an
// English-speaking one (an international group's IT lead).
func demoParticipants(r *rand.Rand, companies int, created time.Time) ([]registry.Company, []registry.Authority) {
	used := map[string]bool{}
	nextCVR := func() string {
		for {
			c, ok := validCVR(1000000 + r.IntN(8999999))
			if ok && !used[c] {
				used[c] = true
				return c
			}
		}
	}
	var cs []registry.Company
	for i := 0; i < companies; i++ {
		cvr := nextCVR()
		contacts := []registry.Contact{{Name: danishNames[r.IntN(len(danishNames))], Email: fmt.Sprintf("pilot+%s@example.dk", cvr),
			Phone: fmt.Sprintf("+45 %02d %02d %02d %02d", 20+r.IntN(70), r.IntN(100), r.IntN(100), r.IntN(100)), Language: registry.LanguageDanish}}
		if i%4 == 3 {
			contacts = append(contacts, registry.Contact{Name: englishNames[r.IntN(len(englishNames))], Email: fmt.Sprintf("it+%s@example.com", cvr),
				Language: registry.LanguageEnglish})
		}
		cs = append(cs, registry.Company{CVR: cvr, Name: demoCompanyNames[i], Kind: registry.KindCompany, Cohort: "pilot-2012",
			Contacts: contacts, CreatedAt: created, UpdatedAt: created})
	}
	var as []registry.Authority
	for _, a := range demoAuthorities {
		cvr := nextCVR()
		var target *int64
		if t := a.target; t > 0 {
			target = &t
		}
		as = append(as, registry.Authority{CVR: cvr, Name: a.name, Kind: a.kind, WeeklyTarget: target, CreatedAt: created, UpdatedAt: created})
		if a.participant != "" {
			cs = append(cs, registry.Company{CVR: cvr, Name: a.name, Kind: a.participant, Cohort: "pilot-2012",
				Contacts:  []registry.Contact{{Name: "Pilotansvarlig " + danishNames[r.IntN(len(danishNames))], Email: fmt.Sprintf("pilot+%s@example.dk", cvr), Language: registry.LanguageDanish}},
				CreatedAt: created, UpdatedAt: created})
		}
	}
	return cs, as
}

// troubledCount is how many of n companies have setup problems: nearly
// half (12 to 16 of 30), whatever the seed.
func troubledCount(r *rand.Rand, n int) int {
	return max(1, n*(12+r.IntN(5))/30)
}
