package sampledata_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/database"
	"yeonsok/internal/grading"
)

// checkProposals: the plan's four grade changes (1-1 등급 조정) wait for the
// ministry's decision — 노사누리 2→1 and 노사마루 4→2 upwards, and the
// downward reviews of two grade-1 systems — and nothing else.
func checkProposals(t *testing.T, db *database.DB) {
	list, err := grading.NewStore(db).Proposals(context.Background(), access.All(), grading.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range list {
		if p.Status != grading.Pending || strings.TrimSpace(p.Reason) == "" {
			t.Errorf("%s: %s, reason %q", p.SystemName, p.Status, p.Reason)
		}
		got = append(got, fmt.Sprintf("%s %d→%d", p.SystemName, p.FromGrade, p.ToGrade))
		if p.FromGrade == 1 && !strings.HasPrefix(p.Reason, "중요도에 비해 높은 등급 — 하향 검토") {
			t.Errorf("%s: reason %q is not the plan's", p.SystemName, p.Reason)
		}
	}
	slices.Sort(got)
	want := []string{"노사누리 2→1", "노사마루 4→2", "산재보험 진료비 약제비 EDI 1→2", "장애인고용업무시스템 1→2"}
	if !slices.Equal(got, want) {
		t.Errorf("proposals %q, want %q", got, want)
	}
}
