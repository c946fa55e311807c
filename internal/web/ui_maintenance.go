package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"yeonsok/internal/apperror"
	"yeonsok/internal/locale"
	"yeonsok/internal/monitor"
)

// Maintenance windows: planned work on a system, whose time its uptime
// leaves out. They are added from the system's page, in KST as people
// read the clock, and stored in UTC; one entered by mistake is deleted.

// dateTimeInput is how a datetime-local input sends its value; a browser
// without one lets people type it, perhaps with a space for the T.
const dateTimeInput = "2006-01-02T15:04"

var dateTimeLayouts = []string{dateTimeInput, "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"}

// dateTime is a date-and-time input, read in KST.
func (b *formBuilder) dateTime(name, label string) *field {
	f := b.field("datetime", name, label)
	f.Required = true
	f.Hint = "monitor.maintenance.hint.kst"
	return f
}

// readDateTime reads a date and time in KST; empty is the zero time, for
// Validate to call required.
func readDateTime(f *formReader, name string) time.Time {
	text := f.text(name)
	if text == "" {
		return time.Time{}
	}
	for _, layout := range dateTimeLayouts {
		if t, err := time.ParseInLocation(layout, text, locale.KST); err == nil {
			return t
		}
	}
	f.fail(name, "form.invalid_datetime", text)
	return time.Time{}
}

func dateTimeValue(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(locale.KST).Format(dateTimeInput)
}

func maintenanceValues(w *monitor.MaintenanceWindow) url.Values {
	return url.Values{"starts_at": {dateTimeValue(w.StartsAt)}, "ends_at": {dateTimeValue(w.EndsAt)}, "note": {w.Note}}
}

func readMaintenance(v url.Values, w *monitor.MaintenanceWindow) []*apperror.Error {
	f := &formReader{v: v}
	w.StartsAt, w.EndsAt, w.Note = readDateTime(f, "starts_at"), readDateTime(f, "ends_at"), f.long("note")
	if len(f.problems) > 0 {
		return f.problems
	}
	w.Normalize()
	return problemsOf(w.Validate())
}

// maintenanceTable lists a system's maintenance windows, each with a
// button that deletes it for whom may.
func (s *Server) maintenanceTable(r *http.Request, windows []*monitor.MaintenanceWindow, export, query string) *table {
	l := tr(lang(r))
	t := &table{ID: "maintenance", Caption: l.t("monitor.maintenance.caption", len(windows)), Export: export, Query: query,
		Columns: []column{{Label: l.t("monitor.col.starts")}, {Label: l.t("monitor.col.ends")}, {Label: l.t("monitor.col.duration")},
			{Label: l.t("monitor.col.note")}, {Label: l.t("monitor.col.created")}, {Label: l.t("table.actions"), Action: true}}}
	deletes := s.may(r, "POST /maintenance/{id}/delete")
	for _, w := range windows {
		var action cell
		if deletes {
			label := l.t("action.delete")
			action.Buttons = []button{{Label: label, Name: l.t("monitor.maintenance.delete_named", locale.DateTime(w.StartsAt)),
				Action: "/maintenance/" + strconv.FormatInt(w.ID, 10) + "/delete", Class: "danger"}}
		}
		t.Rows = append(t.Rows, []cell{headCell(textCell(locale.DateTime(w.StartsAt))), textCell(locale.DateTime(w.EndsAt)),
			textCell(l.duration(w.EndsAt.Sub(w.StartsAt))), textCell(w.Note),
			textCell(l.t("monitor.maintenance.by", w.CreatedBy, locale.DateTime(w.CreatedAt))), action})
	}
	return t
}

func (s *Server) maintenanceForm(w http.ResponseWriter, r *http.Request, status int, systemID int64, name string, values url.Values, problems []*apperror.Error) {
	l := tr(lang(r))
	b := newFormBuilder(l, values, problems)
	note := b.text("note", "monitor.col.note")
	note.Hint = "monitor.maintenance.hint.note"
	s.renderForm(w, r, status, b.page("monitor.maintenance.new", name, systemHref(systemID)+"/maintenance", systemHref(systemID)+"#maintenance",
		set("monitor.maintenance.set", b.dateTime("starts_at", "monitor.col.starts"), b.dateTime("ends_at", "monitor.col.ends"), note)))
}

// showNewMaintenance offers a window from the next full hour, two hours
// long.
func (s *Server) showNewMaintenance(w http.ResponseWriter, r *http.Request) {
	sys, err := fromPath(s, r, "system", s.store.System)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	start := s.monitors.Now().Truncate(time.Hour).Add(time.Hour)
	s.maintenanceForm(w, r, http.StatusOK, sys.ID, sys.Name,
		maintenanceValues(&monitor.MaintenanceWindow{StartsAt: start, EndsAt: start.Add(2 * time.Hour)}), nil)
}

func (s *Server) createMaintenance(w http.ResponseWriter, r *http.Request) {
	sys, err := fromPath(s, r, "system", s.store.System)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	win := &monitor.MaintenanceWindow{SystemID: sys.ID}
	s.submit(w, r, formPost{
		read: func(v url.Values) []*apperror.Error { return readMaintenance(v, win) },
		save: func() error { return s.monitors.CreateMaintenanceWindow(r.Context(), s.scope(r), win) },
		again: func(status int, v url.Values, problems []*apperror.Error) {
			s.maintenanceForm(w, r, status, sys.ID, sys.Name, v, problems)
		},
		next: func() string { return systemHref(sys.ID) + "#maintenance" },
	})
}

// deleteMaintenance deletes a window and goes back to its system's page.
func (s *Server) deleteMaintenance(w http.ResponseWriter, r *http.Request) {
	win, err := fromPath(s, r, "maintenance_window", s.monitors.MaintenanceWindow)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.removeWith(w, r, "maintenance_window", func(id int64) error { return s.monitors.DeleteMaintenanceWindow(r.Context(), s.scope(r), id) },
		systemHref(win.SystemID)+"#maintenance", nil)
}
