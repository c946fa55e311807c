package grading

import (
	"testing"

	"yeonsok/internal/inventory"
)

func score(v float64) *float64 { return &v }

func TestGradeAtTheCutoffs(t *testing.T) {
	scenarios := []struct {
		total float64
		grade int
	}{
		{100, 1}, {90, 1}, {89.9, 2}, {85, 2}, {84.99, 3}, {80, 3}, {79.9, 4}, {0, 4},
	}
	for _, s := range scenarios {
		if got := Published.Grade(s.total); got != s.grade {
			t.Errorf("total %v: grade %d, want %d", s.total, got, s.grade)
		}
	}
	own := Cutoffs{Grade1: 80, Grade2: 70, Grade3: 60}
	if own.Grade(75) != 2 || own.Grade(59) != 4 {
		t.Errorf("own cut-offs: 75 → %d, 59 → %d", own.Grade(75), own.Grade(59))
	}
}

func TestCutoffsCheck(t *testing.T) {
	for _, c := range []Cutoffs{{90, 90, 80}, {101, 85, 80}, {90, 85, 0}, {80, 85, 90}} {
		if c.Check() == nil {
			t.Errorf("%v accepted", c)
		}
	}
	if err := Published.Check(); err != nil {
		t.Fatal(err)
	}
}

// The plan's own proposals: 노사누리 2 → 1 when its scores reach 90; a
// system with part of its scores has no proposal.
func TestPropose(t *testing.T) {
	systems := []*inventory.System{
		{ID: 1, Name: "노사누리", Grade: 2, ScoreImpact: score(38), ScoreUsers: score(45), ScoreSpread: score(8)},
		{ID: 2, Name: "고용24", Grade: 1, ScoreImpact: score(40), ScoreUsers: score(50), ScoreSpread: score(10)},
		{ID: 3, Name: "노사마루", Grade: 4, ScoreImpact: score(30), ScoreUsers: score(45)},
		{ID: 4, Name: "판로플랫폼", ScoreImpact: score(30), ScoreUsers: score(40), ScoreSpread: score(5)},
	}
	got := Published.Propose(systems)
	want := []struct {
		proposed int
		differs  bool
	}{{1, true}, {1, false}, {0, false}, {4, true}}
	for i, w := range want {
		if got[i].Proposed != w.proposed || got[i].Differs() != w.differs {
			t.Errorf("%s: proposed %d (differs %v), want %d (%v)", systems[i].Name, got[i].Proposed, got[i].Differs(), w.proposed, w.differs)
		}
	}
	if got[0].Total != 91 {
		t.Errorf("노사누리 total %v, want 91", got[0].Total)
	}
}
