package web

import (
	"net/http"

	"yeonsok/internal/apperror"
	"yeonsok/internal/inventory"
)

func (s *Server) listAgenciesJSON(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.Agencies(r.Context(), s.scope(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeItems(s, w, r, list)
}

func (s *Server) showAgencyJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "agency")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.store.Agency(r.Context(), s.scope(r), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, a)
}

func (s *Server) createAgencyJSON(w http.ResponseWriter, r *http.Request) {
	ctx, scope := r.Context(), s.scope(r)
	var a inventory.Agency
	if err := decodeJSON(r, &a); err != nil {
		s.writeError(w, r, err)
		return
	}
	a.ID = 0
	if err := s.store.Update(ctx, scope, func(tx *inventory.Tx) error { return tx.CreateAgency(ctx, &a) }); err != nil {
		s.writeError(w, r, bodyField(err))
		return
	}
	s.writeCreated(w, r, "agencies", a.ID, s.reread(r, &a, func() (any, error) { return s.store.Agency(ctx, scope, a.ID) }))
}

// updateAgencyJSON replaces the agency's fields with the body.
func (s *Server) updateAgencyJSON(w http.ResponseWriter, r *http.Request) {
	ctx, scope := r.Context(), s.scope(r)
	var a inventory.Agency
	if err := decodeUpdate(r, "agency", &a, &a.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.store.Update(ctx, scope, func(tx *inventory.Tx) error { return tx.UpdateAgency(ctx, &a) }); err != nil {
		s.writeError(w, r, bodyField(err))
		return
	}
	s.writeJSON(w, r, http.StatusOK, s.reread(r, &a, func() (any, error) { return s.store.Agency(ctx, scope, a.ID) }))
}

// deleteAgencyJSON removes an agency nothing refers to any more; one that
// still has systems, services or sub-agencies is a conflict saying which.
func (s *Server) deleteAgencyJSON(w http.ResponseWriter, r *http.Request) {
	ctx, scope := r.Context(), s.scope(r)
	id, err := apiPathID(r, "agency")
	if err == nil {
		err = s.store.Update(ctx, scope, func(tx *inventory.Tx) error { return tx.DeleteAgency(ctx, id) })
	}
	if isConflict(err) {
		err = s.agencyInUse(r, id, err)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// agencyInUse says what still belongs to an agency that could not be
// deleted; when the counts find nothing, the store's own error stands.
func (s *Server) agencyInUse(r *http.Request, id int64, cause error) error {
	ctx, scope := r.Context(), s.scope(r)
	systems, err := s.store.Systems(ctx, scope, inventory.SystemFilter{AgencyID: id})
	if err != nil {
		return cause
	}
	all, err := s.store.Services(ctx, scope)
	if err != nil {
		return cause
	}
	services := 0
	for _, svc := range all {
		if svc.AgencyID == id {
			services++
		}
	}
	agencies, err := s.store.Agencies(ctx, scope)
	if err != nil {
		return cause
	}
	children := 0
	for _, a := range agencies {
		if a.ParentID != nil && *a.ParentID == id {
			children++
		}
	}
	if len(systems)+services+children == 0 {
		return cause
	}
	return apperror.New(apperror.Conflict, "", "api.conflict.agency_in_use", len(systems), services, children)
}

// reread fetches a record just written, so the answer shows it as stored
// (timestamps, defaults). The write has landed either way: if the read
// fails, the record as sent is answered rather than an error that would
// invite the caller to write it again.
func (s *Server) reread(r *http.Request, written any, read func() (any, error)) any {
	stored, err := read()
	if err != nil {
		s.log.Warn("read back after write", "method", r.Method, "path", r.URL.Path, "err", err)
		return written
	}
	return stored
}
