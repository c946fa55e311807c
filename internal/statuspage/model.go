package statuspage

import (
	"cmp"
	"slices"
	"time"

	"yeonsok/internal/locale"
	"yeonsok/internal/monitor"
)

// What citizens are told, and how it is derived. Everything here is a
// pure function of what the store read and the Watcher's live states, so
// that each rule has a table test and the page can be rebuilt from
// memory at any time.

// State is a public service's state as citizens read it.
type State string

const (
	StateUp      State = "up"      // 정상: its systems answer and no incident holds it
	StatePartial State = "partial" // 일부 장애: some of it is down, or it is back but not wholly restored
	StateDown    State = "down"    // 장애: every system it runs on is down
	StateManual  State = "manual"  // 수동 처리 중: an open incident switched it to manual mode
	StateUnknown State = "unknown" // 확인 불가: nothing watches its systems
)

// States are the states, the most urgent first (the order of the
// page's summary).
var States = []State{StateDown, StatePartial, StateManual, StateUp, StateUnknown}

// Phase is an incident's state as citizens read it: the tower's five
// states say more than a citizen needs (declared, reviewed).
type Phase string

const (
	PhaseInvestigating Phase = "investigating" // detected, nobody confirmed it yet
	PhaseRecovering    Phase = "recovering"    // declared: the agency is restoring it
	PhaseMitigated     Phase = "mitigated"     // the service is back, possibly by hand, restoration goes on
	PhaseResolved      Phase = "resolved"      // resolved or reviewed
)

// phaseOf maps an incident's stored state to its public phase.
func phaseOf(state string) Phase {
	switch state {
	case "detected":
		return PhaseInvestigating
	case "declared":
		return PhaseRecovering
	case "mitigated":
		return PhaseMitigated
	}
	return PhaseResolved
}

// openState reports whether a stored incident state is open (the
// incident package's State.Open, repeated here because this package reads
// the tables itself and must not depend on the incident flow).
func openState(state string) bool {
	return state == "detected" || state == "declared" || state == "mitigated"
}

// Data is the whole public page: the same for the HTML and the JSON.
type Data struct {
	// AsOf is when it was read, to the minute: the page says it, and a
	// page that did not change within the minute keeps its ETag.
	AsOf      time.Time  `json:"as_of"`
	Counts    Counts     `json:"counts"`
	Notices   []Notice   `json:"notices"`
	Incidents []Incident `json:"incidents"`
	Agencies  []Agency   `json:"agencies"`
}

// Counts are the public services in each state.
type Counts struct {
	Services int `json:"services"`
	Up       int `json:"up"`
	Partial  int `json:"partial"`
	Down     int `json:"down"`
	Manual   int `json:"manual"`
	Unknown  int `json:"unknown"`
}

// Troubled is how many services citizens cannot use as usual.
func (c Counts) Troubled() int { return c.Partial + c.Down + c.Manual }

func (c *Counts) add(s State) {
	c.Services++
	switch s {
	case StateUp:
		c.Up++
	case StatePartial:
		c.Partial++
	case StateDown:
		c.Down++
	case StateManual:
		c.Manual++
	default:
		c.Unknown++
	}
}

// Agency is one agency's public services.
type Agency struct {
	Name     string    `json:"name"`
	Services []Service `json:"services"`
}

// Service is one public service and its state.
type Service struct {
	Name  string `json:"name"`
	State State  `json:"state"`
}

// ServiceRef names a public service with its agency.
type ServiceRef struct {
	Agency  string `json:"agency"`
	Service string `json:"service"`
}

// Incident is an incident as citizens read it: the public services it
// affects, when it began, where it stands and when it ended. Nothing
// else of it (systems, causes, severity, timeline) is public.
type Incident struct {
	Services []ServiceRef `json:"services"`
	Phase    Phase        `json:"state"`
	Started  time.Time    `json:"started_at"`
	Ended    time.Time    `json:"ended_at,omitzero"`
	Open     bool         `json:"open"`
}

// Notice tells citizens how to get a service done by hand while it is in
// manual mode.
type Notice struct {
	ServiceRef
	Since time.Time `json:"since"`
	Text  string    `json:"text"`
}

// records are the rows the store reads, before any rule is applied.
type records struct {
	services  []serviceRow
	links     []link // public service → system
	incidents []incidentRow
	affected  []affectedRow
	manual    []manualRow
}

type serviceRow struct {
	id         int64
	agency     string
	name       string
	workaround string
}

type link struct{ service, system int64 }

type incidentRow struct {
	id                 int64
	state              string
	detected, resolved time.Time
}

type affectedRow struct {
	incident, system int64
	restored         time.Time // zero: still down
}

type manualRow struct {
	incident, service int64
	started, ended    time.Time // ended zero: still by hand
	notice            string
}

// Live is a system's live state from the monitoring (monitor.SystemDown,
// …); a system missing from the map is not monitored.
type Live map[int64]string

// LiveOf sums the Watcher's check statuses up per system.
func LiveOf(checks []monitor.CheckStatus) Live {
	live := Live{}
	for _, s := range monitor.Systems(checks) {
		live[s.SystemID] = s.State
	}
	return live
}

// systemState is one system's state for the public: the worse of what the
// monitoring sees and what open incidents say (a person's report counts
// even when the probes see nothing wrong). incident is "" (no open
// incident has it down), "down", or "mitigated" (down, but the service is
// back another way).
func systemState(live, incident string) State {
	switch {
	case live == monitor.SystemDown || incident == "down":
		return StateDown
	case live == monitor.SystemPartial || incident == "mitigated":
		return StatePartial
	case live == monitor.SystemUp:
		return StateUp
	}
	return StateUnknown
}

