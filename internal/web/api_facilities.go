package web

import (
	"net/http"

	"yeonsok/internal/apperror"
	"yeonsok/internal/inventory"
)

func (s *Server) listFacilitiesJSON(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.Facilities(r.Context(), s.scope(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, f := range list {
		facilityJSON(f)
	}
	writeItems(s, w, r, list)
}

func (s *Server) showFacilityJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "facility")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := s.store.Facility(r.Context(), s.scope(r), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, facilityJSON(f))
}

func (s *Server) createFacilityJSON(w http.ResponseWriter, r *http.Request) {
	ctx, scope := r.Context(), s.scope(r)
	var f inventory.Facility
	if err := decodeJSON(r, &f); err != nil {
		s.writeError(w, r, err)
		return
	}
	f.ID = 0
	if err := s.store.Update(ctx, scope, func(tx *inventory.Tx) error { return tx.CreateFacility(ctx, &f) }); err != nil {
		s.writeError(w, r, bodyField(err))
		return
	}
	s.writeCreated(w, r, "facilities", f.ID, s.reread(r, facilityJSON(&f), func() (any, error) { return s.readFacility(r, f.ID) }))
}

// updateFacilityJSON replaces the facility's fields with the body.
func (s *Server) updateFacilityJSON(w http.ResponseWriter, r *http.Request) {
	ctx, scope := r.Context(), s.scope(r)
	var f inventory.Facility
	if err := decodeUpdate(r, "facility", &f, &f.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.store.Update(ctx, scope, func(tx *inventory.Tx) error { return tx.UpdateFacility(ctx, &f) }); err != nil {
		s.writeError(w, r, bodyField(err))
		return
	}
	s.writeJSON(w, r, http.StatusOK, s.reread(r, facilityJSON(&f), func() (any, error) { return s.readFacility(r, f.ID) }))
}

// deleteFacilityJSON removes a facility no system is placed in; one that
// still holds systems is a conflict saying how many.
func (s *Server) deleteFacilityJSON(w http.ResponseWriter, r *http.Request) {
	ctx, scope := r.Context(), s.scope(r)
	id, err := apiPathID(r, "facility")
	if err == nil {
		err = s.store.Update(ctx, scope, func(tx *inventory.Tx) error { return tx.DeleteFacility(ctx, id) })
	}
	if isConflict(err) {
		if placed, lerr := s.store.Systems(ctx, scope, inventory.SystemFilter{FacilityID: id}); lerr == nil && len(placed) > 0 {
			err = apperror.New(apperror.Conflict, "", "api.conflict.facility_in_use", len(placed))
		}
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) readFacility(r *http.Request, id int64) (*inventory.Facility, error) {
	f, err := s.store.Facility(r.Context(), s.scope(r), id)
	if err != nil {
		return nil, err
	}
	return facilityJSON(f), nil
}

// facilityJSON answers a checklist nobody filled in as {}, not null.
func facilityJSON(f *inventory.Facility) *inventory.Facility {
	if f.Conditions == nil {
		f.Conditions = map[string]string{}
	}
	return f
}
