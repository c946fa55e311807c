package scenario

import (
	"cmp"
	"slices"

	"yeonsok/internal/inventory"
	"yeonsok/internal/objectives"
)

// Loss names what a what-if takes away at once: facilities by id, or
// every facility of a region. A region applies the regional rules, so that
// its what-if agrees with the regional scenario of every system stopped.
type Loss struct {
	Facilities []int64
	Region     string
}

// WhatIf is what losing facilities at once does to a portfolio (SPEC §4.7):
// the systems that stop, what they depend on and what depends on them, the
// services and agencies they take with them.
type WhatIf struct {
	// Kind is the scenario whose rules estimate each stopped system:
	// FacilityLoss for facilities, Regional for a region.
	Kind string `json:"scenario"`
	// Lost are the facilities lost, in id order.
	Lost []int64 `json:"lost_facility_ids"`
	// Stopped are the systems whose primary facility is lost, judged
	// against their disaster targets.
	Stopped []Stopped `json:"stopped"`
	// Indirect are systems elsewhere that depend, directly or through
	// others, on a stopped system.
	Indirect []Indirect      `json:"indirect"`
	Services []ServiceImpact `json:"services"`
	Agencies []AgencyImpact  `json:"agencies"`
	Counts   WhatIfCounts    `json:"counts"`
}

// Stopped is one system the loss stops, with what becomes of its DR site
// (DRNone, DRLost, DRCarries, DRReduced or DRUnknown).
type Stopped struct {
	SystemGap
	DR string `json:"dr"`
}

// Indirect is a system outside the loss that depends on one inside it.
type Indirect struct {
	System   *inventory.System `json:"-"`
	SystemID int64             `json:"system_id"`
	AgencyID int64             `json:"agency_id"`
	// Depth is how many dependencies away the nearest stopped system is:
	// 1 when the system depends on a stopped one itself.
	Depth int `json:"depth"`
	// Via are the systems it depends on directly that are down nearer the
	// loss (stopped, or affected at a smaller depth), in id order.
	Via []int64 `json:"via_system_ids"`
}

// Service states in a what-if.
const (
	ServiceStopped  = "stopped"  // every system it rests on is stopped
	ServiceDegraded = "degraded" // some are stopped or affected through a dependency
)

// ServiceImpact is a service the loss reaches.
type ServiceImpact struct {
	Service   *inventory.Service `json:"-"`
	ServiceID int64              `json:"service_id"`
	AgencyID  int64              `json:"agency_id"`
	Status    string             `json:"status"`
	Systems   int                `json:"systems"`
	Stopped   int                `json:"stopped"`
	Affected  int                `json:"affected"`
	// RTO is the service's own recovery target against the slowest
	// recovery of its stopped systems.
	RTO Measure `json:"rto"`
}

// AgencyImpact counts what the loss does to one agency: its stopped
// systems judged as in a gap count, how many a DR site carries, its
// systems affected through a dependency and its services.
type AgencyImpact struct {
	AgencyID int64 `json:"agency_id"`
	GapCount
	Carried          int `json:"dr_carries"`
	Indirect         int `json:"indirect"`
	ServicesStopped  int `json:"services_stopped"`
	ServicesDegraded int `json:"services_degraded"`
}

// WhatIfCounts are the headline figures: GapCount.Systems is the number of
// systems stopped.
type WhatIfCounts struct {
	Facilities int `json:"facilities"`
	GapCount
	Carried          int `json:"dr_carries"`
	Reduced          int `json:"dr_reduced"`
	Indirect         int `json:"indirect"`
	ServicesStopped  int `json:"services_stopped"`
	ServicesDegraded int `json:"services_degraded"`
	Agencies         int `json:"agencies"`
}

// FacilitiesIn are the ids of the facilities of region, in the order of list.
func FacilitiesIn(list []*inventory.Facility, region string) []int64 {
	var ids []int64
	for _, f := range list {
		if region != "" && f.Region == region {
			ids = append(ids, f.ID)
		}
	}
	return ids
}

