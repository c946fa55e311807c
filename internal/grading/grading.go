// Package grading is the national grading scheme the plan uses (1-1
// 핵심기능 정의): business impact 40 points, users 50, service spread 10,
// added up out of 100 and cut into grades 1 to 4. The published cut-offs
// are the default; the sub-scales are not public, so a ministry may set
// its own cut-offs.
package grading

import (
	"fmt"

	"yeonsok/internal/inventory"
)

// Maximum points of each part of the score.
const (
	MaxImpact = 40
	MaxUsers  = 50
	MaxSpread = 10
)

// Cutoffs are the lowest total scores of grades 1, 2 and 3; anything below
// Grade3 is grade 4.
type Cutoffs struct {
	Grade1, Grade2, Grade3 float64
}

// Published are the cut-offs the national scheme publishes: 90, 85, 80.
var Published = Cutoffs{Grade1: 90, Grade2: 85, Grade3: 80}

// Check refuses cut-offs that are out of range or out of order.
func (c Cutoffs) Check() error {
	if !(c.Grade1 <= 100 && c.Grade1 > c.Grade2 && c.Grade2 > c.Grade3 && c.Grade3 > 0) {
		return fmt.Errorf("grading: cut-offs must fall from grade 1 to grade 3 within 0-100, got %v/%v/%v", c.Grade1, c.Grade2, c.Grade3)
	}
	return nil
}

// Total adds the three parts of a score; ok is false when any part is
// missing, since a grade from part of the evidence would mislead.
func Total(impact, users, spread *float64) (total float64, ok bool) {
	if impact == nil || users == nil || spread == nil {
		return 0, false
	}
	return *impact + *users + *spread, true
}

// Grade is the grade a total score earns.
func (c Cutoffs) Grade(total float64) int {
	switch {
	case total >= c.Grade1:
		return 1
	case total >= c.Grade2:
		return 2
	case total >= c.Grade3:
		return 3
	}
	return 4
}

// Proposal is what the scores say of a system's grade.
type Proposal struct {
	SystemID int64
	Recorded int // 0 when none is recorded (미부여)
	// Proposed is the grade the scores earn; 0 when the scores are incomplete.
	Proposed int
	Total    float64
}

// Differs reports whether the scores earn another grade than the recorded
// one: the mismatch the grading page lists.
func (p Proposal) Differs() bool { return p.Proposed != 0 && p.Proposed != p.Recorded }

// Propose computes the grade each system's scores earn.
func (c Cutoffs) Propose(systems []*inventory.System) []Proposal {
	list := make([]Proposal, 0, len(systems))
	for _, s := range systems {
		p := Proposal{SystemID: s.ID, Recorded: s.Grade}
		if total, ok := Total(s.ScoreImpact, s.ScoreUsers, s.ScoreSpread); ok {
			p.Total, p.Proposed = total, c.Grade(total)
		}
		list = append(list, p)
	}
	return list
}