// serviceState is a service's state from its systems' states: by hand
// while an open incident holds it in manual mode (that is what citizens
// must know); down when every system is down; partly down when any is;
// up when no system is down and at least one is seen up; unknown when
// none of its systems is watched. A system nobody watches does not make
// a watched, healthy service unknown: it says nothing either way.
func serviceState(manual bool, systems []State) State {
	if manual {
		return StateManual
	}
	var down, partial, up int
	for _, s := range systems {
		switch s {
		case StateDown:
			down++
		case StatePartial:
			partial++
		case StateUp:
			up++
		}
	}
	switch {
	case down > 0 && down == len(systems):
		return StateDown
	case down > 0 || partial > 0:
		return StatePartial
	case up > 0:
		return StateUp
	}
	return StateUnknown
}

// assemble applies the rules to what was read: each public service's
// state, the incidents that touch a public service, and the notices of
// services in manual mode.
func assemble(rec records, live Live, asOf time.Time) *Data {
	d := &Data{AsOf: kst(asOf.Truncate(time.Minute)), Notices: []Notice{}, Incidents: []Incident{}, Agencies: []Agency{}}
	services := map[int64]serviceRow{}
	for _, s := range rec.services {
		services[s.id] = s
	}
	systemsOf := map[int64][]int64{}  // service → systems
	servicesOf := map[int64][]int64{} // system → public services
	for _, l := range rec.links {
		if _, ok := services[l.service]; !ok {
			continue
		}
		systemsOf[l.service] = append(systemsOf[l.service], l.system)
		servicesOf[l.system] = append(servicesOf[l.system], l.service)
	}
	incidents := map[int64]incidentRow{}
	for _, i := range rec.incidents {
		incidents[i.id] = i
	}

	// What open incidents say of each system: down, or down but mitigated.
	held := map[int64]string{}
	for _, a := range rec.affected {
		i, ok := incidents[a.incident]
		if !ok || !openState(i.state) || !a.restored.IsZero() {
			continue
		}
		if i.state == "mitigated" {
			if held[a.system] == "" {
				held[a.system] = "mitigated"
			}
		} else {
			held[a.system] = "down"
		}
	}

	// Manual mode: open while its row has no end and its incident is open.
	type manualNow struct {
		since, latest time.Time
		notice        string
	}
	manual := map[int64]*manualNow{}
	for _, m := range rec.manual {
		i, ok := incidents[m.incident]
		if _, public := services[m.service]; !ok || !public || !openState(i.state) || !m.ended.IsZero() {
			continue
		}
		cur := manual[m.service]
		if cur == nil {
			cur = &manualNow{since: m.started}
			manual[m.service] = cur
		}
		cur.since = minTime(cur.since, m.started)
		// The latest notice written is the one in force.
		if m.notice != "" && !m.started.Before(cur.latest) {
			cur.latest, cur.notice = m.started, m.notice
		}
	}

	byAgency := map[string][]Service{}
	for _, s := range rec.services {
		var states []State
		for _, sys := range systemsOf[s.id] {
			states = append(states, systemState(live[sys], held[sys]))
		}
		state := serviceState(manual[s.id] != nil, states)
		d.Counts.add(state)
		byAgency[s.agency] = append(byAgency[s.agency], Service{Name: s.name, State: state})
		if m := manual[s.id]; m != nil {
			text := m.notice
			if text == "" {
				text = s.workaround
			}
			d.Notices = append(d.Notices, Notice{ServiceRef: ServiceRef{Agency: s.agency, Service: s.name}, Since: kst(m.since), Text: text})
		}
	}
	for name, list := range byAgency {
		slices.SortFunc(list, func(a, b Service) int { return cmp.Compare(a.Name, b.Name) })
		d.Agencies = append(d.Agencies, Agency{Name: name, Services: list})
	}
	slices.SortFunc(d.Agencies, func(a, b Agency) int { return cmp.Compare(a.Name, b.Name) })
	slices.SortFunc(d.Notices, func(a, b Notice) int {
		return cmp.Or(cmp.Compare(a.Agency, b.Agency), cmp.Compare(a.Service, b.Service))
	})

	// Each incident by the public services it touches, through its
	// systems or its manual mode; one that touches none is not public.
	touched := map[int64]map[int64]bool{}
	touch := func(incident, service int64) {
		if touched[incident] == nil {
			touched[incident] = map[int64]bool{}
		}
		touched[incident][service] = true
	}
	for _, a := range rec.affected {
		for _, svc := range servicesOf[a.system] {
			touch(a.incident, svc)
		}
	}
	for _, m := range rec.manual {
		if _, public := services[m.service]; public {
			touch(m.incident, m.service)
		}
	}
	for _, i := range rec.incidents {
		if len(touched[i.id]) == 0 {
			continue
		}
		inc := Incident{Phase: phaseOf(i.state), Started: kst(i.detected), Open: openState(i.state)}
		if !inc.Open {
			inc.Ended = kst(i.resolved)
		}
		for svc := range touched[i.id] {
			s := services[svc]
			inc.Services = append(inc.Services, ServiceRef{Agency: s.agency, Service: s.name})
		}
		slices.SortFunc(inc.Services, func(a, b ServiceRef) int {
			return cmp.Or(cmp.Compare(a.Agency, b.Agency), cmp.Compare(a.Service, b.Service))
		})
		d.Incidents = append(d.Incidents, inc)
	}
	// Open ones first, then the latest.
	slices.SortStableFunc(d.Incidents, func(a, b Incident) int {
		if a.Open != b.Open {
			if a.Open {
				return -1
			}
			return 1
		}
		return b.Started.Compare(a.Started)
	})
	return d
}

// kst is t in Korea's time, which the page and its JSON speak (the zero
// time stays zero, so that omitzero still omits it).
func kst(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(locale.KST)
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
