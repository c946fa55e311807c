package sampledata

import (
	"fmt"
	"slices"
	"sort"

	"yeonsok/internal/inventory"
)

// target is an RTO/RPO pair.
type target struct{ rto, rpo inventory.Minutes }

// gradeMinimum is the plan's "장애 시 정보시스템 등급별 대응목표 최소기준(안)" (1-3).
var gradeMinimum = map[int]target{
	1: {inventory.Hours(2), inventory.Hours(1)},
	2: {inventory.Hours(3), inventory.Hours(4)},
	3: {inventory.Hours(5), inventory.Hours(8)},
	4: {inventory.Hours(8), inventory.Hours(24)},
}

// Agencies whose targets the sample leaves unwritten even for grade 1/2:
// their site surveys found no DR centre and no offline procedure ready, and
// the data-quality report should show what is missing.
var targetsMissing = []string{aHRDK, aKEAD}

// Agencies the ministry's own team (지능정보화기획팀) runs at NIRS, whose
// named systems of every grade have targets written.
var targetsForAllGrades = []string{aMOEL, aNLRC, aMWC}

// targetsFor is which systems have RTO/RPO targets in the sample: named
// systems of grade 1 and 2 at the grade's minimum, except targetsMissing;
// named systems of the ministry's own agencies at every grade; nothing for
// generic systems. A named system's own target (a looser one the data
// quality report must flag) wins.
func targetsFor(agency string, n *namedSystem, grade int) *target {
	switch {
	case n == nil:
		return nil
	case n.target != nil:
		return n.target
	case slices.Contains(targetsMissing, agency):
		return nil
	case grade == 1 || grade == 2 || (grade != gradeNone && slices.Contains(targetsForAllGrades, agency)):
		t := gradeMinimum[grade]
		return &t
	}
	return nil
}

// Backup and offsite intervals the plan's check criteria name (3-1): full
// weekly, incremental daily; replication daily, tapes weekly.
const (
	fullWeekly = inventory.Minutes(7 * 24 * 60)
	incrDaily  = inventory.Minutes(24 * 60)
)

func offsiteInterval(method string) inventory.Minutes {
	if method == offsiteReplication {
		return incrDaily
	}
	return fullWeekly
}

// planned is one system before it is written: its record, with facilities
// still named, and whether the plan names it.
type planned struct {
	agency     string
	facility   string
	drFacility string
	named      *namedSystem
	order      int // definition order within the agency, for stable ranking
	sys        inventory.System
}

func (p *planned) generic() bool { return p.named == nil }

// strength orders systems from the most to the least important: grade 1
// first and 미부여 last, named before generic, then as defined.
func strength(list []*planned) {
	rank := func(g int) int {
		if g == gradeNone {
			return 5
		}
		return g
	}
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if rank(a.sys.Grade) != rank(b.sys.Grade) {
			return rank(a.sys.Grade) < rank(b.sys.Grade)
		}
		if a.generic() != b.generic() {
			return !a.generic()
		}
		return a.order < b.order
	})
}

// gradeTargets is how many systems of each grade an agency has in the
// records: the grade table as printed, corrected by gradeResolutions, with
// grade 4 the rest of the agency's total in the facility table.
func gradeTargets(agency string, total int) (map[int]int, error) {
	counts := map[int]int{}
	for g, n := range gradeTable[agency] {
		counts[g] = n
	}
	for g, n := range gradeResolutions[agency] {
		counts[g] = n
	}
	listed := 0
	for _, g := range []int{1, 2, 3, gradeNone} {
		listed += counts[g]
	}
	if listed > total {
		return nil, fmt.Errorf("sampledata: %s lists %d graded systems of %d", agency, listed, total)
	}
	counts[4] = total - listed
	return counts, nil
}

// planAgency builds one agency's systems: the named ones where the plan
// puts them, then generic ones filling the remaining grade counts into the
// remaining facility slots, facilities in the plan's order and grades from
// the highest. Systems are returned strongest first.
func planAgency(agency, agencyName string) ([]*planned, error) {
	var slots []placement
	total := 0
	for _, p := range facilityPlacements {
		if p.agency == agency {
			slots = append(slots, p)
			total += p.count
		}
	}
	grades, err := gradeTargets(agency, total)
	if err != nil {
		return nil, err
	}
	free := map[string]int{}
	for _, p := range slots {
		free[p.facility] = p.count
	}
	var list []*planned
	for i := range namedSystems {
		n := &namedSystems[i]
		if n.agency != agency {
			continue
		}
		if free[n.facility] == 0 {
			return nil, fmt.Errorf("sampledata: %s %s: no free place in %s", agency, n.name, n.facility)
		}
		free[n.facility]--
		grades[n.grade]--
		list = append(list, &planned{agency: agency, facility: n.facility, named: n, order: len(list),
			sys: inventory.System{Name: n.name, Grade: n.grade}})
	}
	var genericGrades []int
	for _, g := range []int{1, 2, 3, 4, gradeNone} {
		if grades[g] < 0 {
			return nil, fmt.Errorf("sampledata: %s names more grade-%d systems than it has", agency, g)
		}
		for range grades[g] {
			genericGrades = append(genericGrades, g)
		}
	}
	for _, p := range slots {
		for range free[p.facility] {
			if len(genericGrades) == 0 {
				return nil, fmt.Errorf("sampledata: %s: more places than systems", agency)
			}
			list = append(list, &planned{agency: agency, facility: p.facility, order: len(list),
				sys: inventory.System{Grade: genericGrades[0]}})
			genericGrades = genericGrades[1:]
		}
	}
	if len(genericGrades) != 0 {
		return nil, fmt.Errorf("sampledata: %s: %d systems without a place", agency, len(genericGrades))
	}
	strength(list)
	number := 0
	for _, p := range list {
		if p.generic() {
			number++
			p.sys.Name = fmt.Sprintf("%s 업무시스템 %02d", agencyName, number)
		}
	}
	return list, nil
}

