package recovery

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"yeonsok/internal/inventory"
	"yeonsok/internal/scenario"
)

// Facilities of the tests: 1 and 2 can be lost, 3 survives.
const (
	lostA, lostB, elsewhere = 1, 2, 3
)

// spec is one system of a test: its name is its id's key in the test.
type spec struct {
	name     string
	grade    int
	facility int64
	// restore: "dr" — similar DR at facility 3 (2 h); "dr2" — similar DR
	// at facility 2; "rebuild" — no DR, replicated copy (72 h);
	// "nocopy" — no DR, no copy outside (unbounded); "unknown" — DR
	// not recorded (unknown).
	restore  string
	rtoHours int64 // 0: no target
}

type need struct{ from, to, kind string }

// world builds an inventory: system ids from 1 in the order given.
func world(t *testing.T, systems []spec, needs []need) (*inventory.Inventory, map[string]int64) {
	t.Helper()
	inv := &inventory.Inventory{}
	for id := int64(1); id <= 3; id++ {
		inv.Facilities = append(inv.Facilities, &inventory.Facility{ID: id, Name: fmt.Sprintf("시설 %d", id), Region: fmt.Sprintf("지역 %d", id)})
	}
	ids := map[string]int64{}
	for i, sp := range systems {
		id, facility := int64(i+1), sp.facility
		if facility == 0 {
			facility = lostA
		}
		s := &inventory.System{ID: id, AgencyID: 1, Name: sp.name, Grade: sp.grade, PrimaryFacilityID: &facility}
		dr := func(site int64) {
			s.DRFacilityID, s.DRPerformance, s.OffsiteMethod = &site, inventory.DRSimilar, "replication"
		}
		switch sp.restore {
		case "dr", "":
			dr(elsewhere)
		case "dr2":
			dr(lostB)
		case "rebuild":
			s.DRPerformance, s.OffsiteMethod = inventory.DRNone, "replication"
		case "nocopy":
			s.DRPerformance, s.OffsiteMethod = inventory.DRNone, inventory.No
		case "unknown":
		default:
			t.Fatalf("restore %q", sp.restore)
		}
		if sp.rtoHours > 0 {
			rto := inventory.Hours(sp.rtoHours)
			s.RTODisaster = &rto
		}
		inv.Systems = append(inv.Systems, s)
		ids[sp.name] = id
	}
	for i, n := range needs {
		from, ok1 := ids[n.from]
		to, ok2 := ids[n.to]
		if !ok1 || !ok2 {
			t.Fatalf("need %v names an unknown system", n)
		}
		kind := n.kind
		if kind == "" {
			kind = "interface"
		}
		inv.Dependencies = append(inv.Dependencies, &inventory.Dependency{ID: int64(i + 1), FromSystemID: from, ToSystemID: to, Kind: kind})
	}
	return inv, ids
}

// names writes steps as "name@start-back" in restart order.
func names(plan *Plan) string {
	var out []string
	for _, s := range plan.Steps {
		out = append(out, fmt.Sprintf("%s@%s-%s", s.Name, s.Start, s.Back))
	}
	return strings.Join(out, " ")
}

func nameList(plan *Plan, ids []int64) string {
	byID := map[int64]string{}
	for _, s := range plan.Steps {
		byID[s.SystemID] = s.Name
	}
	var out []string
	for _, id := range ids {
		out = append(out, byID[id])
	}
	return strings.Join(out, ",")
}

