package web

// registerAPI adds the JSON API under /api/v1/.
func (s *Server) registerAPI() {
	s.mux.HandleFunc("GET /api/v1/summary", s.showSummaryJSON)
}