// describe fills what a record says about itself: where it comes from, what
// it does, and its targets.
func describe(p *planned) {
	s := &p.sys
	s.Sample = p.generic()
	if p.generic() {
		s.Description = "계획서에 개수만 있는 시스템을 채운 표본 항목"
	} else {
		s.Description = "계획서에 이름이 있는 시스템"
		if p.named.note != "" {
			s.Description += "\n" + p.named.note
		}
		s.CriticalFunctions = p.named.critical
		s.ManualFallback = p.named.fallback
	}
	if t := targetsFor(p.agency, p.named, s.Grade); t != nil {
		rto, rpo := t.rto, t.rpo
		s.RTODisaster, s.RPODisaster = &rto, &rpo
		s.RTOFailure, s.RPOFailure = &rto, &rpo
	}
}

// surveyed is the rule for the written survey's coverage: the 15 systems it
// did not cover (212 − 197) are those the plan neither names nor grades —
// 13 of 안전보건공단's and 2 of 기술교육대's ungraded systems.
func surveyed(p *planned) bool { return !(p.generic() && p.sys.Grade == gradeNone) }

// applySurvey sets the survey answers of an agency's systems (strongest
// first) from its profile. Systems the survey did not cover keep every
// answer unknown.
func applySurvey(list []*planned, profile surveyProfile) error {
	var covered []*planned
	for _, p := range list {
		if p.sys.Surveyed = surveyed(p); p.sys.Surveyed {
			covered = append(covered, p)
		}
	}
	if profile.noOffsite < profile.noBackup {
		return fmt.Errorf("sampledata: offsite copies without backup")
	}
	weakest := func(n int, forced func(*planned) bool) (map[*planned]bool, error) {
		set := map[*planned]bool{}
		for _, p := range covered {
			if forced != nil && forced(p) {
				set[p] = true
			}
		}
		for i := len(covered) - 1; i >= 0 && len(set) < n; i-- {
			set[covered[i]] = true
		}
		if len(set) != n {
			return nil, fmt.Errorf("sampledata: wanted %d systems, have %d", n, len(set))
		}
		return set, nil
	}
	noManual, err := weakest(profile.noManual, nil)
	if err != nil {
		return err
	}
	noRedundancy, err := weakest(profile.noRedundancy, func(p *planned) bool { return p.named != nil && p.named.noRedundancy })
	if err != nil {
		return err
	}
	noBackup, err := weakest(profile.noBackup, nil)
	if err != nil {
		return err
	}
	noOffsite, err := weakest(profile.noOffsite, nil)
	if err != nil {
		return err
	}
	for _, p := range covered {
		s := &p.sys
		s.Manual = yes
		if noManual[p] {
			s.Manual = no
		}
		s.Redundancy = redundancy(!noRedundancy[p], s.Grade)
		full, incr := fullWeekly, incrDaily
		if noBackup[p] {
			full, incr = 0, 0
		}
		s.BackupFullEvery, s.BackupIncrEvery = &full, &incr
		method, every := profile.offsite, offsiteInterval(profile.offsite)
		if noOffsite[p] {
			method, every = no, 0
		}
		s.OffsiteMethod, s.OffsiteEvery = method, &every
		s.DRPerformance = no
		switch {
		case p.facility == fNIRS:
			s.DRNote = "재해복구시스템 없음: 국정자원 화재('25.9.26.)로 중단 (I. 현황)"
		case s.Grade == 1:
			s.DRNote = "재해복구시스템 없음: 1등급 7개 중 고용24만 도입 (I-1 서면조사)"
		}
	}
	for _, r := range profile.dr {
		given := 0
		for _, p := range covered {
			if given == r.n {
				break
			}
			if p.sys.DRPerformance != no || (r.facility != "" && p.facility != r.facility) ||
				(len(r.grades) > 0 && !slices.Contains(r.grades, p.sys.Grade)) {
				continue
			}
			p.sys.DRPerformance, p.drFacility, p.sys.DRNote = r.performance, r.drFacility, r.note
			given++
		}
		if given != r.n {
			return fmt.Errorf("sampledata: DR rule wants %d systems, found %d", r.n, given)
		}
	}
	return nil
}

// redundancy is a surveyed system's answer per layer: all of power,
// network, WEB, WAS and DB redundant or none; storage too for grades 1–2.
func redundancy(redundant bool, grade int) map[string]string {
	layers := map[string]string{}
	for _, l := range inventory.Layers {
		layers[l] = no
		if redundant && (l != "storage" || grade == 1 || grade == 2) {
			layers[l] = yes
		}
	}
	return layers
}