func TestOrder(t *testing.T) {
	for _, tc := range []struct {
		name    string
		systems []spec
		needs   []need
		lost    []int64
		teams   int
		// want is every step, "name@start-back", in restart order.
		want string
	}{
		{
			name:    "only the lost facility's systems",
			systems: []spec{{name: "가", facility: lostA}, {name: "나", facility: lostB}, {name: "다", facility: elsewhere}},
			lost:    []int64{lostA},
			want:    "가@0m-2h",
		},
		{
			name:    "grade 1 before 4, no grade last, then name",
			systems: []spec{{name: "무등급", grade: 0}, {name: "사등급", grade: 4}, {name: "일등급 나", grade: 1}, {name: "일등급 가", grade: 1}},
			lost:    []int64{lostA},
			want:    "일등급 가@0m-2h 일등급 나@0m-2h 사등급@0m-2h 무등급@0m-2h",
		},
		{
			name: "network, then auth, then database, then the rest, whatever their grade",
			systems: []spec{{name: "업무", grade: 1}, {name: "공유DB", grade: 4}, {name: "통합인증", grade: 3},
				{name: "망", grade: 0}, {name: "다른 업무", grade: 2, facility: elsewhere}},
			needs: []need{{"다른 업무", "공유DB", "database"}, {"다른 업무", "통합인증", "auth"}, {"다른 업무", "망", "network"}},
			lost:  []int64{lostA},
			want:  "망@0m-2h 통합인증@0m-2h 공유DB@0m-2h 업무@0m-2h",
		},
		{
			name:    "a dependant waits for what it needs, whatever its grade",
			systems: []spec{{name: "인증", grade: 3, restore: "rebuild"}, {name: "창구", grade: 1}, {name: "게시판", grade: 4, restore: "rebuild"}},
			needs:   []need{{"창구", "인증", "auth"}},
			lost:    []int64{lostA},
			want:    "인증@0m-3d 게시판@0m-3d 창구@3d-74h",
		},
		{
			name:    "a need outside the lost facilities is taken as available",
			systems: []spec{{name: "업무"}, {name: "외부 인증", facility: elsewhere}},
			needs:   []need{{"업무", "외부 인증", "auth"}},
			lost:    []int64{lostA},
			want:    "업무@0m-2h",
		},
		{
			name:    "two facilities lost: their systems in one order",
			systems: []spec{{name: "가", facility: lostA, restore: "rebuild"}, {name: "나", facility: lostB}},
			needs:   []need{{"나", "가", "database"}},
			lost:    []int64{lostA, lostB},
			want:    "가@0m-3d 나@3d-74h",
		},
		{
			name:    "a DR site among the lost facilities is lost too",
			systems: []spec{{name: "DR 있음", restore: "dr2"}},
			lost:    []int64{lostA, lostB},
			want:    "DR 있음@0m-3d",
		},
		{
			name:    "the same DR site survives when only the primary is lost",
			systems: []spec{{name: "DR 있음", restore: "dr2"}},
			lost:    []int64{lostA},
			want:    "DR 있음@0m-2h",
		},
		{
			name:    "unknown and unbounded estimates are scheduled as a rebuild",
			systems: []spec{{name: "모름", restore: "unknown"}, {name: "사본 없음", restore: "nocopy"}, {name: "뒤", grade: 1}},
			needs:   []need{{"뒤", "모름", ""}, {"뒤", "사본 없음", ""}},
			lost:    []int64{lostA},
			want:    "모름@0m-3d 사본 없음@0m-3d 뒤@3d-74h",
		},
		{
			name:    "one team: one system at a time, in priority order",
			systems: []spec{{name: "다", grade: 3}, {name: "가", grade: 1}, {name: "나", grade: 2}},
			lost:    []int64{lostA},
			teams:   1,
			want:    "가@0m-2h 나@2h-4h 다@4h-6h",
		},
		{
			name: "two teams: a system ready later waits for a free team",
			systems: []spec{{name: "인증", grade: 4}, {name: "가", grade: 1, restore: "rebuild"}, {name: "나", grade: 2, restore: "rebuild"},
				{name: "업무", grade: 1}},
			needs: []need{{"업무", "인증", "auth"}},
			lost:  []int64{lostA},
			teams: 2,
			want:  "인증@0m-2h 가@0m-3d 업무@2h-4h 나@4h-76h",
		},
		{
			name:    "no system in the facility",
			systems: []spec{{name: "가", facility: elsewhere}},
			lost:    []int64{lostA},
			want:    "",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv, _ := world(t, tc.systems, tc.needs)
			plan := Order(inv, tc.lost, Options{Teams: tc.teams})
			if got := names(plan); got != tc.want {
				t.Errorf("order:\n got  %s\n want %s", got, tc.want)
			}
			for i, s := range plan.Steps {
				if s.Position != i+1 {
					t.Errorf("%s: position %d at place %d", s.Name, s.Position, i+1)
				}
			}
		})
	}
}

