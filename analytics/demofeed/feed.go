package demofeed

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
)

// FeedEvent is one usage event as it travels on the wire
// (docs/events.md#the-event): what
// the demo feed serves and what export files hold. Absent optional fields
// are omitted.
type FeedEvent struct {
	EventID      string `json:"event_id"`
	OccurredAt   string `json:"occurred_at"`
	Type         string `json:"type"`
	CompanyCVR   string `json:"company_cvr,omitempty"`
	AuthorityCVR string `json:"authority_cvr,omitempty"`
	Channel      string `json:"channel,omitempty"`
	HasMetadata  *bool  `json:"has_metadata,omitempty"`
	HasDeepLink  *bool  `json:"has_deep_link,omitempty"`
	MessageRef   string `json:"message_ref,omitempty"`
	UserRef      string `json:"user_ref,omitempty"`
	RightsModel  string `json:"rights_model,omitempty"`
	Reason       string `json:"reason,omitempty"`
	Folder       string `json:"folder,omitempty"`
	ByRule       *bool  `json:"by_rule,omitempty"`
	Role         string `json:"role,omitempty"`

	at time.Time
}

// Demo is a synthetic pilot: its participants, the authorities sending to
// them and every usage event, in occurred_at order (ties broken by event_id).
type Demo struct {
	Seed        uint64
	Start, End  time.Time // the pilot window [Start, End), UTC
	Companies   []registry.Company
	Authorities []registry.Authority
	Events      []FeedEvent
	// Participants are the story of each of Companies, in the same order.
	Participants []Participant
}

// DemoStart is the Monday the demo pilot starts (ISO week 2012-W45),
// midnight in Copenhagen.
var DemoStart = week.MustParse("2012-W45").Start().UTC()

var demoCompanyNames = []string{
	"Nordsø Shipping A/S", "Jysk Byggemarked A/S", "Fyns Energiselskab A/S", "Dansk Revision & Rådgivning ApS",
	"Østjysk Transport A/S", "Sjællands Mejeri A/S", "Københavns Ejendomme A/S", "Vestkyst Fiskeri ApS",
	"Aarhus Maskinfabrik A/S", "Midtjysk Landbrugscenter A.m.b.a.", "Bornholms Keramik ApS", "Danske Vindmøller A/S",
	"Limfjordens Vognmandsforretning I/S", "Øresund Logistik A/S", "Kolding Elektronik A/S", "Himmerlands Bank A/S",
	"Nordisk Medicinal A/S", "Skive Træindustri A/S", "Sønderjysk Forsikring G/S", "Roskilde Rengøring ApS",
	"Herning Tekstil A/S", "Vejle Software A/S", "Thy Kalk & Sten A/S", "Lolland Sukkerværk A/S",
	"Esbjerg Offshore Service A/S", "Horsens Fødevarer A/S", "Randers Reb A/S", "Svendborg Værft A/S",
	"Holstebro Møbler ApS", "Viborg Ingeniørerne A/S", "Næstved Papir A/S", "Silkeborg Bogtrykkeri ApS",
	"Hillerød Apotekerforening", "Frederikshavn Havneservice A/S", "Hjørring Auto A/S", "Grenaa Plast A/S",
}

// demoAuthority is a sender; participant, when set, is its kind as a pilot participant too.
type demoAuthority struct {
	name, kind, participant string
	weekly                  int     // messages per week in the last week of the pilot, over all companies
	remotePrint             float64 // share sent through remote print
	metadata, deepLink      float64 // shares with metadata and deep links
	target                  int64
}

var demoAuthorities = []demoAuthority{
	{"Fredericia Kommune", registry.KindMunicipality, registry.KindMunicipality, 60, 0.45, 0.30, 0.10, 80},
	{"Region Midtjylland", registry.KindRegion, registry.KindRegion, 25, 0.20, 0.50, 0.20, 30},
	{"Styrelsen for Digital Forvaltning", registry.KindState, registry.KindStateInstitution, 40, 0.05, 0.80, 0.60, 40},
	{"Skatteforvaltningen", registry.KindState, "", 140, 0.10, 0.85, 0.70, 150},
	{"Erhvervsstyrelsen", registry.KindState, "", 70, 0.00, 0.90, 0.80, 60},
	{"Arbejdstilsynet", registry.KindState, "", 20, 0.60, 0.15, 0.05, 0},
	{"Udbetaling Danmark", registry.KindState, "", 35, 0.30, 0.40, 0.25, 0},
}

