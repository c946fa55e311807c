// Package recovery plans the cold restart of one or more lost facilities
// (SPEC §4.7, issue ⑦): the order in which to bring their systems back
// from the dependency graph, when each is expected back against its
// disaster RTO, and the chain that decides when the last one is back — the
// sequencing that held back recovery after the NIRS fire. It is a pure
// function of the inventory.
//
// The rules, in the order they are applied:
//
//   - Which systems: those whose primary facility is among the lost ones.
//     A need (inventory.Dependency: From needs To) on a system outside the
//     lost facilities is taken as available — that system still runs —
//     and listed with the step as such. A need on a system the caller may
//     not see is not in the caller's inventory at all.
//   - Infrastructure first: a system that some system needs by a network,
//     auth or database dependency (anywhere in the inventory) is
//     infrastructure of that tier; network before auth before database
//     before everything else (SPEC §4.7: network, security and
//     authentication first, then shared databases, then the systems that
//     use them). A system starts only when everything it needs among the
//     lost systems is back. Among systems ready at the same moment the
//     order is: tier, grade (1 before 4, no grade last), name, id.
//   - Cycles: every strongly connected component of the needs graph with
//     more than one member, and every system that needs itself, is
//     reported. A cycle is broken, never looped on, at its first member in
//     the order of the rule above: that system is started as if what it
//     needs within the cycle were available, and those ignored needs are
//     listed with its step; if the other members still form a cycle, it
//     is broken the same way.
//   - Duration: scenario.EstimateLost(…).RTO — a switchover to a DR site
//     elsewhere, or a rebuild; a DR site that is itself among the lost
//     facilities is lost too. An unknown or unbounded estimate is scheduled as
//     scenario.RebuildElsewhere (72 h) and flagged Assumed; an unbounded one
//     (no copy outside the facility) always misses its target, since the
//     system comes back without its data.
//   - Teams: Options.Teams systems are restored at a time, each taken in
//     the order above as soon as a team is free and it is ready; 0 means
//     unlimited teams (every independent branch in parallel), so that each
//     system starts the moment everything it needs is back.
//   - Times are counted from the loss: a system is back at Start +
//     Duration, compared with the RTO it is held to under facility loss
//     (scenario.Targets: its disaster target, tightened by its services,
//     else its grade's minimum; met, or misses by the gap).
//   - The critical path ends at the system back last (ties: the one started
//     first) and runs back through, at each step, the need back last. With
//     limited teams a step may also have waited for a team (Ready < Start).
package recovery

import (
	"cmp"
	"container/heap"
	"slices"

	"yeonsok/internal/inventory"
	"yeonsok/internal/objectives"
	"yeonsok/internal/scenario"
)

// Tiers are the kinds of need that make the needed system infrastructure,
// in the order infrastructure comes back.
var Tiers = []string{"network", "auth", "database"}

// Verdicts of a step's expected-back time against its disaster RTO.
const (
	Met      = "met"
	Misses   = "misses"
	NoTarget = "no_target"
)

// Options shape a plan.
type Options struct {
	// Teams is how many systems can be restored at the same time; 0 is
	// unlimited.
	Teams int
}

// Step is one system of the plan. Times are minutes after the loss.
type Step struct {
	// Position is the system's place in the restart order, from 1.
	Position   int    `json:"position"`
	SystemID   int64  `json:"system_id"`
	Name       string `json:"name"`
	AgencyID   int64  `json:"agency_id"`
	Grade      int    `json:"grade"`
	FacilityID int64  `json:"facility_id"`
	// Infrastructure is the tier (one of Tiers) by which other systems
	// need this one; empty when none does.
	Infrastructure string `json:"infrastructure,omitempty"`
	// Needs are the lost systems it waits for; Outside the systems it
	// needs outside the lost facilities, taken as available; Ignored the
	// needs ignored to break a cycle.
	Needs   []int64 `json:"needs,omitempty"`
	Outside []int64 `json:"outside,omitempty"`
	Ignored []int64 `json:"ignored,omitempty"`
	// Restore is the scenario estimate; Duration what the schedule uses:
	// the estimate, or scenario.RebuildElsewhere when Assumed.
	Restore  scenario.Bound    `json:"restore"`
	Assumed  bool              `json:"assumed"`
	Duration inventory.Minutes `json:"duration_minutes"`
	// Ready is when everything it needs is back, Start when a team starts
	// on it (later than Ready only while every team is busy), Back when it
	// is expected back.
	Ready inventory.Minutes  `json:"ready_minutes"`
	Start inventory.Minutes  `json:"start_minutes"`
	Back  inventory.Minutes  `json:"back_minutes"`
	RTO   *inventory.Minutes `json:"rto_minutes"`
	// Verdict is Met, Misses or NoTarget; Gap how far Back is past the RTO.
	Verdict  string            `json:"verdict"`
	Gap      inventory.Minutes `json:"gap_minutes"`
	Critical bool              `json:"critical"`
}

