// Package placement finds where the inventory puts too much in one place
// (SPEC §4.7, issue ⑦): facilities that concentrate grade-1/2 systems or
// the systems of several agencies, systems whose backup or offsite copy
// sits in the same facility as the primary (the failure that lost 858 TB
// in the NIRS fire), systems with a layer that is not redundant — and
// pairs of agencies that could host each other's DR (mutual.go). Every
// function is pure: it reads the inventory it is given, which for an agency
// user holds that agency's systems only.
package placement

import (
	"cmp"
	"slices"

	"yeonsok/internal/inventory"
)

// Concentration is what one facility holds as the primary site of systems.
type Concentration struct {
	FacilityID int64  `json:"facility_id"`
	Name       string `json:"name"`
	Systems    int    `json:"systems"`
	// ByGrade counts the systems by inventory.GradeKeys.
	ByGrade map[string]int `json:"by_grade"`
	Grade12 int            `json:"grade12"`
	// Agencies are the agencies with a primary system there, by id.
	Agencies []int64 `json:"agency_ids"`
	// DRHosted counts the systems whose DR site it is.
	DRHosted int `json:"dr_hosted"`
}

// Shared reports whether several agencies run systems in the facility.
func (c *Concentration) Shared() bool { return len(c.Agencies) > 1 }

// Concentrations lists the facilities that are the primary site of any
// grade-1/2 system or of several agencies' systems, heaviest first: by
// grade-1/2 systems, then agencies, then systems, then name. A facility
// that holds neither is left out: its loss stops no critical system and no
// second agency.
func Concentrations(inv *inventory.Inventory) []Concentration {
	byFacility := map[int64]*Concentration{}
	for _, f := range inv.Facilities {
		c := &Concentration{FacilityID: f.ID, Name: f.Name, ByGrade: map[string]int{}}
		for _, g := range inventory.GradeKeys {
			c.ByGrade[g] = 0
		}
		byFacility[f.ID] = c
	}
	for _, s := range inv.Systems {
		if s.DRFacilityID != nil && (s.PrimaryFacilityID == nil || *s.DRFacilityID != *s.PrimaryFacilityID) {
			if c := byFacility[*s.DRFacilityID]; c != nil {
				c.DRHosted++
			}
		}
		if s.PrimaryFacilityID == nil {
			continue
		}
		c := byFacility[*s.PrimaryFacilityID]
		if c == nil {
			continue
		}
		c.Systems++
		c.ByGrade[inventory.GradeKey(s.Grade)]++
		if s.Grade == 1 || s.Grade == 2 {
			c.Grade12++
		}
		if !slices.Contains(c.Agencies, s.AgencyID) {
			c.Agencies = append(c.Agencies, s.AgencyID)
		}
	}
	var list []Concentration
	for _, f := range inv.Facilities {
		c := byFacility[f.ID]
		if c.Grade12 == 0 && !c.Shared() {
			continue
		}
		slices.Sort(c.Agencies)
		list = append(list, *c)
	}
	slices.SortFunc(list, func(a, b Concentration) int {
		return cmp.Or(-cmp.Compare(a.Grade12, b.Grade12), -cmp.Compare(len(a.Agencies), len(b.Agencies)),
			-cmp.Compare(a.Systems, b.Systems), cmp.Compare(a.Name, b.Name), cmp.Compare(a.FacilityID, b.FacilityID))
	})
	return list
}

// Why a system's copies sit in its primary facility.
const (
	// OffsiteNone: no offsite (소산) copy is made.
	OffsiteNone = "offsite_none"
	// OffsiteNotDone: an offsite method is recorded, but its interval is 0
	// (not done).
	OffsiteNotDone = "offsite_not_done"
	// DRSameFacility: the DR site is the primary facility itself.
	DRSameFacility = "dr_same_facility"
	// NoCopyOutsideReported: the backup jobs report runs, and none left a
	// copy outside the primary facility, whatever the records say.
	NoCopyOutsideReported = "no_copy_outside_reported"
)

