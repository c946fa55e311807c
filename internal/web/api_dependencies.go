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
	writeItems(s, w, r, list)
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
	s.writeJSON(w, r, http.StatusOK, d)
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
	if err != nil {
		s.writeError(w, r, duplicateDependency(err))
		return
	}
	s.writeCreated(w, r, "dependencies", d.ID, s.reread(r, &d, func() (any, error) { return s.store.Dependency(ctx, scope, d.ID) }))
}

// duplicateDependency words the store's duplicate for what it is here: the
// pair of systems is recorded already (the store's own message speaks of
// names). The API and the form say the same.
func duplicateDependency(err error) error {
	if e, ok := apperror.As(err); ok && e.Key == "conflict.duplicate_name" {
		return apperror.New(apperror.Conflict, "to_system_id", "api.conflict.duplicate_dependency")
	}
	return err
}

// updateDependencyJSON changes a dependency's kind and note. The two
// systems are what the dependency is: the body may repeat them (a record
// fetched, edited and sent back) but not change them.
func (s *Server) updateDependencyJSON(w http.ResponseWriter, r *http.Request) {
	ctx, scope := r.Context(), s.scope(r)
	var body inventory.Dependency
	if err := decodeUpdate(r, "dependency", &body, &body.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.store.Dependency(ctx, scope, body.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	switch {
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
	s.writeJSON(w, r, http.StatusOK, s.reread(r, d, func() (any, error) { return s.store.Dependency(ctx, scope, d.ID) }))
}

func (s *Server) deleteDependencyJSON(w http.ResponseWriter, r *http.Request) {
	ctx, scope := r.Context(), s.scope(r)
	id, err := apiPathID(r, "dependency")
	if err == nil {
		err = s.store.Update(ctx, scope, func(tx *inventory.Tx) error { return tx.DeleteDependency(ctx, id) })
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
