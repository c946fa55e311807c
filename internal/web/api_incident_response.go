package web

import (
	"net/http"
	"strings"
	"time"

	"yeonsok/internal/apperror"
	"yeonsok/internal/incident"
)

// The incident response API: manual mode, the offices' batches and their
// back-entry, the data-loss ledger, severity and the review.

// manualSwitch switches a service into manual mode or back.
type manualSwitch struct {
	ServiceID int64  `json:"service_id"`
	On        bool   `json:"on"`
	Notice    string `json:"notice"`
}

func (s *Server) switchManualJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "incident")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var m manualSwitch
	if err := decodeJSON(r, &m); err != nil {
		s.writeError(w, r, err)
		return
	}
	inc, err := s.incidents.SwitchManual(r.Context(), s.scope(r), id, m.ServiceID, m.On, m.Notice)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, inc)
}

// addBatchesJSON records offices' batches, all or none: as JSON
// {"batches": [...]}, or as a CSV or XLSX file (multipart field "file", or
// the body with ?name=) refused with every problem by row and column.
func (s *Server) addBatchesJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "incident")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var batches []incident.Batch
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var body struct {
			Batches []incident.Batch `json:"batches"`
		}
		err = decodeJSON(r, &body)
		batches = body.Batches
	} else {
		batches, err = s.readBatchFile(r, id)
	}
	if err != nil {
		s.writeUploadError(w, r, err)
		return
	}
	inc, err := s.incidents.AddBatches(r.Context(), s.scope(r), id, batches)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, inc)
}

// readBatchFile reads the batches of an uploaded file against incident
// id's services in manual mode.
func (s *Server) readBatchFile(r *http.Request, id int64) ([]incident.Batch, error) {
	inc, err := s.incidents.Incident(r.Context(), s.scope(r), id)
	if err != nil {
		return nil, err
	}
	files, err := readImportFiles(r)
	if err != nil {
		return nil, err
	}
	if len(files) != 1 {
		return nil, apperror.New(apperror.Invalid, "file", "incident.invalid.one_file")
	}
	return incident.ParseBatches(files[0].Name, files[0].Data, inc)
}

func (s *Server) recordEnteredJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "incident")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	batchID, err := apiPathValueID(r, "batch_id", "batch")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var body struct {
		Entered int `json:"entered"`
	}
	if err := decodeJSON(r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	inc, err := s.incidents.RecordEntered(r.Context(), s.scope(r), id, batchID, body.Entered)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, inc)
}

// recordLossJSON adds an entry to the data-loss ledger (POST) or updates
// one (PUT …/data-losses/{loss_id}).
func (s *Server) recordLossJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "incident")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var loss incident.DataLoss
	if err := decodeJSON(r, &loss); err != nil {
		s.writeError(w, r, err)
		return
	}
	loss.ID = 0
	status := http.StatusCreated
	if r.PathValue("loss_id") != "" {
		if loss.ID, err = apiPathValueID(r, "loss_id", "data_loss"); err != nil {
			s.writeError(w, r, err)
			return
		}
		status = http.StatusOK
	}
	inc, err := s.incidents.RecordLoss(r.Context(), s.scope(r), id, &loss)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, status, inc)
}

func (s *Server) setSeverityJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "incident")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var body struct {
		Severity incident.Severity `json:"severity"`
		Reason   string            `json:"reason"`
	}
	if err := decodeJSON(r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	inc, err := s.incidents.SetSeverity(r.Context(), s.scope(r), id, body.Severity, body.Reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, inc)
}

// writeReviewJSON closes a resolved incident with its review; each action
// becomes a task. Only an admin may close it with items taken by hand
// still outstanding.
func (s *Server) writeReviewJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "incident")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var review incident.Review
	if err := decodeJSON(r, &review); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.checkOverride(r, id, review.OverrideReason); err != nil {
		s.writeError(w, r, err)
		return
	}
	inc, err := s.incidents.WriteReview(r.Context(), s.scope(r), id, review)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, inc)
}

// checkOverride refuses an override of the backlog (closing an incident
// with items taken by hand outstanding) by anyone but an admin of the
// incident's agency or the ministry.
func (s *Server) checkOverride(r *http.Request, id int64, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return nil
	}
	inc, err := s.incidents.Incident(r.Context(), s.scope(r), id)
	if err != nil {
		return err
	}
	if !principalFrom(r).CanOverrideBacklog(inc.AgencyID) {
		return apperror.New(apperror.Forbidden, "override_reason", "incident.forbidden.override")
	}
	return nil
}

// listUnreportedJSON lists the incidents in scope that probes or alerts
// saw and nobody of the agency reported in time.
func (s *Server) listUnreportedJSON(w http.ResponseWriter, r *http.Request) {
	list, err := s.incidents.Unreported(r.Context(), s.scope(r), s.reportWithin, time.Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeItems(s, w, r, list)
}
