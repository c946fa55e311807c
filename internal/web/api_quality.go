package web

import (
	"fmt"
	"net/http"

	"yeonsok/internal/quality"
)

// findingJSON is one data-quality finding as the API answers it: the
// message in the caller's language and a link to the record's page.
type findingJSON struct {
	Code     string          `json:"code"`
	Severity string          `json:"severity"`
	Message  string          `json:"message"`
	Subject  quality.Subject `json:"subject"`
	Link     string          `json:"link"`
}

// listDataQualityJSON answers the data-quality report of the inventory in
// scope: {"count": n, "findings": […]}, most severe first.
func (s *Server) listDataQualityJSON(w http.ResponseWriter, r *http.Request) {
	inv, err := s.store.Load(r.Context(), s.scope(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	l := lang(r)
	found := quality.Check(inv)
	out := make([]findingJSON, 0, len(found))
	for _, f := range found {
		out = append(out, findingJSON{Code: f.Code, Severity: f.Severity, Message: f.Message(l), Subject: f.Subject, Link: subjectLink(f.Subject)})
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"count": len(out), "findings": out})
}

// subjectLink is the page of a finding's record; the ministry-wide
// figures live on the home page.
func subjectLink(sub quality.Subject) string {
	switch sub.Kind {
	case "system":
		return fmt.Sprintf("/systems/%d", sub.ID)
	case "facility":
		return fmt.Sprintf("/facilities/%d", sub.ID)
	case "agency":
		return fmt.Sprintf("/agencies/%d", sub.ID)
	}
	return "/"
}