// Analyze answers the what-if of losing l from inv. Every system whose
// primary facility is lost stops and is estimated with every lost facility
// lost (a DR site among them counts as lost); one facility alone gives
// exactly Estimate's facility loss, a region exactly its regional scenario.
// Dependencies are followed transitively against their direction: what
// depends on a stopped system is affected, and so is what depends on that.
// Systems are ordered by grade (미부여 last), agency and name. measure,
// when given, is the data loss measured from a stopped system's backup
// runs under this loss (nil for one not measured): measured beats declared.
func Analyze(inv *inventory.Inventory, l Loss, measure func(*inventory.System) *Measured) WhatIf {
	w := WhatIf{Kind: FacilityLoss}
	var how loss
	if l.Region != "" {
		w.Kind, how = Regional, loss{regional: true}
		w.Lost = FacilitiesIn(inv.Facilities, l.Region)
	} else {
		w.Lost = slices.Clone(l.Facilities)
	}
	slices.Sort(w.Lost)
	w.Lost = slices.Compact(w.Lost)
	lost := make(map[int64]bool, len(w.Lost))
	for _, id := range w.Lost {
		lost[id] = true
	}
	if l.Region == "" {
		how.set = lost
	}

	facilities := FacilityMap(inv.Facilities)
	inherited := objectives.Inherited(inv.Services)
	down := map[int64]bool{} // stopped or affected
	for _, s := range inv.Systems {
		if s.PrimaryFacilityID == nil || !lost[*s.PrimaryFacilityID] {
			continue
		}
		var m *Measured
		if measure != nil {
			m = measure(s)
		}
		var c Capability
		dr := facilityLoss(&c, s, facilities, how, m)
		w.Stopped = append(w.Stopped, Stopped{SystemGap: judge(s, w.Kind, c, inherited[s.ID]), DR: dr})
		down[s.ID] = true
	}
	slices.SortFunc(w.Stopped, func(a, b Stopped) int { return CompareSystems(a.System, b.System) })

	w.Indirect = dependants(inv, w.Stopped, down)
	w.Services = services(inv.Services, w.Stopped, w.Indirect)
	w.Agencies, w.Counts = agencies(w)
	return w
}

// EstimateLost is s's capability when the facilities in lost are lost at
// once, its primary among them (a DR site among them counts as lost), and
// what becomes of its DR site.
func EstimateLost(s *inventory.System, facilities map[int64]*inventory.Facility, lost map[int64]bool) (Capability, string) {
	var c Capability
	dr := facilityLoss(&c, s, facilities, loss{set: lost}, nil)
	return c, dr
}

// dependants walks the dependencies backwards from the stopped systems,
// breadth first so that each system gets its shortest depth; a cycle ends
// where it meets a system already down. down holds the stopped systems and
// gains the affected ones.
func dependants(inv *inventory.Inventory, stopped []Stopped, down map[int64]bool) []Indirect {
	systems := make(map[int64]*inventory.System, len(inv.Systems))
	for _, s := range inv.Systems {
		systems[s.ID] = s
	}
	dependedBy := make(map[int64][]int64, len(systems)) // to → from
	for _, d := range inv.Dependencies {
		dependedBy[d.ToSystemID] = append(dependedBy[d.ToSystemID], d.FromSystemID)
	}
	depth := make(map[int64]int, len(down)) // 0 for the stopped
	frontier := make([]int64, 0, len(stopped))
	for _, s := range stopped {
		frontier = append(frontier, s.SystemID)
	}
	var out []Indirect
	at := map[int64]int{} // index in out
	for d := 1; len(frontier) > 0; d++ {
		var next []int64
		for _, id := range frontier {
			for _, from := range dependedBy[id] {
				s := systems[from]
				if down[from] || s == nil {
					continue
				}
				down[from], depth[from], at[from] = true, d, len(out)
				next = append(next, from)
				out = append(out, Indirect{System: s, SystemID: s.ID, AgencyID: s.AgencyID, Depth: d})
			}
		}
		frontier = next
	}
	// Via leads towards the loss: only what is down nearer to it.
	for _, dep := range inv.Dependencies {
		i, affected := at[dep.FromSystemID]
		if affected && down[dep.ToSystemID] && depth[dep.ToSystemID] < out[i].Depth {
			out[i].Via = append(out[i].Via, dep.ToSystemID)
		}
	}
	for i := range out {
		slices.Sort(out[i].Via)
		out[i].Via = slices.Compact(out[i].Via)
	}
	slices.SortFunc(out, func(a, b Indirect) int { return CompareSystems(a.System, b.System) })
	return out
}

