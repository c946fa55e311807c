package placement

import (
	"cmp"
	"slices"
	"strings"

	"yeonsok/internal/inventory"
)

// Mutual DR (plan 2-3: "각각 1개의 시설을 운영하는 고용정보원과
// 장애인고용공단이 서로의 전산시설을 상대 기관의 재해복구체계 운영을 위해
// 상호 공유"): two agencies that each run one facility host each other's DR.
//
// Who runs a facility: a self-operated (자체) facility is run by its host,
// the agency with the most primary systems there (ties: the lower id) —
// 한국고용정보원 runs its data centre although one ministry system lives
// there too. An agency that runs exactly one facility is a candidate;
// its systems in facilities it does not run (private, NIRS, another
// agency's) are counted as Elsewhere and are not part of the exchange.
// Every pair of candidates is a suggestion (their facilities always
// differ), ranked by a score, highest first:
//
//	region      30 points when the two facilities' regions are recorded and
//	            differ; 10 when either is not recorded; 0 in the same region
//	            (one regional disaster would take both)
//	conditions  2 points per protective item of the facility checklist
//	            (every item but the UPS-in-server-room flag) answered yes, at
//	            the weaker of the two facilities — the inventory records no
//	            room capacity, and power, UPS, generator, HVAC and fire
//	            suppression stand for whether a room can take on another
//	            agency's systems; the UPS-in-server-room flag counts as 3
//	            items missing (the cause of the NIRS fire)
//	need        5 points per grade-1/2 system, on either side, without a DR
//	            site elsewhere that can carry the full service (similar
//	            performance at another facility, or at one not recorded);
//	            a system that already has one gains nothing from the pair
//
// Ties: the larger need first, then the agencies' ids.
const (
	RegionPointsDiffer  = 30
	RegionPointsUnknown = 10
	PointsPerCondition  = 2
	UPSFlagItems        = 3
	PointsPerNeed       = 5
)

// Region fits of a pair.
const (
	RegionsDiffer = "different"
	RegionUnknown = "unknown"
	RegionSame    = "same"
)

// Side is one agency of a mutual-DR pair, with the facility it runs.
type Side struct {
	AgencyID   int64  `json:"agency_id"`
	FacilityID int64  `json:"facility_id"`
	Region     string `json:"region"`
	// Conditions is the facility's protective checklist items answered
	// yes, less UPSFlagItems when UPS batteries sit in the server room.
	Conditions int `json:"conditions"`
	// Systems, Grade12 and Need count the agency's primary systems in
	// the facility: all, grade 1/2, and grade 1/2 without a DR site
	// elsewhere that can carry the full service.
	Systems int `json:"systems"`
	Grade12 int `json:"grade12"`
	Need    int `json:"need"`
	// Elsewhere counts the agency's systems in facilities it does not run.
	Elsewhere int `json:"elsewhere"`
}

// Pair is a mutual-DR suggestion: A and B host each other's DR.
type Pair struct {
	A               Side   `json:"a"`
	B               Side   `json:"b"`
	Region          string `json:"region"`
	RegionPoints    int    `json:"region_points"`
	ConditionPoints int    `json:"condition_points"`
	NeedPoints      int    `json:"need_points"`
	Score           int    `json:"score"`
}

// MutualDR suggests pairs of agencies that each run one facility and could
// host each other's DR, best fit first (see the scoring above).
func MutualDR(inv *inventory.Inventory) []Pair {
	facilities := map[int64]*inventory.Facility{}
	for _, f := range inv.Facilities {
		facilities[f.ID] = f
	}
	// Primary systems per facility and agency.
	count := map[int64]map[int64]int{}
	for _, s := range inv.Systems {
		if s.PrimaryFacilityID == nil || facilities[*s.PrimaryFacilityID] == nil {
			continue
		}
		id := *s.PrimaryFacilityID
		if count[id] == nil {
			count[id] = map[int64]int{}
		}
		count[id][s.AgencyID]++
	}
	runs := map[int64][]int64{} // agency → the facilities it runs
	for _, f := range inv.Facilities {
		if f.Operator != inventory.OperatorSelf || len(count[f.ID]) == 0 {
			continue
		}
		var host int64
		for agency, n := range count[f.ID] {
			if best := count[f.ID][host]; host == 0 || n > best || n == best && agency < host {
				host = agency
			}
		}
		runs[host] = append(runs[host], f.ID)
	}
	sides := map[int64]*Side{}
	for agency, list := range runs {
		if len(list) == 1 {
			f := facilities[list[0]]
			sides[agency] = &Side{AgencyID: agency, FacilityID: f.ID, Region: strings.TrimSpace(f.Region), Conditions: conditions(f)}
		}
	}
	for _, s := range inv.Systems {
		side := sides[s.AgencyID]
		if side == nil {
			continue
		}
		if s.PrimaryFacilityID == nil || *s.PrimaryFacilityID != side.FacilityID {
			side.Elsewhere++
			continue
		}
		side.Systems++
		if s.Grade == 1 || s.Grade == 2 {
			side.Grade12++
			if !carriedElsewhere(s) {
				side.Need++
			}
		}
	}
	var agencies []int64
	for agency := range sides {
		agencies = append(agencies, agency)
	}
	slices.Sort(agencies)
	var pairs []Pair
	for i, a := range agencies {
		for _, b := range agencies[i+1:] {
			pairs = append(pairs, pair(*sides[a], *sides[b]))
		}
	}
	slices.SortFunc(pairs, func(x, y Pair) int {
		return cmp.Or(-cmp.Compare(x.Score, y.Score), -cmp.Compare(x.A.Need+x.B.Need, y.A.Need+y.B.Need),
			cmp.Compare(x.A.AgencyID, y.A.AgencyID), cmp.Compare(x.B.AgencyID, y.B.AgencyID))
	})
	return pairs
}

func pair(a, b Side) Pair {
	p := Pair{A: a, B: b}
	switch {
	case a.Region == "" || b.Region == "":
		p.Region, p.RegionPoints = RegionUnknown, RegionPointsUnknown
	case a.Region == b.Region:
		p.Region = RegionSame
	default:
		p.Region, p.RegionPoints = RegionsDiffer, RegionPointsDiffer
	}
	p.ConditionPoints = PointsPerCondition * min(a.Conditions, b.Conditions)
	p.NeedPoints = PointsPerNeed * (a.Need + b.Need)
	p.Score = p.RegionPoints + p.ConditionPoints + p.NeedPoints
	return p
}

// conditions counts a facility's protective checklist items answered yes,
// less UPSFlagItems when UPS batteries sit in the server room.
func conditions(f *inventory.Facility) int {
	n := 0
	for _, item := range inventory.ConditionItems {
		if item != "ups_in_server_room" && f.Conditions[item] == inventory.Yes {
			n++
		}
	}
	if f.Conditions["ups_in_server_room"] == inventory.Yes {
		n -= UPSFlagItems
	}
	return n
}

// carriedElsewhere reports whether a system has a DR site outside its
// primary facility that can carry the full service.
func carriedElsewhere(s *inventory.System) bool {
	return s.DRPerformance == inventory.DRSimilar && (s.DRFacilityID == nil || *s.DRFacilityID != *s.PrimaryFacilityID)
}
