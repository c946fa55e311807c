package web

import (
	"net/http"

	"yeonsok/internal/scenario"
)

// The API's answers name every record and write every reason out in the
// caller's language, so that a script needs no second lookup and no
// catalogue.

type facilityRef struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Region string `json:"region"`
}

type systemRef struct {
	ID       int64  `json:"system_id"`
	Name     string `json:"name"`
	AgencyID int64  `json:"agency_id"`
	Agency   string `json:"agency"`
	Grade    int    `json:"grade"`
}

func (x *index) systemRef(id int64) systemRef {
	ref := systemRef{ID: id, Name: x.systemName(id)}
	if s := x.system[id]; s != nil {
		ref.AgencyID, ref.Agency, ref.Grade = s.AgencyID, x.agencyName(s.AgencyID), s.Grade
	}
	return ref
}

// gapJSON is one system judged under one scenario.
type gapJSON struct {
	systemRef
	Scenario string           `json:"scenario"`
	RTO      scenario.Measure `json:"rto"`
	RPO      scenario.Measure `json:"rpo"`
	Reasons  []string         `json:"reasons"`
}

func (x *index) gapJSON(l tr, g scenario.SystemGap) gapJSON {
	return gapJSON{systemRef: x.systemRef(g.SystemID), Scenario: g.Kind, RTO: g.RTO, RPO: g.RPO, Reasons: l.reasons(g.Capability)}
}

type whatIfJSON struct {
	Scenario string                `json:"scenario"`
	Region   string                `json:"region,omitempty"`
	Lost     []facilityRef         `json:"lost"`
	Counts   scenario.WhatIfCounts `json:"counts"`
	Stopped  []stoppedJSON         `json:"stopped"`
	Indirect []indirectJSON        `json:"indirect"`
	Services []serviceImpactJSON   `json:"services"`
	Agencies []agencyImpactJSON    `json:"agencies"`
}

type stoppedJSON struct {
	gapJSON
	DR           string `json:"dr"`
	DRFacilityID *int64 `json:"dr_facility_id"`
}

type indirectJSON struct {
	systemRef
	Depth int         `json:"depth"`
	Via   []systemRef `json:"via"`
}

type serviceImpactJSON struct {
	ServiceID int64            `json:"service_id"`
	Name      string           `json:"name"`
	AgencyID  int64            `json:"agency_id"`
	Agency    string           `json:"agency"`
	Status    string           `json:"status"`
	Systems   int              `json:"systems"`
	Stopped   int              `json:"stopped"`
	Affected  int              `json:"affected"`
	RTO       scenario.Measure `json:"rto"`
}

type agencyImpactJSON struct {
	Name string `json:"name"`
	scenario.AgencyImpact
}

// showFacilityLossJSON answers GET /api/v1/scenarios/facility-loss: the
// what-if of losing ?facility=ID (repeatable) or every facility of
// ?region=NAME, in the caller's scope.
func (s *Server) showFacilityLossJSON(w http.ResponseWriter, r *http.Request) {
	l := tr(lang(r))
	x, err := s.index(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	loss, err := readLoss(r.URL.Query(), x)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	measure, err := s.measureWhatIf(r, x, loss)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	wi := scenario.Analyze(x.inv, loss, measure)
	out := whatIfJSON{Scenario: wi.Kind, Region: loss.Region, Counts: wi.Counts, Lost: []facilityRef{},
		Stopped: []stoppedJSON{}, Indirect: []indirectJSON{}, Services: []serviceImpactJSON{}, Agencies: []agencyImpactJSON{}}
	for _, id := range wi.Lost {
		f := x.facility[id]
		out.Lost = append(out.Lost, facilityRef{ID: f.ID, Name: f.Name, Region: f.Region})
	}
	for _, st := range wi.Stopped {
		out.Stopped = append(out.Stopped, stoppedJSON{gapJSON: x.gapJSON(l, st.SystemGap), DR: st.DR, DRFacilityID: st.System.DRFacilityID})
	}
	for _, in := range wi.Indirect {
		j := indirectJSON{systemRef: x.systemRef(in.SystemID), Depth: in.Depth, Via: []systemRef{}}
		for _, id := range in.Via {
			j.Via = append(j.Via, x.systemRef(id))
		}
		out.Indirect = append(out.Indirect, j)
	}
	for _, svc := range wi.Services {
		out.Services = append(out.Services, serviceImpactJSON{ServiceID: svc.ServiceID, Name: svc.Service.Name, AgencyID: svc.AgencyID,
			Agency: x.agencyName(svc.AgencyID), Status: svc.Status, Systems: svc.Systems, Stopped: svc.Stopped, Affected: svc.Affected, RTO: svc.RTO})
	}
	for _, a := range wi.Agencies {
		out.Agencies = append(out.Agencies, agencyImpactJSON{Name: x.agencyName(a.AgencyID), AgencyImpact: a})
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

type gapsJSON struct {
	Scenarios []scenarioGapsJSON `json:"scenarios"`
	// Misses are the systems that miss under the chosen scenario; only
	// with ?scenario=.
	Misses *[]gapJSON `json:"misses,omitempty"`
}

type scenarioGapsJSON struct {
	Scenario string            `json:"scenario"`
	Name     string            `json:"name"`
	Total    scenario.GapCount `json:"total"`
	ByAgency []agencyGapsJSON  `json:"by_agency"`
	ByGrade  []gradeGapsJSON   `json:"by_grade"`
}

type agencyGapsJSON struct {
	AgencyID int64  `json:"agency_id"`
	Name     string `json:"name"`
	scenario.GapCount
}

type gradeGapsJSON struct {
	Grade int `json:"grade"`
	scenario.GapCount
}

// showGapsJSON answers GET /api/v1/gaps: the gap summary per scenario, for
// the caller's scope or ?agency=; with ?scenario= that scenario only, and
// the systems that miss under it.
func (s *Server) showGapsJSON(w http.ResponseWriter, r *http.Request) {
	l := tr(lang(r))
	v, err := s.readGaps(r, r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	kinds := scenario.Kinds
	if v.kind != "" {
		kinds = []string{v.kind}
	}
	count := func(c *scenario.GapCount) scenario.GapCount {
		if c == nil {
			return scenario.GapCount{}
		}
		return *c
	}
	out := gapsJSON{Scenarios: []scenarioGapsJSON{}}
	for _, kind := range kinds {
		sc := scenarioGapsJSON{Scenario: kind, Name: l.t("scenario.kind." + kind), Total: count(v.summary.Total[kind]),
			ByAgency: []agencyGapsJSON{}, ByGrade: []gradeGapsJSON{}}
		for _, a := range v.x.inv.Agencies {
			if c := v.summary.ByAgency[a.ID][kind]; c != nil {
				sc.ByAgency = append(sc.ByAgency, agencyGapsJSON{AgencyID: a.ID, Name: a.Name, GapCount: *c})
			}
		}
		for _, g := range gradeOrder {
			if c := v.summary.ByGrade[g][kind]; c != nil {
				sc.ByGrade = append(sc.ByGrade, gradeGapsJSON{Grade: g, GapCount: *c})
			}
		}
		out.Scenarios = append(out.Scenarios, sc)
	}
	if v.kind != "" {
		misses := []gapJSON{}
		for _, g := range v.misses() {
			misses = append(misses, v.x.gapJSON(l, g))
		}
		out.Misses = &misses
	}
	s.writeJSON(w, r, http.StatusOK, out)
}
