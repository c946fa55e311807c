package web

import (
	"net/http"
	"net/url"
	"strconv"

	"yeonsok/internal/apperror"
	"yeonsok/internal/incident"
)

// Call lists on the agency and system pages: who is told of an incident,
// a form to add one and a button to delete one. Changing a contact is done
// by deleting and adding it again here, or by the API's PUT.

// contactsTable lists contacts with a delete button each, for whom may.
func (s *Server) contactsTable(r *http.Request, list []*incident.Contact, export, query string) *table {
	l := tr(lang(r))
	t := &table{ID: "contacts", Caption: l.t("contact.caption", len(list)), Export: export, Query: query,
		Columns: []column{{Label: l.t("contact.col.role")}, {Label: l.t("contact.col.name")}, {Label: l.t("contact.col.email")},
			{Label: l.t("contact.col.phone")}, {Label: l.t("contact.col.webhook")}, {Label: l.t("table.actions"), Action: true}}}
	deletes := s.may(r, "POST /contacts/{id}/delete")
	for _, c := range list {
		var action cell
		if deletes {
			action.Buttons = []button{{Label: l.t("action.delete"), Name: l.t("contact.delete_named", c.Name),
				Action: "/contacts/" + strconv.FormatInt(c.ID, 10) + "/delete", Class: "danger"}}
		}
		webhook := ""
		if c.WebhookURL != "" {
			webhook = hostOf(c.WebhookURL)
		}
		t.Rows = append(t.Rows, []cell{textCell(l.t("contact.role." + string(c.Role))), headCell(textCell(c.Name)), textCell(c.Email),
			textCell(c.Phone), textCell(webhook), action})
	}
	return t
}

// hostOf is where a webhook goes, without the path that may hold its token.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// agencyContacts is the agency's own list (its systems' lists are on their pages).
func (s *Server) agencyContacts(r *http.Request, agencyID int64, query string) (*table, error) {
	list, err := s.contacts.Contacts(r.Context(), s.scope(r), incident.ContactFilter{AgencyID: agencyID})
	if err != nil {
		return nil, err
	}
	var own []*incident.Contact
	for _, c := range list {
		if c.SystemID == 0 {
			own = append(own, c)
		}
	}
	return s.contactsTable(r, own, exportHref("agency", "contacts"), query), nil
}

func (s *Server) systemContacts(r *http.Request, systemID int64, query string) (*table, error) {
	list, err := s.contacts.Contacts(r.Context(), s.scope(r), incident.ContactFilter{SystemID: systemID})
	if err != nil {
		return nil, err
	}
	return s.contactsTable(r, list, exportHref("system", "contacts"), query), nil
}

func readContact(v url.Values, c *incident.Contact) []*apperror.Error {
	f := &formReader{v: v}
	c.Role, c.Name, c.Email, c.Phone = incident.Role(f.text("role")), f.text("name"), f.text("email"), f.text("phone")
	c.WebhookURL, c.WebhookSecret = f.text("webhook_url"), f.text("webhook_secret")
	c.Normalize()
	return problemsOf(c.Validate())
}

// contactForm adds a contact to the list at action; roles are the list's.
func (s *Server) contactForm(w http.ResponseWriter, r *http.Request, status int, name, action, back string, roles []string,
	values url.Values, problems []*apperror.Error) {
	l := tr(lang(r))
	// A secret typed is never sent back to the browser.
	values.Del("webhook_secret")
	b := newFormBuilder(l, values, problems)
	role := b.choose("role", "contact.col.role", b.keyed("contact.role.", roles...))
	role.Required = true
	secret := b.field("password", "webhook_secret", "contact.webhook_secret")
	secret.Hint = "contact.hint.secret"
	s.renderForm(w, r, status, b.page("contact.new", name, action, back,
		set("contact.set", role, b.required("name", "contact.col.name"), b.text("email", "contact.col.email"),
			b.text("phone", "contact.col.phone"), b.text("webhook_url", "contact.col.webhook"), secret)))
}

var (
	agencyRoles = []string{string(incident.RolePrimary), string(incident.RoleSecondary), string(incident.RoleHead)}
	systemRoles = []string{string(incident.RolePrimary), string(incident.RoleSecondary)}
)

func (s *Server) showNewAgencyContact(w http.ResponseWriter, r *http.Request) {
	a, err := fromPath(s, r, "agency", s.store.Agency)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.contactForm(w, r, http.StatusOK, a.Name, agencyHref(a.ID)+"/contacts", agencyHref(a.ID)+"#contacts", agencyRoles,
		url.Values{"role": {string(incident.RolePrimary)}}, nil)
}

func (s *Server) createAgencyContact(w http.ResponseWriter, r *http.Request) {
	a, err := fromPath(s, r, "agency", s.store.Agency)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.createContact(w, r, &incident.Contact{AgencyID: a.ID}, a.Name, agencyHref(a.ID), agencyRoles)
}

func (s *Server) showNewSystemContact(w http.ResponseWriter, r *http.Request) {
	sys, err := fromPath(s, r, "system", s.store.System)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.contactForm(w, r, http.StatusOK, sys.Name, systemHref(sys.ID)+"/contacts", systemHref(sys.ID)+"#contacts", systemRoles,
		url.Values{"role": {string(incident.RolePrimary)}}, nil)
}

func (s *Server) createSystemContact(w http.ResponseWriter, r *http.Request) {
	sys, err := fromPath(s, r, "system", s.store.System)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.createContact(w, r, &incident.Contact{AgencyID: sys.AgencyID, SystemID: sys.ID}, sys.Name, systemHref(sys.ID), systemRoles)
}

// createContact adds c, read from the posted form, to the list of the page at page.
func (s *Server) createContact(w http.ResponseWriter, r *http.Request, c *incident.Contact, name, page string, roles []string) {
	s.submit(w, r, formPost{
		read: func(v url.Values) []*apperror.Error { return readContact(v, c) },
		save: func() error { return s.contacts.Create(r.Context(), s.scope(r), c) },
		again: func(status int, v url.Values, problems []*apperror.Error) {
			s.contactForm(w, r, status, name, page+"/contacts", page+"#contacts", roles, v, problems)
		},
		next: func() string { return page + "#contacts" },
	})
}

// deleteContact deletes a contact and goes back to the page of its list.
func (s *Server) deleteContact(w http.ResponseWriter, r *http.Request) {
	c, err := fromPath(s, r, "contact", s.contacts.Contact)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	back := "/"
	switch {
	case c.SystemID != 0:
		back = systemHref(c.SystemID) + "#contacts"
	case c.AgencyID != 0:
		back = agencyHref(c.AgencyID) + "#contacts"
	}
	s.removeWith(w, r, "contact", func(id int64) error { return s.contacts.Delete(r.Context(), s.scope(r), id) }, back, nil)
}
