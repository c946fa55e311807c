package quality_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"yeonsok/internal/access"
	"yeonsok/internal/inventory"
	"yeonsok/internal/quality"
	"yeonsok/internal/sampledata"
	"yeonsok/internal/testdb"
)

// The plan contradicts itself, and docs/sample-data.md §9 lists where; the
// report on the sample dataset must find exactly those contradictions, no
// more and no fewer.
func TestSampleDataFindsThePlansContradictions(t *testing.T) {
	ctx := context.Background()
	db := testdb.SQLite(t)
	store := inventory.NewStore(db)
	if err := sampledata.Load(ctx, db); err != nil {
		t.Fatal(err)
	}
	inv, err := store.Load(ctx, access.All())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range quality.Check(inv) {
		if f.Code != quality.DeclaredMismatch && f.Code != quality.DeclaredDisagrees {
			continue
		}
		args := make([]string, len(f.Args))
		for i, a := range f.Args {
			args[i] = fmt.Sprint(a)
		}
		got = append(got, f.Code+" | "+f.Subject.Name+" | "+strings.Join(args, " | "))
	}
	want := []string{
		// Declared figure against the records (code | agency | source | metric | declared | records).
		"declared_mismatch | 한국기술교육대학교 | I-1 기관별 현황표 | metric.systems | 28 | 27",
		"declared_mismatch | 한국기술교육대학교 | I-1 기관별 현황표 | metric.facilities | 2 | 1",
		"declared_mismatch | 한국산업인력공단 | I-1 기관별 현황표 | metric.facilities | 1 | 2",
		"declared_mismatch | 한국장애인고용공단 | I-1 기관별 현황표 | metric.facilities | 1 | 2",
		"declared_mismatch | 한국기술교육대학교 | 참고 3 시스템 현황 | metric.grade_none | 5 | 4",
		"declared_mismatch |  | 참고 3 시스템 현황 | metric.grade4_share_pct | 45 | 42.5",
		// Parts against wholes (code | agency | source of the whole | metric | whole | source of the parts | sum).
		// The agency table adds up to 213 against the 212 of both I-1 and 참고 3.
		"declared_tables_disagree |  | I-1 개요 | metric.systems | 212 | I-1 기관별 현황표 | 213",
		"declared_tables_disagree |  | 참고 3 시스템 현황 | metric.systems | 212 | I-1 기관별 현황표 | 213",
		// 기술교육대: agency table 28, facility table 27 (+0).
		"declared_tables_disagree | 한국기술교육대학교 | I-1 기관별 현황표 | metric.systems | 28 | 참고 3 시설 현황 | 27",
		// The 미부여 list adds up to 24 against the 23 of I-1 and of its own heading.
		"declared_tables_disagree |  | I-1 개요 | metric.grade_none | 23 | 참고 3 시스템 현황 | 24",
		"declared_tables_disagree |  | 참고 3 시스템 현황 | metric.grade_none | 23 | 참고 3 시스템 현황 | 24",
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("declared findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
