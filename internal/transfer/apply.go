package transfer

import (
	"context"
	"slices"

	"yeonsok/internal/inventory"
)

// apply writes the plan through the store's transaction: adds and changes
// in sheet order (agencies first), then removals in reverse (dependencies
// first), so every reference exists when it is written and nothing is
// removed while still referred to.
func (p *planState) apply(ctx context.Context, tx *inventory.Tx) error {
	ids := map[int64]int64{} // provisional → stored
	real := func(id int64) int64 {
		if id < 0 {
			return ids[id]
		}
		return id
	}
	realPtr := func(id *int64) *int64 {
		if id == nil || *id > 0 {
			return id
		}
		r := ids[*id]
		return &r
	}

	// Agencies. A parent added later in the sheet is set once it exists.
	type pending struct {
		e      *entry[inventory.Agency]
		parent int64
	}
	var later []pending
	for _, e := range p.agencies.entries {
		action := e.action()
		if action == "" {
			continue
		}
		a := e.rec
		if a.ParentID != nil && *a.ParentID < 0 {
			if r, ok := ids[*a.ParentID]; ok {
				a.ParentID = &r
			} else {
				later = append(later, pending{e, *a.ParentID})
				a.ParentID = nil
			}
		}
		var err error
		if action == ActionAdd {
			prov := a.ID
			a.ID = 0
			err = tx.CreateAgency(ctx, a)
			ids[prov] = a.ID
		} else {
			err = tx.UpdateAgency(ctx, a)
		}
		if err != nil {
			return problemFromWrite(p.agencies, e.row, err)
		}
	}
	for _, l := range later {
		parent := ids[l.parent]
		l.e.rec.ParentID = &parent
		if err := tx.UpdateAgency(ctx, l.e.rec); err != nil {
			return problemFromWrite(p.agencies, l.e.row, err)
		}
	}

	for _, e := range p.facilities.entries {
		var err error
		switch e.action() {
		case ActionAdd:
			prov := e.rec.ID
			e.rec.ID = 0
			err = tx.CreateFacility(ctx, e.rec)
			ids[prov] = e.rec.ID
		case ActionChange:
			err = tx.UpdateFacility(ctx, e.rec)
		}
		if err != nil {
			return problemFromWrite(p.facilities, e.row, err)
		}
	}

	for _, e := range p.systems.entries {
		s := e.rec
		action := e.action()
		if action == "" {
			continue
		}
		s.AgencyID = real(s.AgencyID)
		s.PrimaryFacilityID, s.DRFacilityID = realPtr(s.PrimaryFacilityID), realPtr(s.DRFacilityID)
		var err error
		if action == ActionAdd {
			prov := s.ID
			s.ID = 0
			err = tx.CreateSystem(ctx, s)
			ids[prov] = s.ID
		} else {
			err = tx.UpdateSystem(ctx, s)
		}
		if err != nil {
			return problemFromWrite(p.systems, e.row, err)
		}
	}

	for _, e := range p.services.entries {
		s := e.rec
		action := e.action()
		if action == "" {
			continue
		}
		s.AgencyID = real(s.AgencyID)
		for i, id := range s.SystemIDs {
			s.SystemIDs[i] = real(id)
		}
		var err error
		if action == ActionAdd {
			s.ID = 0
			err = tx.CreateService(ctx, s)
		} else {
			err = tx.UpdateService(ctx, s)
		}
		if err != nil {
			return problemFromWrite(p.services, e.row, err)
		}
	}

	for _, e := range p.dependencies.entries {
		d := e.rec
		action := e.action()
		if action == "" {
			continue
		}
		var err error
		if action == ActionAdd {
			d.ID = 0
			d.FromSystemID, d.ToSystemID = real(d.FromSystemID), real(d.ToSystemID)
			err = tx.CreateDependency(ctx, d)
		} else {
			err = tx.UpdateDependency(ctx, d)
		}
		if err != nil {
			return problemFromWrite(p.dependencies, e.row, err)
		}
	}

	for _, r := range p.dependencies.removed {
		if err := tx.DeleteDependency(ctx, r.rec.ID); err != nil {
			return problemFromWrite(p.dependencies, 0, err)
		}
	}
	for _, r := range p.services.removed {
		if err := tx.DeleteService(ctx, r.rec.ID); err != nil {
			return problemFromWrite(p.services, 0, err)
		}
	}
	for _, r := range p.systems.removed {
		if err := tx.DeleteSystem(ctx, r.rec.ID); err != nil {
			return problemFromWrite(p.systems, 0, err)
		}
	}
	for _, r := range p.facilities.removed {
		if err := tx.DeleteFacility(ctx, r.rec.ID); err != nil {
			return problemFromWrite(p.facilities, 0, err)
		}
	}
	// An agency goes after the removed agencies under it.
	left := slices.Clone(p.agencies.removed)
	for len(left) > 0 {
		progressed := false
		for i := 0; i < len(left); i++ {
			id := left[i].rec.ID
			isParent := slices.ContainsFunc(left, func(o *removal[inventory.Agency]) bool {
				return o.rec.ParentID != nil && *o.rec.ParentID == id
			})
			if isParent {
				continue
			}
			if err := tx.DeleteAgency(ctx, id); err != nil {
				return problemFromWrite(p.agencies, 0, err)
			}
			left = slices.Delete(left, i, i+1)
			i--
			progressed = true
		}
		if !progressed { // a cycle among removed agencies: break it first
			a := *left[0].rec
			a.ParentID = nil
			if err := tx.UpdateAgency(ctx, &a); err != nil {
				return problemFromWrite(p.agencies, 0, err)
			}
			left[0] = &removal[inventory.Agency]{rec: &a, label: left[0].label}
		}
	}
	return nil
}
