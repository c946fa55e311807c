package sampledata

import (
	"context"
	"fmt"

	"yeonsok/internal/access"
	"yeonsok/internal/database"
	"yeonsok/internal/grading"
	"yeonsok/internal/inventory"
)

// proposalRow is a grade change the plan proposes (1-1 등급 조정), loaded as
// a pending proposal for the ministry to decide.
type proposalRow struct {
	system systemRef
	to     int
	reason string
}

// downward is the plan's reason for its two downward reviews.
const downward = "중요도에 비해 높은 등급 — 하향 검토"

// proposalTable: 노사누리 2→1 and 노사마루 4→2 upwards; 장애인고용업무시스템
// and 산재보험 진료비 약제비 EDI, both grade 1, reviewed downwards. The plan
// names no grade for the reviews; grade 2 is ours (docs/sample-data.md).
var proposalTable = []proposalRow{
	{systemRef{aMOEL, "노사누리"}, 1, "중요도에 비해 낮은 등급 — 상향 추진 (행안부 협의)"},
	{systemRef{aNLRC, "노사마루"}, 2, "중요도에 비해 낮은 등급 — 상향 추진 (행안부 협의)"},
	{systemRef{aKEAD, "장애인고용업무시스템"}, 2, downward + "\n장애인고용공단 업무처리를 위한 내부 시스템(직원용)"},
	{systemRef{aCOMWEL, "산재보험 진료비 약제비 EDI"}, 2, downward + "\n산재보험급여 신청을 위한 시스템으로 전체 국민 대상으로 보기 어려움"},
}

// loadProposals proposes the plan's grade changes, finding each system by
// its agency's short name and its own name.
func loadProposals(ctx context.Context, db *database.DB) error {
	inv, grades := inventory.NewStore(db), grading.NewStore(db)
	agencies, err := inv.Agencies(ctx, access.All())
	if err != nil {
		return err
	}
	for _, row := range proposalTable {
		id, err := findSystem(ctx, inv, agencies, row.system)
		if err != nil {
			return err
		}
		p := &grading.ChangeProposal{SystemID: id, ToGrade: row.to, Reason: row.reason}
		if err := grades.Propose(ctx, access.All(), p); err != nil {
			return fmt.Errorf("sampledata: grade proposal for %s: %w", row.system.name, err)
		}
	}
	return nil
}

// findSystem is the id of the system ref names.
func findSystem(ctx context.Context, inv *inventory.Store, agencies []*inventory.Agency, ref systemRef) (int64, error) {
	for _, a := range agencies {
		if a.ShortName != ref.agency {
			continue
		}
		systems, err := inv.Systems(ctx, access.All(), inventory.SystemFilter{AgencyID: a.ID})
		if err != nil {
			return 0, err
		}
		for _, s := range systems {
			if s.Name == ref.name {
				return s.ID, nil
			}
		}
	}
	return 0, fmt.Errorf("sampledata: no system %s %s", ref.agency, ref.name)
}
