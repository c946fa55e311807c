package web

import (
	"net/http"

	"yeonsok/internal/inventory"
)

func (s *Server) listServicesJSON(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.Services(r.Context(), s.scope(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, svc := range list {
		serviceJSON(svc)
	}
	writeItems(s, w, r, list)
}

func (s *Server) showServiceJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "service")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	svc, err := s.readService(r, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, svc)
}

func (s *Server) createServiceJSON(w http.ResponseWriter, r *http.Request) {
	ctx, scope := r.Context(), s.scope(r)
	var svc inventory.Service
	if err := decodeJSON(r, &svc); err != nil {
		s.writeError(w, r, err)
		return
	}
	svc.ID = 0
	if err := s.store.Update(ctx, scope, func(tx *inventory.Tx) error { return tx.CreateService(ctx, &svc) }); err != nil {
		s.writeError(w, r, bodyField(err))
		return
	}
	s.writeCreated(w, r, "services", svc.ID, s.reread(r, serviceJSON(&svc), func() (any, error) { return s.readService(r, svc.ID) }))
}

// updateServiceJSON replaces the service's fields, its supporting systems
// included, with the body.
func (s *Server) updateServiceJSON(w http.ResponseWriter, r *http.Request) {
	ctx, scope := r.Context(), s.scope(r)
	var svc inventory.Service
	if err := decodeUpdate(r, "service", &svc, &svc.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.store.Update(ctx, scope, func(tx *inventory.Tx) error { return tx.UpdateService(ctx, &svc) }); err != nil {
		s.writeError(w, r, bodyField(err))
		return
	}
	s.writeJSON(w, r, http.StatusOK, s.reread(r, serviceJSON(&svc), func() (any, error) { return s.readService(r, svc.ID) }))
}

func (s *Server) deleteServiceJSON(w http.ResponseWriter, r *http.Request) {
	ctx, scope := r.Context(), s.scope(r)
	id, err := apiPathID(r, "service")
	if err == nil {
		err = s.store.Update(ctx, scope, func(tx *inventory.Tx) error { return tx.DeleteService(ctx, id) })
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) readService(r *http.Request, id int64) (*inventory.Service, error) {
	svc, err := s.store.Service(r.Context(), s.scope(r), id)
	if err != nil {
		return nil, err
	}
	return serviceJSON(svc), nil
}

// serviceJSON answers a service no system supports yet with [], not null.
func serviceJSON(svc *inventory.Service) *inventory.Service {
	if svc.SystemIDs == nil {
		svc.SystemIDs = []int64{}
	}
	return svc
}
