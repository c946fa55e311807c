package web

import "net/http"

// registerUI adds the HTML pages.
func (s *Server) registerUI() {
	s.mux.HandleFunc("GET /{$}", s.showHome)
	s.mux.HandleFunc("POST /lang", s.switchLanguage)
}

func (s *Server) showHome(w http.ResponseWriter, r *http.Request) {
	sum, err := s.store.Summary(r.Context(), s.scope(r))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "home", "home.title", sum)
}

// switchLanguage remembers the chosen language in a cookie and goes back to
// the page it was chosen on.
func (s *Server) switchLanguage(w http.ResponseWriter, r *http.Request) {
	l := "ko"
	if r.FormValue("lang") == "en" {
		l = "en"
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	back := r.FormValue("back")
	if len(back) == 0 || back[0] != '/' || (len(back) > 1 && (back[1] == '/' || back[1] == '\\')) {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