// services finds the services resting on a stopped or affected system.
func services(list []*inventory.Service, stopped []Stopped, indirect []Indirect) []ServiceImpact {
	stop := make(map[int64]Bound, len(stopped)) // recovery of each stopped system
	for _, s := range stopped {
		stop[s.SystemID] = s.Capability.RTO
	}
	affected := make(map[int64]bool, len(indirect))
	for _, s := range indirect {
		affected[s.SystemID] = true
	}
	var out []ServiceImpact
	for _, svc := range list {
		impact := ServiceImpact{Service: svc, ServiceID: svc.ID, AgencyID: svc.AgencyID, Systems: len(svc.SystemIDs)}
		var slowest *Bound
		for _, id := range svc.SystemIDs {
			if b, ok := stop[id]; ok {
				impact.Stopped++
				if slowest == nil || slower(b, *slowest) {
					slowest = &b
				}
			} else if affected[id] {
				impact.Affected++
			}
		}
		switch {
		case impact.Stopped > 0 && impact.Stopped == impact.Systems:
			impact.Status = ServiceStopped
		case impact.Stopped > 0 || impact.Affected > 0:
			impact.Status = ServiceDegraded
		default:
			continue
		}
		target := Target{}
		if svc.RTO != nil {
			target = Target{Minutes: svc.RTO, Source: TargetService}
		}
		if slowest != nil {
			impact.RTO = measure(target, *slowest)
		} else {
			impact.RTO = Measure{Target: target, Bound: unknown}
		}
		out = append(out, impact)
	}
	slices.SortFunc(out, func(a, b ServiceImpact) int {
		return cmp.Or(cmp.Compare(serviceRank(a.Status), serviceRank(b.Status)), cmp.Compare(a.AgencyID, b.AgencyID),
			cmp.Compare(a.Service.Name, b.Service.Name), cmp.Compare(a.ServiceID, b.ServiceID))
	})
	return out
}

func serviceRank(status string) int {
	if status == ServiceStopped {
		return 0
	}
	return 1
}

// slower reports whether recovery a takes longer than b: never is the
// slowest, then unknown (it may be anything), then the longer time, a lower
// bound before the same time for sure.
func slower(a, b Bound) bool {
	switch {
	case a.Unbounded || b.Unbounded:
		return a.Unbounded && !b.Unbounded
	case a.Unknown || b.Unknown:
		return a.Unknown && !b.Unknown
	case a.Minutes != b.Minutes:
		return a.Minutes > b.Minutes
	}
	return a.AtLeast && !b.AtLeast
}

// agencies counts the what-if per agency, most stopped systems first, and
// for the whole of it.
func agencies(w WhatIf) ([]AgencyImpact, WhatIfCounts) {
	counts := WhatIfCounts{Facilities: len(w.Lost)}
	by := map[int64]*AgencyImpact{}
	agency := func(id int64) *AgencyImpact {
		if by[id] == nil {
			by[id] = &AgencyImpact{AgencyID: id}
		}
		return by[id]
	}
	for _, s := range w.Stopped {
		a := agency(s.AgencyID)
		a.add(s.SystemGap)
		counts.add(s.SystemGap)
		switch s.DR {
		case DRCarries:
			a.Carried++
			counts.Carried++
		case DRReduced:
			counts.Reduced++
		}
	}
	for _, s := range w.Indirect {
		agency(s.AgencyID).Indirect++
		counts.Indirect++
	}
	for _, svc := range w.Services {
		a := agency(svc.AgencyID)
		if svc.Status == ServiceStopped {
			a.ServicesStopped++
			counts.ServicesStopped++
		} else {
			a.ServicesDegraded++
			counts.ServicesDegraded++
		}
	}
	out := make([]AgencyImpact, 0, len(by))
	for _, a := range by {
		out = append(out, *a)
	}
	slices.SortFunc(out, func(a, b AgencyImpact) int {
		return cmp.Or(cmp.Compare(b.Systems, a.Systems), cmp.Compare(b.Indirect, a.Indirect), cmp.Compare(a.AgencyID, b.AgencyID))
	})
	counts.Agencies = len(out)
	return out, counts
}

// CompareSystems orders systems as a what-if lists them: by grade (1
// first, 미부여 last), agency, name and id.
func CompareSystems(a, b *inventory.System) int {
	return cmp.Or(cmp.Compare(inventory.GradeRank(a.Grade), inventory.GradeRank(b.Grade)), cmp.Compare(a.AgencyID, b.AgencyID),
		cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
}
