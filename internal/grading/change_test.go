package grading

import (
	"strings"
	"testing"

	"yeonsok/internal/apperror"
	"yeonsok/internal/locale"
)

func TestChangeProposalCheck(t *testing.T) {
	long := strings.Repeat("가", maxText+1)
	scenarios := []struct {
		name     string
		p        ChangeProposal
		problems []string // field:key, in order
	}{
		{"upgrade", ChangeProposal{FromGrade: 2, ToGrade: 1, Reason: "중요도에 비해 낮은 등급"}, nil},
		{"first grade for a system without one", ChangeProposal{FromGrade: 0, ToGrade: 3, Reason: "신규 등급 부여"}, nil},
		{"same grade", ChangeProposal{FromGrade: 2, ToGrade: 2, Reason: "x"}, []string{"to_grade:grades.invalid.same_grade"}},
		{"no grade proposed", ChangeProposal{FromGrade: 0, ToGrade: 0, Reason: "x"}, []string{"to_grade:grades.invalid.to_grade"}},
		{"grade 5", ChangeProposal{FromGrade: 4, ToGrade: 5, Reason: "x"}, []string{"to_grade:grades.invalid.to_grade"}},
		{"blank reason", ChangeProposal{FromGrade: 4, ToGrade: 2, Reason: " \n "}, []string{"reason:invalid.required"}},
		{"reason too long", ChangeProposal{FromGrade: 4, ToGrade: 2, Reason: long}, []string{"reason:invalid.too_long"}},
		{"everything wrong at once", ChangeProposal{FromGrade: 1, ToGrade: -1}, []string{"to_grade:grades.invalid.to_grade", "reason:invalid.required"}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			var got []string
			for _, p := range s.p.Check() {
				got = append(got, p.Field+":"+p.Key)
				if !locale.Has(p.Key) {
					t.Errorf("message %q is not in the catalogue", p.Key)
				}
			}
			if strings.Join(got, " ") != strings.Join(s.problems, " ") {
				t.Errorf("problems %v, want %v", got, s.problems)
			}
		})
	}
}

func TestChangeProposalCheckDecision(t *testing.T) {
	scenarios := []struct {
		name   string
		status string // the proposal's
		to     string // the decision
		note   string
		code   string // "" when allowed
		field  string
	}{
		{"approve without a note", Pending, Approved, "", "", ""},
		{"approve with a note", Pending, Approved, "행안부 협의 완료", "", ""},
		{"reject with a note", Pending, Rejected, "점수 근거 부족", "", ""},
		{"reject without a note", Pending, Rejected, "  ", apperror.Invalid, "decision_note"},
		{"withdraw", Pending, Withdrawn, "", "", ""},
		{"note too long", Pending, Approved, strings.Repeat("a", maxText+1), apperror.Invalid, "decision_note"},
		{"approve an approved one", Approved, Approved, "", apperror.Conflict, ""},
		{"reject a withdrawn one", Withdrawn, Rejected, "늦음", apperror.Conflict, ""},
		{"withdraw a rejected one", Rejected, Withdrawn, "", apperror.Conflict, ""},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			p := &ChangeProposal{Status: s.status, FromGrade: 2, ToGrade: 1}
			err := p.checkDecision(s.to, s.note)
			if s.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e, ok := apperror.As(err)
			if !ok || e.Code != s.code || e.Field != s.field || !locale.Has(e.Key) {
				t.Fatalf("got %v (%+v), want %s on %q in the catalogue's words", err, e, s.code, s.field)
			}
		})
	}
}

// A proposal approves only against the grade it was made against.
func TestChangeProposalCheckStill(t *testing.T) {
	scenarios := []struct {
		from, current int
		stale         bool
	}{
		{2, 2, false}, {0, 0, false}, {2, 3, true}, {2, 0, true}, {0, 4, true},
	}
	for _, s := range scenarios {
		p := &ChangeProposal{FromGrade: s.from, ToGrade: 1}
		err := p.checkStill(s.current)
		if (err != nil) != s.stale || (err != nil && apperror.CodeOf(err) != apperror.Conflict) {
			t.Errorf("made against %d, now %d: %v, want stale %v", s.from, s.current, err, s.stale)
		}
	}
}
