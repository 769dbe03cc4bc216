package dashboards

import (
	"context"
	"sync"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// The overview's event sources (the counted companies with a setup failure
// and with a third-party grant, per week) at national scale: 100,000
// companies' weeks read from company_weeks on every view cost most of the
// overview, though they change only when such an event arrives. So they
// are kept, per counted participants and weeks, while company_weeks holds
// the same parts (figures.CompanyWeeksVersion, checked on every request):
// a new event, a late one for an old week, shows at the next view, as
// does a change of the participants (another countedParticipants).

// eventWeeksKept is how many sets of event weeks are kept at most (filters
// and periods asked for); more empty the cache.
const eventWeeksKept = 8

type eventWeeksKey struct {
	counted   *countedParticipants
	since, to week.Week
}

// eventWeeksCache keeps event weeks read at one version of company_weeks.
type eventWeeksCache struct {
	mu      sync.Mutex
	version string
	kept    map[eventWeeksKey][2]*companyWeeks
}

// eventWeeks are the counted companies' setup failures and third-party
// grants (sealed) per week from since to to (offsets from since).
func (h *handler) eventWeeks(ctx context.Context, scope auth.Scope, counted *countedParticipants, since, to week.Week) ([2]*companyWeeks, error) {
	companies, weeks := len(counted.index), week.Range{From: since, To: to}.Len()
	if !scope.All() { // company events name no authority: none for a scope of some
		return [2]*companyWeeks{newCompanyWeeks(companies, weeks).seal(), newCompanyWeeks(companies, weeks).seal()}, nil
	}
	version, err := figures.CompanyWeeksVersion(ctx, h.CH)
	if err != nil {
		return [2]*companyWeeks{}, err
	}
	key, c := eventWeeksKey{counted: counted, since: since, to: to}, h.eventWeeksCache
	c.mu.Lock()
	sets, ok := c.kept[key]
	ok = ok && c.version == version
	c.mu.Unlock()
	if ok {
		return sets, nil
	}
	sets = [2]*companyWeeks{newCompanyWeeks(companies, weeks), newCompanyWeeks(companies, weeks)}
	err = figures.CompanyWeeks(ctx, h.CH, scope, []string{event.TypeSetupFailed, event.TypeThirdParty}, since, to, func(company figures.CompanyKey, t, offset int, weeks uint64) {
		if i, ok := counted.indexOf(company); ok {
			sets[t].addWeeks(i, offset, weeks)
		}
	})
	if err != nil {
		return [2]*companyWeeks{}, err
	}
	sets[0].seal()
	sets[1].seal()
	c.mu.Lock()
	defer c.mu.Unlock()
	// Read after the version was taken: at least as new as it, also when
	// another request has kept a later one meanwhile (the next request
	// then reads again).
	if c.kept == nil || c.version != version || len(c.kept) >= eventWeeksKept {
		c.version, c.kept = version, map[eventWeeksKey][2]*companyWeeks{}
	}
	c.kept[key] = sets
	return sets, nil
}
