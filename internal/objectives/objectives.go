// Package objectives holds the plan's recovery objectives (1-3 대응목표
// 수립): every system must have an RTO and an RPO, no looser than its
// grade's minimum standard, and no looser than the strictest target of the
// services it supports. It also holds the national SLA's availability
// targets. Everything here is a pure function of the records.
package objectives

import "yeonsok/internal/inventory"

// Standard is the minimum a grade demands: a system's target may be
// stricter (shorter), never looser.
type Standard struct {
	RTO, RPO inventory.Minutes
}

// Minimums is the plan's "장애 시 정보시스템 등급별 대응목표 최소기준(안)".
var Minimums = map[int]Standard{
	1: {RTO: inventory.Hours(2), RPO: inventory.Hours(1)},
	2: {RTO: inventory.Hours(3), RPO: inventory.Hours(4)},
	3: {RTO: inventory.Hours(5), RPO: inventory.Hours(8)},
	4: {RTO: inventory.Hours(8), RPO: inventory.Hours(24)},
}

// Availability is the national SLA's availability target of a grade, in
// percent; ok is false for grades the SLA sets none for.
func Availability(grade int) (percent float64, ok bool) {
	switch grade {
	case 1:
		return 99.92, true
	case 2:
		return 99.90, true
	}
	return 0, false
}

// Violation codes.
const (
	Missing        = "target_missing"         // no target at all
	LooserThanRule = "target_looser_than_min" // looser than the grade's minimum
	LooserThanUse  = "target_looser_than_service"
)

// Violation is one target that breaks a rule.
type Violation struct {
	Code string
	// Target is "rto" or "rpo" (the disaster targets).
	Target string
	Have   *inventory.Minutes
	// Want is the loosest value allowed: the grade's minimum or the
	// strictest supporting service's target.
	Want inventory.Minutes
	// ServiceID is the service whose target the system fails; 0 for the
	// grade's minimum.
	ServiceID int64
}

// Strictest is the strictest target of the services a system supports:
// a system inherits the shortest RTO and RPO among them.
type Strictest struct {
	RTO, RPO               *inventory.Minutes
	RTOService, RPOService int64
}

// Inherited finds, for each system, the strictest targets of the services
// it supports.
func Inherited(services []*inventory.Service) map[int64]Strictest {
	out := map[int64]Strictest{}
	for _, svc := range services {
		for _, id := range svc.SystemIDs {
			s := out[id]
			if svc.RTO != nil && (s.RTO == nil || *svc.RTO < *s.RTO) {
				s.RTO, s.RTOService = svc.RTO, svc.ID
			}
			if svc.RPO != nil && (s.RPO == nil || *svc.RPO < *s.RPO) {
				s.RPO, s.RPOService = svc.RPO, svc.ID
			}
			out[id] = s
		}
	}
	return out
}

// Check lists what is wrong with a system's disaster targets: missing, looser
// than its grade's minimum, or looser than a service it supports needs.
func Check(s *inventory.System, inherited Strictest) []Violation {
	var found []Violation
	minimum, graded := Minimums[s.Grade]
	for _, t := range []struct {
		name      string
		have      *inventory.Minutes
		min       inventory.Minutes
		service   *inventory.Minutes
		serviceID int64
	}{
		{"rto", s.RTODisaster, minimum.RTO, inherited.RTO, inherited.RTOService},
		{"rpo", s.RPODisaster, minimum.RPO, inherited.RPO, inherited.RPOService},
	} {
		if t.have == nil {
			v := Violation{Code: Missing, Target: t.name}
			if graded {
				v.Want = t.min
			}
			found = append(found, v)
			continue
		}
		if graded && *t.have > t.min {
			found = append(found, Violation{Code: LooserThanRule, Target: t.name, Have: t.have, Want: t.min})
		}
		if t.service != nil && *t.have > *t.service {
			found = append(found, Violation{Code: LooserThanUse, Target: t.name, Have: t.have, Want: *t.service, ServiceID: t.serviceID})
		}
	}
	return found
}
