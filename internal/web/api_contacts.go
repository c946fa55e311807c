package web

import (
	"net/http"
	"strconv"

	"yeonsok/internal/apperror"
	"yeonsok/internal/incident"
)

// The call lists (issue 6): who is told of an incident. An agency's
// writers manage their agency's list and its systems' lists; the ministry's
// list is seen and changed by ministry-wide callers only (the store
// decides). A webhook secret is written and never read back.

// contactInput is a contact as a request sends it: the contact and, write
// only, its webhook secret (empty on an update: keep the stored one).
type contactInput struct {
	incident.Contact
	WebhookSecret string `json:"webhook_secret"`
}

func (in *contactInput) contact() *incident.Contact {
	c := in.Contact
	c.WebhookSecret = in.WebhookSecret
	return &c
}

// listContactsJSON lists the contacts in scope, narrowed by ?agency_id=
// (the agency's contacts, its systems' included) and ?system_id=.
func (s *Server) listContactsJSON(w http.ResponseWriter, r *http.Request) {
	var f incident.ContactFilter
	for name, dst := range map[string]*int64{"agency_id": &f.AgencyID, "system_id": &f.SystemID} {
		v := r.URL.Query().Get(name)
		if v == "" {
			continue
		}
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.writeError(w, r, apperror.New(apperror.Invalid, name, "api.filter.id", v))
			return
		}
		*dst = id
	}
	list, err := s.contacts.Contacts(r.Context(), s.scope(r), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeItems(s, w, r, list)
}

func (s *Server) showContactJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "contact")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.contacts.Contact(r.Context(), s.scope(r), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, c)
}

func (s *Server) createContactJSON(w http.ResponseWriter, r *http.Request) {
	var in contactInput
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	c := in.contact()
	if err := s.contacts.Create(r.Context(), s.scope(r), c); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeCreated(w, r, "contacts", c.ID, c)
}

// updateContactJSON replaces the contact's role and ways to reach it; its
// list stays. An empty webhook_secret keeps the stored one.
func (s *Server) updateContactJSON(w http.ResponseWriter, r *http.Request) {
	var in contactInput
	if err := decodeUpdate(r, "contact", &in, &in.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	c := in.contact()
	if err := s.contacts.Update(r.Context(), s.scope(r), c); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, c)
}

func (s *Server) deleteContactJSON(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "contact")
	if err == nil {
		err = s.contacts.Delete(r.Context(), s.scope(r), id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
