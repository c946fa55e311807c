package web

import (
	"net/http"

	"yeonsok/internal/placement"
)

// showConcentrationJSON answers the concentration page's three lists for
// the inventory in scope: {"facilities", "same_facility_copies",
// "unredundant_layers"}.
func (s *Server) showConcentrationJSON(w http.ResponseWriter, r *http.Request) {
	inv, err := s.store.Load(r.Context(), s.scope(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	home, err := s.reportedHome(r, inv)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{
		"facilities":           nonNil(placement.Concentrations(inv)),
		"same_facility_copies": nonNil(placement.SameFacilityCopies(inv, home)),
		"unredundant_layers":   nonNil(placement.UnredundantLayers(inv)),
	})
}

// listMutualDRJSON answers the mutual-DR suggestions among the agencies in
// scope, best fit first: {"items":[…]}.
func (s *Server) listMutualDRJSON(w http.ResponseWriter, r *http.Request) {
	inv, err := s.store.Load(r.Context(), s.scope(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeItems(s, w, r, placement.MutualDR(inv))
}