// Plan is the cold restart of the lost facilities.
type Plan struct {
	Facilities []int64 `json:"facilities"`
	Teams      int     `json:"teams"`
	// Steps are in restart order.
	Steps []Step `json:"steps"`
	// Finish is when the last system is back.
	Finish inventory.Minutes `json:"finish_minutes"`
	// CriticalPath is the chain of systems, first to last, that decides
	// Finish.
	CriticalPath []int64 `json:"critical_path"`
	// Cycles are the systems of each dependency cycle, in the order of
	// the rule (tier, grade, name, id).
	Cycles [][]int64 `json:"cycles"`
}

// Order plans the cold restart of the lost facilities' systems.
func Order(inv *inventory.Inventory, lost []int64, opt Options) *Plan {
	p := newPlanner(inv, lost)
	p.breakCycles()
	p.schedule(opt.Teams)
	plan := &Plan{Facilities: p.lost, Teams: opt.Teams, CriticalPath: []int64{}, Cycles: p.cycles}
	p.markCriticalPath(plan)
	for i := range p.steps {
		plan.Finish = max(plan.Finish, p.steps[i].Back)
	}
	plan.Steps = p.steps
	slices.SortFunc(plan.Steps, func(a, b Step) int { return cmp.Compare(a.Position, b.Position) })
	return plan
}

// planner holds the lost systems by index, in the order of the rule
// (tier, grade, name, id), so that a lower index is a higher priority.
type planner struct {
	lost       []int64
	steps      []Step
	needs      [][]int // kept needs, by index
	dependants [][]int
	cycles     [][]int64
}

