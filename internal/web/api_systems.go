package web

import (
	"context"
	"net/http"
	"strconv"

	"yeonsok/internal/apperror"
	"yeonsok/internal/grading"
	"yeonsok/internal/inventory"
)

// listSystemsJSON lists the systems in scope, narrowed by ?agency=ID,
// ?facility=ID (primary or DR site) and ?grade=1..4|none.
func (s *Server) listSystemsJSON(w http.ResponseWriter, r *http.Request) {
	filter, err := systemFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.store.Systems(r.Context(), s.scope(r), filter)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, sys := range list {
		systemJSON(sys)
	}
	writeItems(s, w, r, list)
}

func systemFilter(r *http.Request) (inventory.SystemFilter, error) {
	var f inventory.SystemFilter
	q := r.URL.Query()
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"agency", &f.AgencyID}, {"facility", &f.FacilityID}} {
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
	switch v := q.Get("grade"); v {
	case "":
	case "none":
		f.Grade = -1
	case "1", "2", "3", "4":
		f.Grade = int(v[0] - '0')
	default:
		return f, apperror.New(apperror.Invalid, "grade", "api.filter.grade", v)
	}
	return f, nil
}

func (s *Server) showSystemJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "system")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sys, err := s.readSystem(r, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, sys)
}

func (s *Server) createSystemJSON(w http.ResponseWriter, r *http.Request) {
	ctx, scope := r.Context(), s.scope(r)
	var sys inventory.System
	if err := decodeJSON(r, &sys); err != nil {
		s.writeError(w, r, err)
		return
	}
	sys.ID = 0
	if err := s.store.Update(ctx, scope, func(tx *inventory.Tx) error { return tx.CreateSystem(ctx, &sys) }); err != nil {
		s.writeError(w, r, bodyField(err))
		return
	}
	s.writeCreated(w, r, "systems", sys.ID, s.reread(r, systemJSON(&sys), func() (any, error) { return s.readSystem(r, sys.ID) }))
}

// updateSystemJSON replaces the system's fields, endpoints included, with
// the body; a field left out is empty (or unknown) afterwards.
func (s *Server) updateSystemJSON(w http.ResponseWriter, r *http.Request) {
	ctx, scope := r.Context(), s.scope(r)
	var sys inventory.System
	if err := decodeUpdate(r, "system", &sys, &sys.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.store.Update(ctx, scope, func(tx *inventory.Tx) error { return tx.UpdateSystem(ctx, &sys) }); err != nil {
		s.writeError(w, r, bodyField(err))
		return
	}
	s.writeJSON(w, r, http.StatusOK, s.reread(r, systemJSON(&sys), func() (any, error) { return s.readSystem(r, sys.ID) }))
}

// deleteSystemJSON removes a system with its endpoints, its dependencies
// and its links to services.
func (s *Server) deleteSystemJSON(w http.ResponseWriter, r *http.Request) {
	ctx, scope := r.Context(), s.scope(r)
	id, err := apiPathID(r, "system")
	if err == nil {
		err = s.store.Update(ctx, scope, func(tx *inventory.Tx) error { return s.deleteSystemIn(ctx, tx, id) })
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// deleteSystemIn deletes a system in tx with the records kept beside the
// inventory that refer to it: its grade-change proposals.
func (s *Server) deleteSystemIn(ctx context.Context, tx *inventory.Tx, id int64) error {
	if err := grading.DeleteProposalsOf(ctx, tx, id); err != nil {
		return err
	}
	return tx.DeleteSystem(ctx, id)
}

func (s *Server) readSystem(r *http.Request, id int64) (*inventory.System, error) {
	sys, err := s.store.System(r.Context(), s.scope(r), id)
	if err != nil {
		return nil, err
	}
	return systemJSON(sys), nil
}

// systemJSON answers a system without endpoints as [], not null.
func systemJSON(sys *inventory.System) *inventory.System {
	if sys.Endpoints == nil {
		sys.Endpoints = []inventory.Endpoint{}
	}
	return sys
}