// Each step says why it waits, what it takes as available and what its
// schedule assumes.
func TestStepDetails(t *testing.T) {
	inv, ids := world(t, []spec{
		{name: "인증", grade: 3, restore: "unknown"}, {name: "창구", grade: 1, rtoHours: 2}, {name: "사본 없음", grade: 2, restore: "nocopy"},
		{name: "외부", facility: elsewhere},
	}, []need{{"창구", "인증", "auth"}, {"창구", "외부", "database"}, {"창구", "인증", "interface"}})
	plan := Order(inv, []int64{lostA}, Options{})
	step := map[string]Step{}
	for _, s := range plan.Steps {
		step[s.Name] = s
	}
	auth, desk, nocopy := step["인증"], step["창구"], step["사본 없음"]
	if auth.Infrastructure != "auth" || desk.Infrastructure != "" {
		t.Errorf("infrastructure: 인증 %q, 창구 %q", auth.Infrastructure, desk.Infrastructure)
	}
	if !auth.Assumed || !auth.Restore.Unknown || auth.Duration != scenario.RebuildElsewhere {
		t.Errorf("인증: %+v, want an unknown estimate scheduled as a rebuild", auth)
	}
	if !nocopy.Assumed || !nocopy.Restore.Unbounded {
		t.Errorf("사본 없음: %+v, want an unbounded estimate, assumed", nocopy)
	}
	if !slices.Equal(desk.Needs, []int64{ids["인증"]}) || !slices.Equal(desk.Outside, []int64{ids["외부"]}) {
		t.Errorf("창구 needs %v (want 인증 once), outside %v (want 외부)", desk.Needs, desk.Outside)
	}
	if desk.Ready != scenario.RebuildElsewhere || desk.Start != desk.Ready || desk.Duration != scenario.DRSwitchover {
		t.Errorf("창구: ready %s start %s duration %s", desk.Ready, desk.Start, desk.Duration)
	}
	if desk.FacilityID != lostA || desk.AgencyID != 1 || desk.Grade != 1 {
		t.Errorf("창구: %+v", desk)
	}
}

func TestVerdicts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		system   spec
		verdict  string
		gapHours float64
	}{
		{"back within the RTO", spec{name: "가", rtoHours: 3}, Met, 0},
		{"back exactly at the RTO", spec{name: "가", rtoHours: 2}, Met, 0},
		{"back after the RTO", spec{name: "가", rtoHours: 1}, Misses, 1},
		{"rebuilt after the RTO", spec{name: "가", rtoHours: 8, restore: "rebuild"}, Misses, 64},
		{"no target", spec{name: "가"}, NoTarget, 0},
		{"no copy outside misses whatever the target", spec{name: "가", rtoHours: 100, restore: "nocopy"}, Misses, 0},
		{"an assumed rebuild is compared too", spec{name: "가", rtoHours: 2, restore: "unknown"}, Misses, 70},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv, _ := world(t, []spec{tc.system}, nil)
			s := Order(inv, []int64{lostA}, Options{}).Steps[0]
			if s.Verdict != tc.verdict || s.Gap != inventory.Minutes(tc.gapHours*60) {
				t.Errorf("verdict %s, gap %s; want %s, %vh", s.Verdict, s.Gap, tc.verdict, tc.gapHours)
			}
		})
	}
}

// A system waiting behind a chain is back later than its RTO even though
// its own restore is quick: the order costs it the target.
func TestWaitingCostsTheTarget(t *testing.T) {
	inv, _ := world(t, []spec{{name: "DB", grade: 2, restore: "rebuild"}, {name: "창구", grade: 1, rtoHours: 2}},
		[]need{{"창구", "DB", "database"}})
	plan := Order(inv, []int64{lostA}, Options{})
	desk := plan.Steps[1]
	if desk.Name != "창구" || desk.Duration != inventory.Hours(2) || desk.Back != inventory.Hours(74) || desk.Verdict != Misses || desk.Gap != inventory.Hours(72) {
		t.Errorf("창구: %+v", desk)
	}
}

