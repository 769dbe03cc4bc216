package dashboards

import (
	"context"
	"slices"
	"sync"

	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
)

// The registry's participants as the overview counts them. At national
// scale (100,000 companies) reading them from the app database takes far
// longer than every other figure of the page together, so they are read
// once and kept while the registry's ParticipantsVersion and the survey's
// InvitationsVersion (the join weeks) stay the same: checked on every
// request, so the figures are never stale, also after a change by another
// process (the CLI).

// participants are the registry's participants and their join weeks, read
// at one version.
type participants struct {
	version string
	list    []registry.Company
	joined  map[string]week.Week // CVR → the week it joined the pilot (survey JoinWeeks)
	// others counts the participants of each kind other than company
	// (every such kind present).
	others  map[string]int
	cohorts []string // the cohorts named, sorted

	mu      sync.Mutex
	counted map[Filters]*countedParticipants // per kind and cohort
}

// countedParticipants are the participants a filter counts.
type countedParticipants struct {
	index map[string]int // CVR → index, 0 … len-1
	// numbered is index by figures.CompanyKey.Number (every CVR of eight
	// digits), so the rows of 100,000 companies' event weeks are read and
	// looked up without a string each.
	numbered map[uint32]int
	cvrOf    map[int64]string // company id → CVR
	joined   []week.Week      // the join weeks of those that joined, sorted
}

// participantCache keeps the participants read last.
type participantCache struct {
	mu   sync.Mutex
	last *participants
}

// participants returns the participants, read again only when the
// registry or the invitations changed since they were read.
func (h *handler) participants(ctx context.Context) (*participants, error) {
	companies, err := h.Registry.ParticipantsVersion(ctx)
	if err != nil {
		return nil, err
	}
	invitations, err := h.Survey.InvitationsVersion(ctx)
	if err != nil {
		return nil, err
	}
	version := companies + "/" + invitations
	c := h.participantCache
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last != nil && c.last.version == version {
		return c.last, nil
	}
	// Read after the versions: a change in between makes the next request
	// read them again.
	list, err := h.Registry.Participants(ctx)
	if err != nil {
		return nil, err
	}
	joined, err := h.Survey.JoinWeeks(ctx)
	if err != nil {
		return nil, err
	}
	p := &participants{version: version, list: list, joined: joined, others: map[string]int{}, counted: map[Filters]*countedParticipants{}}
	for _, k := range registry.CompanyKinds {
		if k != registry.KindCompany {
			p.others[k] = 0
		}
	}
	for _, c := range list {
		if c.Kind != registry.KindCompany {
			p.others[c.Kind]++
		}
		if c.Cohort != "" && !slices.Contains(p.cohorts, c.Cohort) {
			p.cohorts = append(p.cohorts, c.Cohort)
		}
	}
	slices.Sort(p.cohorts)
	c.last = p
	return p, nil
}

// countedBy is the participants the filter's kind and cohort count.
func (p *participants) countedBy(f Filters) *countedParticipants {
	key := Filters{Kind: f.Kind, Cohort: f.Cohort}
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.counted[key]; ok {
		return c
	}
	c := &countedParticipants{index: map[string]int{}, numbered: map[uint32]int{}, cvrOf: map[int64]string{}}
	for _, co := range p.list {
		if !f.Counts(co) {
			continue
		}
		if k := figures.CompanyKeyOf(co.CVR); k.Number != 0 {
			c.numbered[k.Number] = len(c.index)
		}
		c.index[co.CVR], c.cvrOf[co.ID] = len(c.index), co.CVR
		if j, ok := p.joined[co.CVR]; ok {
			c.joined = append(c.joined, j)
		}
	}
	slices.SortFunc(c.joined, week.Week.Compare)
	if f.Cohort == "" || slices.Contains(p.cohorts, f.Cohort) { // kept for the cohorts there are, not any text asked for
		p.counted[key] = c
	}
	return c
}

// indexOf is the index of the company named by k, if counted.
func (c *countedParticipants) indexOf(k figures.CompanyKey) (int, bool) {
	if k.Number != 0 {
		i, ok := c.numbered[k.Number]
		return i, ok
	}
	i, ok := c.index[k.CVR]
	return i, ok
}

// joinedBy is how many of the counted participants joined the pilot by the
// end of week w.
func (c *countedParticipants) joinedBy(w week.Week) int {
	n, _ := slices.BinarySearchFunc(c.joined, w.Next(), week.Week.Compare)
	return n
}
