package web

import (
	"net/http"
	"strconv"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/auth"
	"yeonsok/internal/backup"
)

// The backup API (issue 7): jobs report their runs; people read each
// system's compliance and exposure, record offsite moves; the ministry
// records the shared facilities' backup storage.

// backupReporter is who reports runs: a backup token for the systems it
// is bound to (within its agency), anyone else who may write for the
// systems of their scope.
func backupReporter(p auth.Principal) backup.Reporter {
	if p.Kind == auth.KindToken && p.Role == auth.Backup {
		scope := access.All()
		if p.AgencyID != 0 {
			scope = access.Agency(p.AgencyID)
		}
		systems := p.SystemIDs
		if systems == nil {
			systems = []int64{}
		}
		return backup.Reporter{Scope: scope, Systems: systems, Name: p.Name}
	}
	return backup.Reporter{Scope: p.Scope(), Name: p.Name}
}

// reportBackupsJSON takes a report of runs: {"runs": [...]} or one run.
// All or nothing; a run the tower has already (same system and key)
// counts as a duplicate.
func (s *Server) reportBackupsJSON(w http.ResponseWriter, r *http.Request) {
	// One run's fields beside "runs": a report of one run needs no list.
	var body struct {
		Runs []backup.Run `json:"runs"`
		backup.Run
	}
	if err := decodeJSON(r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	runs := body.Runs
	if runs == nil && (body.Run != backup.Run{} || body.Key != "") {
		runs = []backup.Run{body.Run}
	}
	receipt, err := s.backups.Report(r.Context(), backupReporter(principalFrom(r)), runs)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, receipt)
}

// listBackupRunsJSON lists a system's runs of the last ?days= (default 31).
func (s *Server) listBackupRunsJSON(w http.ResponseWriter, r *http.Request) {
	system, err := strconv.ParseInt(r.URL.Query().Get("system_id"), 10, 64)
	if err != nil || system <= 0 {
		s.writeError(w, r, apperror.New(apperror.Invalid, "system_id", "invalid.required"))
		return
	}
	days := 31
	if v := r.URL.Query().Get("days"); v != "" {
		if days, err = strconv.Atoi(v); err != nil || days <= 0 || days > 3660 {
			s.writeError(w, r, apperror.New(apperror.Invalid, "days", "invalid.whole_days"))
			return
		}
	}
	runs, err := s.backups.Runs(r.Context(), s.scope(r), system, time.Now().AddDate(0, 0, -days))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeItems(s, w, r, runs)
}

// backupStatusJSON judges the backups of the systems in scope
// (?agency_id=, ?system_id= narrow it): each check and exposure.
func (s *Server) backupStatusJSON(w http.ResponseWriter, r *http.Request) {
	list, err := s.backupStatuses(r, time.Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	agency, _ := strconv.ParseInt(q.Get("agency_id"), 10, 64)
	system, _ := strconv.ParseInt(q.Get("system_id"), 10, 64)
	kept := list[:0]
	for _, st := range list {
		if (agency == 0 || st.AgencyID == agency) && (system == 0 || st.SystemID == system) {
			kept = append(kept, st)
		}
	}
	writeItems(s, w, r, kept)
}

// backupStatuses judges every system in the caller's scope at now.
func (s *Server) backupStatuses(r *http.Request, now time.Time) ([]*backup.SystemStatus, error) {
	x, err := s.snapshot(r)
	if err != nil {
		return nil, err
	}
	return s.judge(r, x.inv, now)
}

// facilityForecast is a facility's backup storage and its forecast.
type facilityForecast struct {
	FacilityID int64           `json:"facility_id"`
	Forecast   backup.Forecast `json:"forecast"`
}

// backupStorageJSON forecasts the backup storage of the facilities the
// caller sees.
func (s *Server) backupStorageJSON(w http.ResponseWriter, r *http.Request) {
	inv, err := s.store.Load(r.Context(), s.scope(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	forecasts, err := s.backups.Forecasts(r.Context(), time.Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var list []facilityForecast
	for _, f := range inv.Facilities {
		if fc, ok := forecasts[f.ID]; ok {
			list = append(list, facilityForecast{FacilityID: f.ID, Forecast: fc})
		}
	}
	writeItems(s, w, r, list)
}

// recordBackupStorageJSON records a facility's backup storage:
// {"facility_id", "at", "capacity_bytes", "used_bytes"}.
func (s *Server) recordBackupStorageJSON(w http.ResponseWriter, r *http.Request) {
	var body struct {
		FacilityID int64 `json:"facility_id"`
		backup.StorageSample
	}
	if err := decodeJSON(r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.backups.RecordStorage(r.Context(), s.scope(r), body.FacilityID, body.StorageSample); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, body)
}

// listOffsiteMovesJSON lists the offsite moves in scope of the last
// ?days= (default 90).
func (s *Server) listOffsiteMovesJSON(w http.ResponseWriter, r *http.Request) {
	days := 90
	if v := r.URL.Query().Get("days"); v != "" {
		var err error
		if days, err = strconv.Atoi(v); err != nil || days <= 0 || days > 3660 {
			s.writeError(w, r, apperror.New(apperror.Invalid, "days", "invalid.whole_days"))
			return
		}
	}
	moves, err := s.backups.Moves(r.Context(), s.scope(r), time.Now().AddDate(0, 0, -days))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeItems(s, w, r, moves)
}

func (s *Server) recordOffsiteMoveJSON(w http.ResponseWriter, r *http.Request) {
	var m backup.Move
	if err := decodeJSON(r, &m); err != nil {
		s.writeError(w, r, err)
		return
	}
	m.ID = 0
	if err := s.backups.RecordMove(r.Context(), s.scope(r), &m); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeCreated(w, r, "offsite-moves", m.ID, m)
}

// receiveOffsiteMoveJSON records that a move arrived: {"received_by",
// "received_at"} (default now).
func (s *Server) receiveOffsiteMoveJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "offsite_move")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var body struct {
		ReceivedBy string    `json:"received_by"`
		ReceivedAt time.Time `json:"received_at"`
	}
	if err := decodeJSON(r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	if body.ReceivedAt.IsZero() {
		body.ReceivedAt = time.Now()
	}
	m, err := s.backups.ReceiveMove(r.Context(), s.scope(r), id, body.ReceivedBy, body.ReceivedAt)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, m)
}
