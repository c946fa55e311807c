package web

import (
	"net/http"

	"yeonsok/internal/apperror"
)

// renderError shows an error as a page. Errors that are not the user's to
// fix are logged and shown without detail.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := apperror.As(err)
	if !ok {
		s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		e = apperror.New(apperror.Internal, "", "internal.error")
	}
	s.render(w, r, statusOf(e.Code), "error", "error.title", e.Message(lang(r)))
}
