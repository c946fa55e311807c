// Package inventorytest makes a synthetic inventory of any size, for
// benchmarks at whole-of-government scale.
package inventorytest

import (
	"context"
	"fmt"

	"yeonsok/internal/access"
	"yeonsok/internal/inventory"
)

// Generate makes agencies, facilities and n systems spread over them, with
// every field a real record has (grades, placements, DR, redundancy, backup
// policy, targets, owners, endpoints). It is deterministic, so that runs
// compare; ids are numbered from 1 in each kind.
func Generate(agencies, facilities, n int) *inventory.Inventory {
	inv := &inventory.Inventory{}
	root := int64(1)
	for i := range agencies {
		a := &inventory.Agency{ID: int64(i + 1), Name: fmt.Sprintf("기관 %02d", i+1), ShortName: fmt.Sprintf("A%02d", i+1)}
		if i > 0 {
			a.ParentID = &root
		}
		inv.Agencies = append(inv.Agencies, a)
	}
	for i := range facilities {
		inv.Facilities = append(inv.Facilities, &inventory.Facility{ID: int64(i + 1), Name: fmt.Sprintf("시설 %02d", i+1),
			Operator: inventory.Operators[i%3], Region: "대전",
			Conditions: map[string]string{"ups": inventory.Yes, "ups_in_server_room": []string{inventory.Yes, inventory.No}[i%2]}})
	}
	minutes := func(m inventory.Minutes) *inventory.Minutes { return &m }
	for i := range n {
		primary := int64(i%facilities + 1)
		s := &inventory.System{
			ID:                int64(i + 1),
			AgencyID:          int64(i%agencies + 1),
			Name:              fmt.Sprintf("시스템 %05d", i+1),
			Grade:             []int{1, 2, 3, 3, 4, 4, 4, 0}[i%8],
			PrimaryFacilityID: &primary,
			Description:       "합성 시스템 (성능 측정용)",
			Redundancy:        map[string]string{"power": inventory.Yes, "web": inventory.Yes, "db": []string{inventory.Yes, inventory.No}[i%2]},
			BackupFullEvery:   minutes(10080),
			BackupIncrEvery:   minutes(1440),
			OffsiteMethod:     []string{"replication", "tape_staff", inventory.No}[i%3],
			OffsiteEvery:      minutes(10080),
			Manual:            inventory.Yes,
			Surveyed:          i%10 != 0,
			OwnerPrimary:      "홍길동",
			Vendor:            "예시(주)",
			Endpoints:         []inventory.Endpoint{{Target: fmt.Sprintf("https://sys%05d.example.go.kr/health", i+1)}},
		}
		if i%4 == 0 {
			dr := int64((i+1)%facilities + 1)
			s.DRFacilityID, s.DRPerformance = &dr, []string{inventory.DRPartial, inventory.DRSimilar}[i%2]
		}
		if i%5 != 0 {
			s.RTODisaster, s.RPODisaster, s.RTOFailure, s.RPOFailure = minutes(120), minutes(60), minutes(60), minutes(30)
		}
		inv.Systems = append(inv.Systems, s)
	}
	return inv
}

// Populate writes a generated inventory into the store in one transaction.
func Populate(ctx context.Context, store *inventory.Store, agencies, facilities, n int) error {
	inv := Generate(agencies, facilities, n)
	return store.Update(ctx, access.All(), func(tx *inventory.Tx) error {
		agencyID := map[int64]int64{}
		for _, a := range inv.Agencies {
			if a.ParentID != nil {
				parent := agencyID[*a.ParentID]
				a.ParentID = &parent
			}
			old := a.ID
			if err := tx.CreateAgency(ctx, a); err != nil {
				return err
			}
			agencyID[old] = a.ID
		}
		facilityID := map[int64]int64{}
		for _, f := range inv.Facilities {
			old := f.ID
			if err := tx.CreateFacility(ctx, f); err != nil {
				return err
			}
			facilityID[old] = f.ID
		}
		for _, s := range inv.Systems {
			s.AgencyID = agencyID[s.AgencyID]
			for _, p := range []**int64{&s.PrimaryFacilityID, &s.DRFacilityID} {
				if *p != nil {
					id := facilityID[**p]
					*p = &id
				}
			}
			if err := tx.CreateSystem(ctx, s); err != nil {
				return fmt.Errorf("inventorytest: %s: %w", s.Name, err)
			}
		}
		return nil
	})
}