var demoFolders = []string{"Indbakke", "Løn", "Skat", "Kontrakter", "Arkiv"}
var demoRoles = []string{"reader", "administrator", "folder_manager"}

// validCVR makes a CVR number passing the modulus-11 check from a 7-digit stem;
// ok is false when the stem has no valid check digit or starts with 0 (the
// demo's numbers look like real ones).
func validCVR(stem int) (string, bool) {
	s := fmt.Sprintf("%07d", stem)
	if s[0] == '0' {
		return "", false
	}
	return registry.CompleteCVR(s)
}

// DemoEvents builds the deterministic synthetic pilot: companies (at most
// len(demoCompanyNames)) plus a municipality, a region and a state
// institution taking part, a few state agencies as further senders, and
// weeks of usage events from DemoStart on. The same arguments give the same
// pilot, event ids included.
//
// The story (the seed's findings): companies start their mailbox setup in
// the first weeks; nearly half of them (12 to 16 of 30) hit failed setups
// (employee signature, rights assignment, technical errors) and start
// using the mailbox late, two never finish in the pilot; users log in, and
// a few companies stop logging in after the first weeks; authorities send
// messages (digital or remote print, with or without metadata and deep
// links, uneven volume per authority) to the companies whose setup is
// complete, more each week; companies read, move and delete them, and
// those on the extended rights model create folders, rules and
// notifications. No company ever grants a third party read access.
// Demo.Participants holds each participant's part of the story.
func DemoEvents(seed uint64, companies, weeks int) Demo {
	if companies < 1 {
		companies = 1
	}
	if companies > len(demoCompanyNames) {
		companies = len(demoCompanyNames)
	}
	if weeks < 1 {
		weeks = 1
	}
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	d := Demo{Seed: seed, Start: DemoStart, End: DemoStart.AddDate(0, 0, 7*weeks)}
	d.Companies, d.Authorities = demoParticipants(r, companies, DemoStart)
	g := &generator{r: r, d: &d}

	troubled := map[int]bool{}
	for _, i := range r.Perm(companies)[:troubledCount(r, companies)] {
		troubled[i] = true
	}
	neverDone := 0
	for i, c := range d.Companies {
		p := Participant{CVR: c.CVR, Name: c.Name, Kind: c.Kind, CompletedWeek: -1, StopWeek: -1}
		p.Users, p.Extended = 1+r.IntN(6), r.IntN(3) == 0
		model := "standard"
		if p.Extended {
			model = "extended"
		}
		if r.IntN(4) == 0 {
			p.StartWeek = 1
		}
		if weeks > 3 && r.IntN(8) == 0 {
			p.StartWeek = 2
		}
		p.StartWeek = min(p.StartWeek, weeks-1)
		if troubled[i] || c.Kind == registry.KindMunicipality {
			p.Reasons = []string{SetupReasons[r.IntN(len(SetupReasons))]}
			if r.IntN(3) == 0 {
				if other := SetupReasons[r.IntN(len(SetupReasons))]; other != p.Reasons[0] {
					p.Reasons = append(p.Reasons, other)
				}
			}
		}
		day := g.weekday(p.StartWeek)
		g.add(g.workTime(day), "mailbox.setup_started", c.CVR, func(e *FeedEvent) { e.RightsModel = model })
		failures := 0
		stuck := false
		if p.Troubled() {
			failures = 1 + r.IntN(3)
			if c.Kind == registry.KindCompany && weeks > 3 && neverDone < 2 {
				neverDone++
				stuck, failures = true, weeks // one failed attempt a week, to the end
			}
		}
		for f := 0; f < failures; f++ {
			if stuck {
				day = g.weekday(p.StartWeek + f)
			} else {
				day += 2 + r.IntN(5)
			}
			reason := p.Reasons[r.IntN(len(p.Reasons))]
			at := g.workTime(day)
			if g.add(at, "mailbox.setup_failed", c.CVR, func(e *FeedEvent) { e.Reason = reason; e.RightsModel = model }) {
				if w := g.weekIndex(at); !p.TroubleIn(w) {
					p.TroubleWeeks = append(p.TroubleWeeks, w)
				}
			}
		}
		if !stuck {
			day += 1 + r.IntN(3)
			done := g.workTime(day)
			if g.add(done, "mailbox.setup_completed", c.CVR, func(e *FeedEvent) { e.RightsModel = model }) {
				p.Completed, p.CompletedWeek = done, g.weekIndex(done)
				g.configure(p, day)
			}
		}
		d.Participants = append(d.Participants, p)
	}
	// A few companies without setup trouble stop logging in half-way: the
	// legal notice's "not logged in since" list.
	if weeks >= 4 {
		stopped := 0
		for _, i := range r.Perm(companies) {
			p := &d.Participants[i]
			if stopped == 3 || p.Troubled() || p.CompletedWeek < 0 {
				continue
			}
			if stop := weeks/2 + r.IntN(weeks/4+1); stop > p.CompletedWeek {
				p.StopWeek = stop
				stopped++
			}
		}
	}
	g.logins(weeks)
	g.messages(weeks)

	evs := g.evs
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].at.Before(evs[j].at) })
	for i := range evs {
		evs[i].EventID = fmt.Sprintf("demo-%d-%d-%d-%06d", seed, companies, weeks, i+1)
		evs[i].OccurredAt = evs[i].at.In(week.Copenhagen).Format(time.RFC3339)
	}
	d.Events = evs
	return d
}

