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

var demoReasons = []string{"employee_signature_missing", "rights_assignment", "technical_error", "employee_signature_missing"}
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
// The story: companies start their mailbox setup in the first weeks; about
// half hit at least one failed setup (signature, rights or technical
// trouble) before completing it, a few never complete; users log in;
// authorities send messages (digital or remote print, with or without
// metadata and deep links) to the companies whose setup is complete, more
// each week; companies read, move and delete them, and those on the
// extended rights model create folders, rules and notifications. No
// company ever grants a third party read access.
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
	created := DemoStart

	// CVRs: deterministic, valid and distinct.
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
	for i := 0; i < companies; i++ {
		cvr := nextCVR()
		d.Companies = append(d.Companies, registry.Company{
			CVR: cvr, Name: demoCompanyNames[i], Kind: registry.KindCompany, Cohort: "pilot-2012",
			Contacts:  []registry.Contact{{Name: "Kontakt " + demoCompanyNames[i], Email: fmt.Sprintf("pilot+%s@example.dk", cvr), Language: registry.LanguageDanish}},
			CreatedAt: created, UpdatedAt: created,
		})
	}
	for _, a := range demoAuthorities {
		cvr := nextCVR()
		t := a.target
		var target *int64
		if t > 0 {
			target = &t
		}
		d.Authorities = append(d.Authorities, registry.Authority{CVR: cvr, Name: a.name, Kind: a.kind, WeeklyTarget: target, CreatedAt: created, UpdatedAt: created})
		if a.participant != "" {
			d.Companies = append(d.Companies, registry.Company{
				CVR: cvr, Name: a.name, Kind: a.participant, Cohort: "pilot-2012",
				Contacts:  []registry.Contact{{Name: "Pilotansvarlig", Email: fmt.Sprintf("pilot+%s@example.dk", cvr), Language: registry.LanguageDanish}},
				CreatedAt: created, UpdatedAt: created,
			})
		}
	}

	var evs []FeedEvent
	add := func(at time.Time, typ, company string, fill func(*FeedEvent)) {
		if !at.Before(d.End) || at.Before(d.Start) {
			return
		}
		e := FeedEvent{Type: typ, CompanyCVR: company, at: at.UTC().Truncate(time.Second)}
		if fill != nil {
			fill(&e)
		}
		evs = append(evs, e)
	}
	bp := func(b bool) *bool { return &b }
	// workTime is a moment on the given day (days from DemoStart) in Copenhagen office hours.
	workTime := func(day int) time.Time {
		base := d.Start.In(week.Copenhagen).AddDate(0, 0, day)
		local := time.Date(base.Year(), base.Month(), base.Day(), 8+r.IntN(9), r.IntN(60), r.IntN(60), 0, week.Copenhagen)
		return local
	}
	weekday := func(week int) int { return week*7 + r.IntN(5) } // Monday..Friday of the week

	type state struct {
		cvr       string
		completed time.Time // zero: never
		extended  bool
		users     int
	}
	var participants []state
	for i, c := range d.Companies {
		st := state{cvr: c.CVR, users: 1 + r.IntN(6), extended: r.IntN(3) == 0}
		model := "standard"
		if st.extended {
			model = "extended"
		}
		startWeek := 0
		if r.IntN(4) == 0 {
			startWeek = 1
		}
		if weeks > 3 && r.IntN(8) == 0 {
			startWeek = 2
		}
		day := weekday(min(startWeek, weeks-1))
		at := workTime(day)
		add(at, "mailbox.setup_started", c.CVR, func(e *FeedEvent) { e.RightsModel = model })
		// About half the participants fail at least once (every other one, plus chance).
		failures := 0
		if i%2 == 0 {
			failures = 1 + r.IntN(3)
		}
		for f := 0; f < failures; f++ {
			day += 1 + r.IntN(4)
			reason := demoReasons[r.IntN(len(demoReasons))]
			add(workTime(day), "mailbox.setup_failed", c.CVR, func(e *FeedEvent) { e.Reason = reason; e.RightsModel = model })
		}
		if failures > 0 && i%10 == 4 {
			participants = append(participants, st) // never completes
			continue
		}
		day += 1 + r.IntN(3)
		st.completed = workTime(day)
		add(st.completed, "mailbox.setup_completed", c.CVR, func(e *FeedEvent) { e.RightsModel = model })
		if st.extended {
			for k := 0; k < 1+r.IntN(3); k++ {
				role := demoRoles[r.IntN(len(demoRoles))]
				add(workTime(day+r.IntN(3)), "role.assigned", c.CVR, func(e *FeedEvent) { e.Role = role; e.UserRef = fmt.Sprintf("u-%s-%d", c.CVR, k+1) })
			}
			for k := 0; k < 1+r.IntN(3); k++ {
				folder := demoFolders[1+r.IntN(len(demoFolders)-1)]
				fd := day + 1 + r.IntN(5)
				add(workTime(fd), "folder.created", c.CVR, func(e *FeedEvent) { e.Folder = folder })
				add(workTime(fd+r.IntN(3)), "rule.created", c.CVR, func(e *FeedEvent) { e.Folder = folder })
				if r.IntN(2) == 0 {
					add(workTime(fd+r.IntN(3)), "notification.configured", c.CVR, func(e *FeedEvent) { e.Folder = folder })
				}
			}
		}
		participants = append(participants, st)
	}

	// Logins: from completion on, a few per user and week.
	for _, p := range participants {
		if p.completed.IsZero() {
			continue
		}
		for w := 0; w < weeks; w++ {
			for u := 1; u <= p.users; u++ {
				for k := r.IntN(4); k > 0; k-- {
					at := workTime(weekday(w))
					if at.Before(p.completed) {
						continue
					}
					ref := fmt.Sprintf("u-%s-%d", p.cvr, u)
					add(at, "user.login", p.cvr, func(e *FeedEvent) { e.UserRef = ref })
				}
			}
		}
	}

	// Messages: each authority ramps up towards its weekly volume.
	msg := 0
	for ai, a := range demoAuthorities {
		acvr := d.Authorities[ai].CVR
		for w := 0; w < weeks; w++ {
			n := a.weekly * (w + 1) / weeks
			n += r.IntN(n/5 + 1)
			for k := 0; k < n; k++ {
				p := participants[r.IntN(len(participants))]
				at := workTime(weekday(w))
				if p.completed.IsZero() || at.Before(p.completed) {
					continue // no mailbox yet: sent on paper, outside the mailbox
				}
				msg++
				ref := fmt.Sprintf("m-%d-%06d", seed, msg)
				channel := "digital"
				if r.Float64() < a.remotePrint {
					channel = "remote_print"
				}
				meta, link := r.Float64() < a.metadata, r.Float64() < a.deepLink
				add(at, "message.sent", p.cvr, func(e *FeedEvent) {
					e.AuthorityCVR, e.Channel, e.HasMetadata, e.HasDeepLink, e.MessageRef = acvr, channel, bp(meta), bp(link), ref
				})
				if r.Float64() < 0.8 {
					readAt := at.Add(time.Duration(1+r.IntN(72)) * time.Hour)
					add(readAt, "message.read", p.cvr, func(e *FeedEvent) { e.MessageRef = ref; e.UserRef = fmt.Sprintf("u-%s-%d", p.cvr, 1+r.IntN(p.users)) })
					switch x := r.Float64(); {
					case x < 0.15:
						byRule := p.extended && r.IntN(2) == 0
						folder := demoFolders[1+r.IntN(len(demoFolders)-1)]
						add(readAt.Add(time.Duration(1+r.IntN(30))*time.Minute), "message.moved", p.cvr, func(e *FeedEvent) {
							e.MessageRef, e.Folder, e.ByRule = ref, folder, bp(byRule)
						})
					case x < 0.20:
						add(readAt.Add(time.Duration(1+r.IntN(48))*time.Hour), "message.deleted", p.cvr, func(e *FeedEvent) { e.MessageRef = ref; e.ByRule = bp(false) })
					}
				}
			}
		}
	}

	sort.SliceStable(evs, func(i, j int) bool { return evs[i].at.Before(evs[j].at) })
	for i := range evs {
		evs[i].EventID = fmt.Sprintf("demo-%d-%d-%d-%06d", seed, companies, weeks, i+1)
		evs[i].OccurredAt = evs[i].at.In(week.Copenhagen).Format(time.RFC3339)
	}
	d.Events = evs
	return d
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
