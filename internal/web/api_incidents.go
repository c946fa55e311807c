package web

import (
	"net/http"

	"yeonsok/internal/incident"
)

// The incident API: the open incidents, one incident with its systems'
// clocks and its timeline, a person's report, moving an incident along its
// states, and notes on its timeline.

// listOpenIncidentsJSON lists the open incidents in scope, latest first.
func (s *Server) listOpenIncidentsJSON(w http.ResponseWriter, r *http.Request) {
	list, err := s.incidents.Open(r.Context(), s.scope(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeItems(s, w, r, list)
}

func (s *Server) showIncidentJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "incident")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	inc, err := s.incidents.Incident(r.Context(), s.scope(r), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, inc)
}

// incidentReport is a person's report that a system is down.
type incidentReport struct {
	SystemID int64  `json:"system_id"`
	Reason   string `json:"reason"`
}

// reportIncidentJSON takes a person's report that a system in scope is
// down: it opens an incident, or joins the open one (201 or 200), and
// counts as the agency's report of it.
func (s *Server) reportIncidentJSON(w http.ResponseWriter, r *http.Request) {
	var report incidentReport
	if err := decodeJSON(r, &report); err != nil {
		s.writeError(w, r, err)
		return
	}
	// The store takes signals from anywhere; a person may report only a
	// system of their scope.
	if _, err := s.store.System(r.Context(), s.scope(r), report.SystemID); err != nil {
		s.writeError(w, r, err)
		return
	}
	inc, opened, err := s.incidents.Detect(r.Context(), incident.Signal{SystemID: report.SystemID, Source: incident.SourceReport, Reason: report.Reason})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if opened {
		s.writeCreated(w, r, "incidents", inc.ID, inc)
		return
	}
	s.writeJSON(w, r, http.StatusOK, inc)
}

// incidentMove is a person's decision to move an incident.
type incidentMove struct {
	State          incident.State `json:"state"`
	Note           string         `json:"note"`
	OverrideReason string         `json:"override_reason"`
}

// moveIncidentJSON moves an incident in scope to another state.
func (s *Server) moveIncidentJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "incident")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var move incidentMove
	if err := decodeJSON(r, &move); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.checkOverride(r, id, move.OverrideReason); err != nil {
		s.writeError(w, r, err)
		return
	}
	inc, err := s.incidents.Move(r.Context(), s.scope(r), id, move.State, move.Note, move.OverrideReason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, inc)
}

// incidentNote is a person's entry on an incident's timeline.
type incidentNote struct {
	Text string `json:"text"`
}

func (s *Server) noteIncidentJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "incident")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var note incidentNote
	if err := decodeJSON(r, &note); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.incidents.Note(r.Context(), s.scope(r), id, note.Text); err != nil {
		s.writeError(w, r, err)
		return
	}
	inc, err := s.incidents.Incident(r.Context(), s.scope(r), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, inc)
}