// generator makes the demo's events.
type generator struct {
	r   *rand.Rand
	d   *Demo
	evs []FeedEvent
	msg int
}

// add adds an event inside the pilot window; it reports whether it did.
func (g *generator) add(at time.Time, typ, company string, fill func(*FeedEvent)) bool {
	if !at.Before(g.d.End) || at.Before(g.d.Start) {
		return false
	}
	e := FeedEvent{Type: typ, CompanyCVR: company, at: at.UTC().Truncate(time.Second)}
	if fill != nil {
		fill(&e)
	}
	g.evs = append(g.evs, e)
	return true
}

// workTime is a moment on the given day (days from DemoStart) in
// Copenhagen office hours.
func (g *generator) workTime(day int) time.Time {
	r := g.r
	base := g.d.Start.In(week.Copenhagen).AddDate(0, 0, day)
	return time.Date(base.Year(), base.Month(), base.Day(), 8+r.IntN(9), r.IntN(60), r.IntN(60), 0, week.Copenhagen)
}

// weekday is a day (from DemoStart) Monday to Friday of pilot week w.
func (g *generator) weekday(w int) int { return w*7 + g.r.IntN(5) }

// weekIndex is the pilot week (0 = the first) of t.
func (g *generator) weekIndex(t time.Time) int {
	return week.Range{From: week.Of(g.d.Start), To: week.Of(t)}.Len() - 1
}

// configure adds the rights, folders, rules and notifications a company on
// the extended rights model sets up after its mailbox (completed on day).
func (g *generator) configure(p Participant, day int) {
	if !p.Extended {
		return
	}
	r := g.r
	for k := 0; k < 1+r.IntN(3); k++ {
		role := demoRoles[r.IntN(len(demoRoles))]
		g.add(g.workTime(day+r.IntN(3)), "role.assigned", p.CVR, func(e *FeedEvent) { e.Role = role; e.UserRef = fmt.Sprintf("u-%s-%d", p.CVR, k+1) })
	}
	for k := 0; k < 1+r.IntN(3); k++ {
		folder := demoFolders[1+r.IntN(len(demoFolders)-1)]
		fd := day + 1 + r.IntN(5)
		g.add(g.workTime(fd), "folder.created", p.CVR, func(e *FeedEvent) { e.Folder = folder })
		g.add(g.workTime(fd+r.IntN(3)), "rule.created", p.CVR, func(e *FeedEvent) { e.Folder = folder })
		if r.IntN(2) == 0 {
			g.add(g.workTime(fd+r.IntN(3)), "notification.configured", p.CVR, func(e *FeedEvent) { e.Folder = folder })
		}
	}
}