// SameFacilityCopy is a system whose backups, offsite copy or DR site sit
// in the facility of its primary.
type SameFacilityCopy struct {
	SystemID   int64    `json:"system_id"`
	Name       string   `json:"name"`
	AgencyID   int64    `json:"agency_id"`
	Grade      int      `json:"grade"`
	FacilityID int64    `json:"facility_id"`
	Reasons    []string `json:"reasons"`
	// OnlyCopy: no offsite copy is made (as recorded, or as the reported
	// backup runs show) and the records say there is no DR site elsewhere,
	// so nothing of the system survives the loss of its facility. (A DR
	// site declared without its facility counts as elsewhere; an
	// unrecorded DR answer is not taken as "none".)
	OnlyCopy bool `json:"only_copy"`
}

// SameFacilityCopies lists the placed systems whose copies stay in the
// primary facility — every local backup does, as the inventory records no
// other place for it — those with nothing outside first, then by grade
// (1 first, none last), name and id. reportedHome are the systems whose
// reported backup runs left no copy outside it (measured beats declared:
// a system recorded with a weekly tape taken away is listed all the same).
func SameFacilityCopies(inv *inventory.Inventory, reportedHome map[int64]bool) []SameFacilityCopy {
	var list []SameFacilityCopy
	for _, s := range inv.Systems {
		if s.PrimaryFacilityID == nil {
			continue
		}
		primary := *s.PrimaryFacilityID
		var reasons []string
		noOffsite := true
		switch {
		case s.OffsiteMethod == inventory.No:
			reasons = append(reasons, OffsiteNone)
		case s.OffsiteEvery != nil && *s.OffsiteEvery == 0:
			reasons = append(reasons, OffsiteNotDone)
		default:
			noOffsite = false
		}
		if reportedHome[s.ID] {
			reasons = append(reasons, NoCopyOutsideReported)
			noOffsite = true
		}
		drHere := s.DRFacilityID != nil && *s.DRFacilityID == primary
		if drHere {
			reasons = append(reasons, DRSameFacility)
		}
		if reasons == nil {
			continue
		}
		list = append(list, SameFacilityCopy{SystemID: s.ID, Name: s.Name, AgencyID: s.AgencyID, Grade: s.Grade, FacilityID: primary,
			Reasons: reasons, OnlyCopy: noOffsite && (drHere || s.DRPerformance == inventory.DRNone)})
	}
	slices.SortFunc(list, func(a, b SameFacilityCopy) int {
		return cmp.Or(-compareBool(a.OnlyCopy, b.OnlyCopy), compareGrade(a.Grade, b.Grade), cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.SystemID, b.SystemID))
	})
	return list
}

// Unredundant is a system with layers that are not redundant.
type Unredundant struct {
	SystemID int64  `json:"system_id"`
	Name     string `json:"name"`
	AgencyID int64  `json:"agency_id"`
	Grade    int    `json:"grade"`
	// FacilityID is the primary facility; 0 when not recorded.
	FacilityID int64 `json:"facility_id"`
	// Layers are those of inventory.Layers recorded as not redundant
	// (none), in that order.
	Layers []string `json:"layers"`
}

// UnredundantLayers lists the systems with a layer recorded as not
// redundant — a single point of failure in the system itself — by grade
// (1 first, none last), then most such layers, name and id. A layer whose
// redundancy is unknown is not listed: the data-quality report asks for it.
func UnredundantLayers(inv *inventory.Inventory) []Unredundant {
	var list []Unredundant
	for _, s := range inv.Systems {
		var layers []string
		for _, layer := range inventory.Layers {
			if s.Redundancy[layer] == inventory.No {
				layers = append(layers, layer)
			}
		}
		if layers == nil {
			continue
		}
		u := Unredundant{SystemID: s.ID, Name: s.Name, AgencyID: s.AgencyID, Grade: s.Grade, Layers: layers}
		if s.PrimaryFacilityID != nil {
			u.FacilityID = *s.PrimaryFacilityID
		}
		list = append(list, u)
	}
	slices.SortFunc(list, func(a, b Unredundant) int {
		return cmp.Or(compareGrade(a.Grade, b.Grade), -cmp.Compare(len(a.Layers), len(b.Layers)), cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.SystemID, b.SystemID))
	})
	return list
}

func compareGrade(a, b int) int { return cmp.Compare(inventory.GradeRank(a), inventory.GradeRank(b)) }

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
