package web

import (
	"net/http"
	"strings"

	"yeonsok/internal/apperror"
	"yeonsok/internal/inventory"
)

func (s *Server) listDependenciesJSON(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.Dependencies(r.Context(), s.scope(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeItems(w, list)
}

func (s *Server) showDependencyJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "dependency")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.store.Dependency(r.Context(), s.scope(r), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) createDependencyJSON(w http.ResponseWriter, r *http.Request) {
	ctx, scope := r.Context(), s.scope(r)
	var d inventory.Dependency
	if err := decodeJSON(r, &d); err != nil {
		s.writeError(w, r, err)
		return
	}
	d.ID = 0
	err := s.store.Update(ctx, scope, func(tx *inventory.Tx) error { return tx.CreateDependency(ctx, &d) })
	if e, ok := apperror.As(err); ok && e.Key == "conflict.duplicate_name" {
		// The store's duplicate is worded for names; here it is the pair.
		err = apperror.New(apperror.Conflict, "to_system_id", "api.conflict.duplicate_dependency")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeCreated(w, "dependencies", d.ID, s.reread(r, &d, func() (any, error) { return s.store.Dependency(ctx, scope, d.ID) }))
}

// updateDependencyJSON changes a dependency's kind and note. The two
// systems are what the dependency is: the body may repeat them (a record
// fetched, edited and sent back) but not change them.
func (s *Server) updateDependencyJSON(w http.ResponseWriter, r *http.Request) {
	ctx, scope := r.Context(), s.scope(r)
	id, err := apiPathID(r, "dependency")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.store.Dependency(ctx, scope, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var body inventory.Dependency
	if err := decodeJSON(r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	switch {
	case body.ID != 0 && body.ID != id:
		err = checkBodyID(body.ID, id)
	case body.FromSystemID != 0 && body.FromSystemID != d.FromSystemID:
		err = apperror.New(apperror.Invalid, "from_system_id", "api.dependency_fixed")
	case body.ToSystemID != 0 && body.ToSystemID != d.ToSystemID:
		err = apperror.New(apperror.Invalid, "to_system_id", "api.dependency_fixed")
	case strings.TrimSpace(body.Kind) == "":
		err = apperror.New(apperror.Invalid, "kind", "invalid.required")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d.Kind, d.Note = body.Kind, body.Note
	if err := s.store.Update(ctx, scope, func(tx *inventory.Tx) error { return tx.UpdateDependency(ctx, d) }); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.reread(r, d, func() (any, error) { return s.store.Dependency(ctx, scope, id) }))
}

func (s *Server) deleteDependencyJSON(w http.ResponseWriter, r *http.Request) {
	ctx, scope := r.Context(), s.scope(r)
	id, err := apiPathID(r, "dependency")
	if err == nil {
		_, err = s.store.Dependency(ctx, scope, id)
	}
	if err == nil {
		err = s.store.Update(ctx, scope, func(tx *inventory.Tx) error { return tx.DeleteDependency(ctx, id) })
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