// logins: from completion on, a few per user and week, until a company
// stops using the mailbox.
func (g *generator) logins(weeks int) {
	for _, p := range g.d.Participants {
		if p.CompletedWeek < 0 {
			continue
		}
		for w := 0; w < weeks; w++ {
			if !p.UsesMailboxIn(w) {
				continue
			}
			for u := 1; u <= p.Users; u++ {
				for k := g.r.IntN(4); k > 0; k-- {
					at := g.workTime(g.weekday(w))
					if at.Before(p.Completed) {
						continue
					}
					ref := fmt.Sprintf("u-%s-%d", p.CVR, u)
					g.add(at, "user.login", p.CVR, func(e *FeedEvent) { e.UserRef = ref })
				}
			}
		}
	}
}

// messages: each authority ramps up towards its weekly volume; companies
// read, move and delete what they get while they use the mailbox.
func (g *generator) messages(weeks int) {
	r, d := g.r, g.d
	bp := func(b bool) *bool { return &b }
	for ai, a := range demoAuthorities {
		acvr := d.Authorities[ai].CVR
		for w := 0; w < weeks; w++ {
			n := a.weekly * (w + 1) / weeks
			n += r.IntN(n/5 + 1)
			for k := 0; k < n; k++ {
				p := d.Participants[r.IntN(len(d.Participants))]
				at := g.workTime(g.weekday(w))
				if p.Completed.IsZero() || at.Before(p.Completed) {
					continue // no mailbox yet: sent on paper, outside the mailbox
				}
				g.msg++
				ref := fmt.Sprintf("m-%d-%06d", d.Seed, g.msg)
				channel := "digital"
				if r.Float64() < a.remotePrint {
					channel = "remote_print"
				}
				meta, link := r.Float64() < a.metadata, r.Float64() < a.deepLink
				g.add(at, "message.sent", p.CVR, func(e *FeedEvent) {
					e.AuthorityCVR, e.Channel, e.HasMetadata, e.HasDeepLink, e.MessageRef = acvr, channel, bp(meta), bp(link), ref
				})
				if !p.UsesMailboxIn(w) || r.Float64() >= 0.8 {
					continue // unread
				}
				readAt := at.Add(time.Duration(1+r.IntN(72)) * time.Hour)
				g.add(readAt, "message.read", p.CVR, func(e *FeedEvent) { e.MessageRef = ref; e.UserRef = fmt.Sprintf("u-%s-%d", p.CVR, 1+r.IntN(p.Users)) })
				switch x := r.Float64(); {
				case x < 0.15:
					byRule := p.Extended && r.IntN(2) == 0
					folder := demoFolders[1+r.IntN(len(demoFolders)-1)]
					g.add(readAt.Add(time.Duration(1+r.IntN(30))*time.Minute), "message.moved", p.CVR, func(e *FeedEvent) {
						e.MessageRef, e.Folder, e.ByRule = ref, folder, bp(byRule)
					})
				case x < 0.20:
					g.add(readAt.Add(time.Duration(1+r.IntN(48))*time.Hour), "message.deleted", p.CVR, func(e *FeedEvent) { e.MessageRef = ref; e.ByRule = bp(false) })
				}
			}
		}
	}
}

// At is the event's time.
func (e FeedEvent) At() time.Time { return e.at }

// ParsedEvents validates every event as ingestion does (ParseEventJSON) and
// returns them ready for Ingester.Store, e.g. for loading the demo pilot:
//
//	d := demofeed.DemoEvents(1, 30, 8)
//	evs, err := d.ParsedEvents(time.Now())
//	accepted, duplicates, err := ing.Store(ctx, "demo", evs)
func (d Demo) ParsedEvents(received time.Time) ([]event.Event, error) {
	out := make([]event.Event, 0, len(d.Events))
	for _, fe := range d.Events {
		raw, err := json.Marshal(fe)
		if err != nil {
			return nil, err
		}
		ev, err := event.ParseEventJSON(raw, received)
		if err != nil {
			return nil, fmt.Errorf("demo event %s: %w", fe.EventID, err)
		}
		out = append(out, ev)
	}
	return out, nil
}
