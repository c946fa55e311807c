package scenario

import (
	"yeonsok/internal/inventory"
	"yeonsok/internal/objectives"
)

// Where a target comes from.
const (
	TargetOwn     = "own"     // the system's own target
	TargetService = "service" // a supported service's stricter target
	TargetMinimum = "minimum" // the grade's minimum: the system has none
)

// Target is what a system must achieve: the minutes and where they come
// from; Minutes is nil when no target applies.
type Target struct {
	Minutes *inventory.Minutes `json:"minutes"`
	Source  string             `json:"source,omitempty"`
}

// Targets are the RTO and RPO a system is held to under a scenario. Under
// component failure these are its ordinary-failure (SLA) targets; under the
// disasters (facility loss, regional, ransomware) its disaster targets,
// tightened by the strictest target of the services it supports
// (objectives.Inherited), and where it has none, its grade's minimum — so
// a graded system without targets is still judged against the rule it
// breaks.
func Targets(s *inventory.System, kind string, inherited objectives.Strictest) (rto, rpo Target) {
	if kind == Component {
		return own(s.RTOFailure), own(s.RPOFailure)
	}
	minimum, graded := objectives.Minimums[s.Grade]
	return disasterTarget(s.RTODisaster, inherited.RTO, minimum.RTO, graded),
		disasterTarget(s.RPODisaster, inherited.RPO, minimum.RPO, graded)
}

func own(m *inventory.Minutes) Target {
	if m == nil {
		return Target{}
	}
	return Target{Minutes: m, Source: TargetOwn}
}

func disasterTarget(have, service *inventory.Minutes, minimum inventory.Minutes, graded bool) Target {
	switch {
	case service != nil && (have == nil || *service < *have):
		return Target{Minutes: service, Source: TargetService}
	case have != nil:
		return own(have)
	case graded:
		return Target{Minutes: &minimum, Source: TargetMinimum}
	}
	return Target{}
}

// Measure is one estimate (RTO or RPO) against its target.
type Measure struct {
	Target Target `json:"target"`
	Bound  Bound  `json:"estimate"`
	// Gap is the shortfall in minutes when the estimate is known and
	// longer than the target; Misses is also true for an unbounded one.
	Gap    inventory.Minutes `json:"gap_minutes"`
	Misses bool              `json:"misses"`
}

func measure(t Target, b Bound) Measure {
	gap, misses := Gap(t.Minutes, b)
	return Measure{Target: t, Bound: b, Gap: gap, Misses: misses}
}

// Undecided reports whether the records cannot say whether the target is
// met: no target, an estimate the records leave unknown, or a lower bound
// within the target.
func (m Measure) Undecided() bool {
	return m.Target.Minutes == nil || m.Bound.Unknown || m.Bound.AtLeast && !m.Misses
}

// SystemGap is one system under one scenario: what it can achieve against
// what it must.
type SystemGap struct {
	System     *inventory.System `json:"-"`
	SystemID   int64             `json:"system_id"`
	AgencyID   int64             `json:"agency_id"`
	Kind       string            `json:"scenario"`
	Capability Capability        `json:"capability"`
	RTO        Measure           `json:"rto"`
	RPO        Measure           `json:"rpo"`
}

// Misses reports whether the system falls short of either target.
func (g SystemGap) Misses() bool { return g.RTO.Misses || g.RPO.Misses }

// Undecided reports whether, short of a miss, the records cannot tell.
func (g SystemGap) Undecided() bool { return !g.Misses() && (g.RTO.Undecided() || g.RPO.Undecided()) }

// Gaps judges every system of the inventory under each scenario of kinds
// (all of Kinds when none is given), in the inventory's order of systems.
func Gaps(inv *inventory.Inventory, kinds ...string) []SystemGap {
	if len(kinds) == 0 {
		kinds = Kinds
	}
	facilities := FacilityMap(inv.Facilities)
	inherited := objectives.Inherited(inv.Services)
	out := make([]SystemGap, 0, len(inv.Systems)*len(kinds))
	for _, s := range inv.Systems {
		for _, kind := range kinds {
			out = append(out, SystemGapOf(s, facilities, inherited[s.ID], kind))
		}
	}
	return out
}

