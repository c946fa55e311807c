// Package inventorytest fills a store with a synthetic inventory of any
// size, for benchmarks at whole-of-government scale.
package inventorytest

import (
	"context"
	"fmt"

	"yeonsok/internal/access"
	"yeonsok/internal/inventory"
)

// Populate adds agencies and facilities and n systems spread over them,
// with every field a real record has (grades, placements, DR, redundancy,
// backup policy, targets, endpoints), in one transaction.
func Populate(ctx context.Context, store *inventory.Store, agencies, facilities, n int) error {
	return store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
		agencyIDs := make([]int64, agencies)
		for i := range agencyIDs {
			a := &inventory.Agency{Name: fmt.Sprintf("기관 %02d", i+1), ShortName: fmt.Sprintf("A%02d", i+1)}
			if i > 0 {
				a.ParentID = &agencyIDs[0]
			}
			if err := tx.CreateAgency(ctx, a); err != nil {
				return err
			}
			agencyIDs[i] = a.ID
		}
		facilityIDs := make([]int64, facilities)
		for i := range facilityIDs {
			f := &inventory.Facility{Name: fmt.Sprintf("시설 %02d", i+1), Operator: inventory.Operators[i%3],
				Conditions: map[string]string{"ups": inventory.Yes, "ups_in_server_room": []string{inventory.Yes, inventory.No}[i%2]}}
			if err := tx.CreateFacility(ctx, f); err != nil {
				return err
			}
			facilityIDs[i] = f.ID
		}
		for i := 0; i < n; i++ {
			if err := tx.CreateSystem(ctx, System(i, agencyIDs, facilityIDs)); err != nil {
				return fmt.Errorf("inventorytest: system %d: %w", i, err)
			}
		}
		return nil
	})
}

// System is the i-th synthetic system: deterministic, so that runs compare.
func System(i int, agencyIDs, facilityIDs []int64) *inventory.System {
	minutes := func(m inventory.Minutes) *inventory.Minutes { return &m }
	grade := []int{1, 2, 3, 3, 4, 4, 4, 0}[i%8]
	primary := facilityIDs[i%len(facilityIDs)]
	s := &inventory.System{
		AgencyID:          agencyIDs[i%len(agencyIDs)],
		Name:              fmt.Sprintf("시스템 %05d", i+1),
		Grade:             grade,
		PrimaryFacilityID: &primary,
		Description:       "합성 시스템 (성능 측정용)",
		Redundancy:        map[string]string{"web": inventory.Yes, "db": []string{inventory.Yes, inventory.No}[i%2]},
		BackupFullEvery:   minutes(10080),
		BackupIncrEvery:   minutes(1440),
		OffsiteMethod:     []string{"replication", "tape_staff", inventory.No}[i%3],
		Manual:            inventory.Yes,
		Surveyed:          i%10 != 0,
		OwnerPrimary:      "담당자",
		Endpoints:         []inventory.Endpoint{{Target: fmt.Sprintf("https://sys%05d.example.go.kr/health", i+1)}},
	}
	if i%4 == 0 {
		dr := facilityIDs[(i+1)%len(facilityIDs)]
		s.DRFacilityID, s.DRPerformance = &dr, []string{inventory.DRPartial, inventory.DRSimilar}[i%2]
	}
	if i%5 != 0 {
		s.RTODisaster, s.RPODisaster = minutes(120), minutes(60)
	}
	return s
}
