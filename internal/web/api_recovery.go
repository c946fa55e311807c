package web

import (
	"net/http"

	"yeonsok/internal/apperror"
	"yeonsok/internal/recovery"
)

// showRestartOrderJSON answers the cold-restart order of the facilities
// named by ?facility=ID (repeated; at least one), with ?teams=N teams (0 or
// absent: unlimited): the recovery.Plan, steps in restart order, times in
// minutes after the loss. Only systems in the caller's scope are in it.
func (s *Server) showRestartOrderJSON(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if len(q["facility"]) == 0 {
		s.writeError(w, r, apperror.New(apperror.Invalid, "facility", "recovery.facility_required"))
		return
	}
	x, err := s.index(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ids, err := lostFacilities(x, q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	teams, err := restartTeams(q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, recovery.Order(x.inv, ids, recovery.Options{Teams: teams}))
}