// SystemGapOf judges one system under one scenario.
func SystemGapOf(s *inventory.System, facilities map[int64]*inventory.Facility, inherited objectives.Strictest, kind string) SystemGap {
	return judge(s, kind, Estimate(s, facilities, kind), inherited)
}

// judge holds capability c of s under kind against the targets s is held
// to there.
func judge(s *inventory.System, kind string, c Capability, inherited objectives.Strictest) SystemGap {
	rto, rpo := Targets(s, kind, inherited)
	return SystemGap{System: s, SystemID: s.ID, AgencyID: s.AgencyID, Kind: kind, Capability: c,
		RTO: measure(rto, c.RTO), RPO: measure(rpo, c.RPO)}
}

// Remeasure estimates g again with the data loss m measured from backup
// runs (issue 7) in place of the records' backup and offsite schedule
// (EstimateMeasured): measured beats declared, and what follows from the
// data loss — no recovery time when no copy survives — follows too.
func (g *SystemGap) Remeasure(facilities map[int64]*inventory.Facility, m Measured) {
	g.Capability = EstimateMeasured(g.System, facilities, g.Kind, &m)
	g.RTO = measure(g.RTO.Target, g.Capability.RTO)
	g.RPO = measure(g.RPO.Target, g.Capability.RPO)
}

// FacilityMap indexes facilities by id, as Estimate takes them.
func FacilityMap(list []*inventory.Facility) map[int64]*inventory.Facility {
	m := make(map[int64]*inventory.Facility, len(list))
	for _, f := range list {
		m[f.ID] = f
	}
	return m
}

// GapCount counts systems under one scenario: each system is counted once
// in Systems and in exactly one of Misses, Undecided and Met.
type GapCount struct {
	Systems   int `json:"systems"`
	Misses    int `json:"misses"`
	MissesRTO int `json:"misses_rto"`
	MissesRPO int `json:"misses_rpo"`
	Undecided int `json:"undecided"`
	Met       int `json:"met"`
}

func (c *GapCount) add(g SystemGap) {
	c.Systems++
	switch {
	case g.Misses():
		c.Misses++
	case g.Undecided():
		c.Undecided++
	default:
		c.Met++
	}
	if g.RTO.Misses {
		c.MissesRTO++
	}
	if g.RPO.Misses {
		c.MissesRPO++
	}
}

// GapSummary is the gap of a portfolio per scenario: for the whole of it,
// per agency and per grade (0: no grade).
type GapSummary struct {
	Total    map[string]*GapCount           `json:"total"`
	ByAgency map[int64]map[string]*GapCount `json:"by_agency"`
	ByGrade  map[int]map[string]*GapCount   `json:"by_grade"`
}

// Summarize counts gaps per scenario, agency and grade.
func Summarize(gaps []SystemGap) GapSummary {
	sum := GapSummary{Total: map[string]*GapCount{}, ByAgency: map[int64]map[string]*GapCount{}, ByGrade: map[int]map[string]*GapCount{}}
	count := func(m map[string]*GapCount, kind string) *GapCount {
		if m[kind] == nil {
			m[kind] = &GapCount{}
		}
		return m[kind]
	}
	for _, g := range gaps {
		if sum.ByAgency[g.AgencyID] == nil {
			sum.ByAgency[g.AgencyID] = map[string]*GapCount{}
		}
		grade := g.System.Grade
		if sum.ByGrade[grade] == nil {
			sum.ByGrade[grade] = map[string]*GapCount{}
		}
		count(sum.Total, g.Kind).add(g)
		count(sum.ByAgency[g.AgencyID], g.Kind).add(g)
		count(sum.ByGrade[grade], g.Kind).add(g)
	}
	return sum
}
