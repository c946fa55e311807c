package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"yeonsok/internal/apperror"
	"yeonsok/internal/risk"
)

// riskFilter reads the filters of the risk page and of GET /api/v1/risks:
// ?agency=, ?facility=, ?system= (ids), ?kind=, ?status= and ?band= (the
// band after controls). A value that names nothing is refused, not ignored.
func riskFilter(q url.Values) (risk.Filter, error) {
	var f risk.Filter
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"agency", &f.AgencyID}, {"facility", &f.FacilityID}, {"system", &f.SystemID}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return f, apperror.New(apperror.Invalid, p.name, "api.filter.id", v)
		}
		*p.dst = id
	}
	var bands []string
	for _, b := range risk.Bands {
		bands = append(bands, b.Key)
	}
	for _, p := range []struct {
		name    string
		dst     *string
		allowed []string
	}{{"kind", &f.Kind, risk.Kinds}, {"status", &f.Status, risk.Statuses}, {"band", &f.Band, bands}} {
		v := q.Get(p.name)
		if v != "" && !slices.Contains(p.allowed, v) {
			return f, apperror.New(apperror.Invalid, p.name, "invalid.one_of", v, strings.Join(p.allowed, ", "))
		}
		*p.dst = v
	}
	return f, nil
}

// listRisksJSON lists the entries in scope, narrowed as riskFilter reads.
func (s *Server) listRisksJSON(w http.ResponseWriter, r *http.Request) {
	filter, err := riskFilter(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.risks.List(r.Context(), s.scope(r), filter)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeItems(s, w, r, list)
}

// heatMapJSON is the heat map with the bands its cells fall in:
// inherent[l-1][i-1] counts the entries of likelihood l and impact i.
type heatMapJSON struct {
	risk.HeatMap
	Bands []risk.BandRange `json:"bands"`
}

// showRiskHeatMapJSON answers the heat map of the entries in scope that
// the filters keep (closed entries are not counted).
func (s *Server) showRiskHeatMapJSON(w http.ResponseWriter, r *http.Request) {
	filter, err := riskFilter(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.risks.List(r.Context(), s.scope(r), filter)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, heatMapJSON{HeatMap: risk.HeatMapOf(list), Bands: risk.Bands})
}

func (s *Server) showRiskJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "risk")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	e, err := s.risks.Entry(r.Context(), s.scope(r), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, e)
}

func (s *Server) createRiskJSON(w http.ResponseWriter, r *http.Request) {
	var e risk.Entry
	if err := decodeJSON(r, &e); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.risks.Create(r.Context(), s.scope(r), &e); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeCreated(w, r, "risks", e.ID, &e)
}

// updateRiskJSON replaces the entry's fields with the body.
func (s *Server) updateRiskJSON(w http.ResponseWriter, r *http.Request) {
	var e risk.Entry
	if err := decodeUpdate(r, "risk", &e, &e.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.risks.Update(r.Context(), s.scope(r), &e); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, &e)
}

func (s *Server) deleteRiskJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "risk")
	if err == nil {
		err = s.risks.Delete(r.Context(), s.scope(r), id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
