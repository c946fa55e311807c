package web

import "net/http"

// showSummaryJSON answers the home page's figures as JSON: totals, by grade,
// by operator, per facility and per agency.
func (s *Server) showSummaryJSON(w http.ResponseWriter, r *http.Request) {
	sum, err := s.store.Summary(r.Context(), s.scope(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, sum)
}