func newPlanner(inv *inventory.Inventory, lostIDs []int64) *planner {
	lost := map[int64]bool{}
	for _, id := range lostIDs {
		lost[id] = true
	}
	p := &planner{}
	for id := range lost {
		p.lost = append(p.lost, id)
	}
	slices.Sort(p.lost)

	// tier is each restarted system's infrastructure tier: its index in
	// Tiers, len(Tiers) for none.
	tier := map[int64]int{}
	for _, s := range inv.Systems {
		if s.PrimaryFacilityID != nil && lost[*s.PrimaryFacilityID] {
			tier[s.ID] = len(Tiers)
		}
	}
	for _, d := range inv.Dependencies {
		if old, ok := tier[d.ToSystemID]; ok {
			if t := slices.Index(Tiers, d.Kind); t >= 0 && t < old {
				tier[d.ToSystemID] = t
			}
		}
	}
	type ranked struct {
		*inventory.System
		tier int
	}
	var systems []ranked
	for _, s := range inv.Systems {
		if t, ok := tier[s.ID]; ok {
			systems = append(systems, ranked{s, t})
		}
	}
	slices.SortFunc(systems, func(a, b ranked) int {
		return cmp.Or(cmp.Compare(a.tier, b.tier), cmp.Compare(inventory.GradeRank(a.Grade), inventory.GradeRank(b.Grade)),
			cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})

	facilities := scenario.FacilityMap(inv.Facilities)
	inherited := objectives.Inherited(inv.Services)
	index := make(map[int64]int, len(systems))
	p.steps = make([]Step, len(systems))
	for i, s := range systems {
		index[s.ID] = i
		st := &p.steps[i]
		st.SystemID, st.Name, st.AgencyID, st.Grade, st.FacilityID = s.ID, s.Name, s.AgencyID, s.Grade, *s.PrimaryFacilityID
		rto, _ := scenario.Targets(s.System, scenario.FacilityLoss, inherited[s.ID])
		st.RTO = rto.Minutes
		if s.tier < len(Tiers) {
			st.Infrastructure = Tiers[s.tier]
		}
		c, _ := scenario.EstimateLost(s.System, facilities, lost)
		st.Restore = c.RTO
		st.Duration = st.Restore.Minutes
		if st.Restore.Unknown || st.Restore.Unbounded {
			st.Duration, st.Assumed = scenario.RebuildElsewhere, true
		}
	}

	p.needs = make([][]int, len(systems))
	for _, d := range inv.Dependencies {
		from, ok := index[d.FromSystemID]
		if !ok {
			continue
		}
		if to, ok := index[d.ToSystemID]; ok {
			p.needs[from] = append(p.needs[from], to)
		} else {
			p.steps[from].Outside = append(p.steps[from].Outside, d.ToSystemID)
		}
	}
	// A system may need another in several ways (interface and auth):
	// one need is enough.
	for i := range p.needs {
		slices.Sort(p.needs[i])
		p.needs[i] = slices.Compact(p.needs[i])
		slices.Sort(p.steps[i].Outside)
		p.steps[i].Outside = slices.Compact(p.steps[i].Outside)
	}
	return p
}

// breakCycles reports the needs graph's cycles and breaks each at its
// first member in restart order, which is started as if what it needs
// within the cycle were available; a cycle left among the other members is
// broken the same way. (A system's need on itself is a cycle of one.) What
// is left has no cycle.
func (p *planner) breakCycles() {
	n := len(p.needs)
	all := make([]int, n)
	member := make([]int, n) // member[v] == round: v is in the part looked at
	for v := range all {
		all[v] = v
	}
	scc := newTarjan(p.needs)
	round := 0
	var work [][]int
	for _, c := range scc.components(all, func(int) bool { return true }) {
		if p.cyclic(c) {
			work = append(work, c)
		}
	}
	slices.SortFunc(work, func(a, b []int) int { return cmp.Compare(slices.Min(a), slices.Min(b)) })
	p.cycles = make([][]int64, len(work))
	for i, c := range work {
		slices.Sort(c)
		for _, m := range c {
			p.cycles[i] = append(p.cycles[i], p.steps[m].SystemID)
		}
	}
	for len(work) > 0 {
		c := work[len(work)-1]
		work = work[:len(work)-1]
		round++
		for _, m := range c {
			member[m] = round
		}
		head := slices.Min(c)
		kept := p.needs[head][:0]
		for _, to := range p.needs[head] {
			if member[to] == round {
				p.steps[head].Ignored = append(p.steps[head].Ignored, p.steps[to].SystemID)
			} else {
				kept = append(kept, to)
			}
		}
		p.needs[head] = kept
		for _, sub := range scc.components(c, func(v int) bool { return member[v] == round }) {
			if p.cyclic(sub) {
				work = append(work, sub)
			}
		}
	}
	p.dependants = make([][]int, n)
	for from, needs := range p.needs {
		if len(needs) > 0 {
			p.steps[from].Needs = make([]int64, len(needs))
		}
		for i, to := range needs {
			p.dependants[to] = append(p.dependants[to], from)
			p.steps[from].Needs[i] = p.steps[to].SystemID
		}
	}
}

// cyclic reports whether a strongly connected component is a cycle: more
// than one member, or one that needs itself.
func (p *planner) cyclic(component []int) bool {
	return len(component) > 1 || slices.Contains(p.needs[component[0]], component[0])
}

// tarjan finds strongly connected components (Tarjan's algorithm) in a
// part of a graph, again and again, reusing its bookkeeping.
type tarjan struct {
	edges   [][]int
	order   []int // 0: not visited yet
	low     []int
	onStack []bool
	stack   []int
	next    int
}

func newTarjan(edges [][]int) *tarjan {
	n := len(edges)
	return &tarjan{edges: edges, order: make([]int, n), low: make([]int, n), onStack: make([]bool, n), next: 1}
}

// components are the strongly connected components of the part of the
// graph made of nodes, where in says which nodes are part of it.
func (t *tarjan) components(nodes []int, in func(int) bool) [][]int {
	var out [][]int
	var visit func(v int)
	visit = func(v int) {
		t.order[v], t.low[v] = t.next, t.next
		t.next++
		t.stack = append(t.stack, v)
		t.onStack[v] = true
		for _, w := range t.edges[v] {
			switch {
			case !in(w):
			case t.order[w] == 0:
				visit(w)
				t.low[v] = min(t.low[v], t.low[w])
			case t.onStack[w]:
				t.low[v] = min(t.low[v], t.order[w])
			}
		}
		if t.low[v] != t.order[v] {
			return
		}
		var members []int
		for {
			w := t.stack[len(t.stack)-1]
			t.stack = t.stack[:len(t.stack)-1]
			t.onStack[w] = false
			members = append(members, w)
			if w == v {
				break
			}
		}
		out = append(out, members)
	}
	for _, v := range nodes {
		if t.order[v] == 0 {
			visit(v)
		}
	}
	for _, v := range nodes {
		t.order[v] = 0
	}
	return out
}

// schedule gives every step its position and times: teams (0: unlimited)
// take ready systems in priority order, and a system is ready when all it
// needs is back.
func (p *planner) schedule(teams int) {
	waiting := make([]int, len(p.steps))
	ready := &queue{less: func(a, b int) bool { return a < b }}
	for i := range p.steps {
		waiting[i] = len(p.needs[i])
		if waiting[i] == 0 {
			ready.items = append(ready.items, i)
		}
	}
	heap.Init(ready)
	running := &queue{less: func(a, b int) bool {
		return p.steps[a].Back < p.steps[b].Back || p.steps[a].Back == p.steps[b].Back && a < b
	}}
	finish := func(i int) {
		for _, d := range p.dependants[i] {
			p.steps[d].Ready = max(p.steps[d].Ready, p.steps[i].Back)
			if waiting[d]--; waiting[d] == 0 {
				heap.Push(ready, d)
			}
		}
	}
	var now inventory.Minutes
	position := 0
	for {
		for ready.Len() > 0 && (teams <= 0 || running.Len() < teams) {
			i := heap.Pop(ready).(int)
			st := &p.steps[i]
			position++
			st.Position, st.Start, st.Back = position, now, now+st.Duration
			st.Verdict, st.Gap = verdict(st)
			heap.Push(running, i)
		}
		if running.Len() == 0 {
			return
		}
		// Everything back at the same moment is back before the teams
		// choose again, so that the choice sees every ready system.
		i := heap.Pop(running).(int)
		now = p.steps[i].Back
		finish(i)
		for running.Len() > 0 && p.steps[running.items[0]].Back == now {
			finish(heap.Pop(running).(int))
		}
	}
}

func verdict(st *Step) (string, inventory.Minutes) {
	if st.RTO == nil {
		return NoTarget, 0
	}
	gap, misses := scenario.Gap(st.RTO, scenario.Bound{Minutes: st.Back})
	if misses || st.Restore.Unbounded {
		return Misses, gap
	}
	return Met, 0
}

// markCriticalPath follows, from the system back last, the need back last.
func (p *planner) markCriticalPath(plan *Plan) {
	later := func(a, b int) bool { // a is back after b, or with it but started first
		sa, sb := &p.steps[a], &p.steps[b]
		return sa.Back > sb.Back || sa.Back == sb.Back && sa.Position < sb.Position
	}
	last := -1
	for i := range p.steps {
		if last < 0 || later(i, last) {
			last = i
		}
	}
	var path []int64
	for cur := last; cur >= 0; {
		p.steps[cur].Critical = true
		path = append(path, p.steps[cur].SystemID)
		next := -1
		for _, n := range p.needs[cur] {
			if next < 0 || later(n, next) {
				next = n
			}
		}
		cur = next
	}
	slices.Reverse(path)
	plan.CriticalPath = append(plan.CriticalPath, path...)
}

// queue is a heap of step indexes in the order less gives.
type queue struct {
	items []int
	less  func(a, b int) bool
}

func (q *queue) Len() int           { return len(q.items) }
func (q *queue) Less(i, j int) bool { return q.less(q.items[i], q.items[j]) }
func (q *queue) Swap(i, j int)      { q.items[i], q.items[j] = q.items[j], q.items[i] }
func (q *queue) Push(x any)         { q.items = append(q.items, x.(int)) }
func (q *queue) Pop() any {
	last := q.items[len(q.items)-1]
	q.items = q.items[:len(q.items)-1]
	return last
}