func TestCycles(t *testing.T) {
	for _, tc := range []struct {
		name    string
		systems []spec
		needs   []need
		// cycles are the reported cycles, "a,b;c"; order is the restart
		// order, "name@start"; ignored the ignored needs, "from>to".
		cycles, order, ignored string
	}{
		{
			name:    "two systems that need each other: the later one's need is kept",
			systems: []spec{{name: "나", grade: 2}, {name: "가", grade: 1}, {name: "다", grade: 1}},
			needs:   []need{{"가", "나", ""}, {"나", "가", ""}, {"다", "나", ""}},
			cycles:  "가,나", order: "가@0m 나@2h 다@4h", ignored: "가>나",
		},
		{
			name:    "infrastructure in a cycle still comes first",
			systems: []spec{{name: "업무", grade: 1}, {name: "인증", grade: 4}},
			needs:   []need{{"업무", "인증", "auth"}, {"인증", "업무", "interface"}},
			cycles:  "인증,업무", order: "인증@0m 업무@2h", ignored: "인증>업무",
		},
		{
			name:    "a system that needs itself",
			systems: []spec{{name: "가"}},
			needs:   []need{{"가", "가", ""}},
			cycles:  "가", order: "가@0m", ignored: "가>가",
		},
		{
			name:    "a ring of three and a separate pair",
			systems: []spec{{name: "가"}, {name: "나"}, {name: "다"}, {name: "라"}, {name: "마"}, {name: "바"}},
			needs:   []need{{"가", "나", ""}, {"나", "다", ""}, {"다", "가", ""}, {"라", "마", ""}, {"마", "라", ""}, {"바", "다", ""}},
			cycles:  "가,나,다;라,마", order: "가@0m 라@0m 다@2h 마@2h 나@4h 바@4h", ignored: "가>나 라>마",
		},
		{
			name:    "no cycle",
			systems: []spec{{name: "가"}, {name: "나"}},
			needs:   []need{{"나", "가", ""}},
			cycles:  "", order: "가@0m 나@2h", ignored: "",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv, _ := world(t, tc.systems, tc.needs)
			plan := Order(inv, []int64{lostA}, Options{})
			var cycles, order, ignored []string
			for _, c := range plan.Cycles {
				cycles = append(cycles, nameList(plan, c))
			}
			for _, s := range plan.Steps {
				order = append(order, fmt.Sprintf("%s@%s", s.Name, s.Start))
				for _, id := range s.Ignored {
					ignored = append(ignored, s.Name+">"+nameList(plan, []int64{id}))
				}
			}
			if got := strings.Join(cycles, ";"); got != tc.cycles {
				t.Errorf("cycles %q, want %q", got, tc.cycles)
			}
			if got := strings.Join(order, " "); got != tc.order {
				t.Errorf("order %q, want %q", got, tc.order)
			}
			if got := strings.Join(ignored, " "); got != tc.ignored {
				t.Errorf("ignored %q, want %q", got, tc.ignored)
			}
			if len(plan.Steps) != len(tc.systems) {
				t.Errorf("%d steps for %d systems", len(plan.Steps), len(tc.systems))
			}
		})
	}
}

func TestCriticalPath(t *testing.T) {
	for _, tc := range []struct {
		name    string
		systems []spec
		needs   []need
		teams   int
		path    string
		finish  inventory.Minutes
	}{
		{
			name:    "the chain that ends last, not the longest single restore",
			systems: []spec{{name: "망"}, {name: "인증", restore: "rebuild"}, {name: "업무"}, {name: "홀로", restore: "rebuild"}},
			needs:   []need{{"인증", "망", "network"}, {"업무", "인증", "auth"}},
			path:    "망,인증,업무", finish: inventory.Hours(2 + 72 + 2),
		},
		{
			name:    "through the need back last",
			systems: []spec{{name: "빠른"}, {name: "느린", restore: "rebuild"}, {name: "업무"}},
			needs:   []need{{"업무", "빠른", ""}, {"업무", "느린", ""}},
			path:    "느린,업무", finish: inventory.Hours(74),
		},
		{
			name:    "equal ends: the one started first",
			systems: []spec{{name: "가", grade: 1}, {name: "나", grade: 2}},
			path:    "가", finish: inventory.Hours(2),
		},
		{
			name:    "no system",
			systems: []spec{{name: "가", facility: elsewhere}},
			path:    "", finish: 0,
		},
		{
			name:    "with one team the last system ends the path",
			systems: []spec{{name: "가", grade: 1}, {name: "나", grade: 2}, {name: "다", grade: 3}},
			teams:   1,
			path:    "다", finish: inventory.Hours(6),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv, _ := world(t, tc.systems, tc.needs)
			plan := Order(inv, []int64{lostA}, Options{Teams: tc.teams})
			if got := nameList(plan, plan.CriticalPath); got != tc.path {
				t.Errorf("critical path %q, want %q", got, tc.path)
			}
			if plan.Finish != tc.finish {
				t.Errorf("finish %s, want %s", plan.Finish, tc.finish)
			}
			for _, s := range plan.Steps {
				if s.Critical != slices.Contains(plan.CriticalPath, s.SystemID) {
					t.Errorf("%s: critical %v, path %v", s.Name, s.Critical, plan.CriticalPath)
				}
			}
		})
	}
}

// The same input gives the same plan, whatever order the records come in.
func TestOrderIsDeterministic(t *testing.T) {
	systems := []spec{{name: "가"}, {name: "나", grade: 1}, {name: "다", restore: "rebuild"}, {name: "라", grade: 2}}
	needs := []need{{"가", "나", ""}, {"나", "가", ""}, {"라", "다", "database"}, {"가", "라", ""}}
	inv, _ := world(t, systems, needs)
	want := names(Order(inv, []int64{lostA}, Options{}))
	slices.Reverse(inv.Systems)
	slices.Reverse(inv.Dependencies)
	if got := names(Order(inv, []int64{lostA, lostA}, Options{})); got != want {
		t.Errorf("reversed records:\n got  %s\n want %s", got, want)
	}
}
