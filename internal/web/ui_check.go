package web

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"yeonsok/internal/apperror"
	"yeonsok/internal/monitor"
)

// A check's settings: how often and how patiently its endpoint is probed,
// how many results in a row change its state, and what the kind of check
// looks at. An empty field takes the default, which the field names. The
// Watcher reloads the checks once they are saved, so the next probe uses
// them.

// checkValues are a check's stored settings as its form shows them: a
// zero setting is an empty field.
func checkValues(c *monitor.Check) url.Values {
	whole := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	statuses := make([]string, len(c.ExpectStatus))
	for i, code := range c.ExpectStatus {
		statuses[i] = strconv.Itoa(code)
	}
	var headers []string
	for _, name := range slices.Sorted(maps.Keys(c.Headers)) {
		headers = append(headers, name+": "+c.Headers[name])
	}
	return url.Values{
		"interval": {whole(int64(c.Interval / time.Second))}, "timeout": {whole(int64(c.Timeout / time.Second))},
		"failures_to_down": {whole(int64(c.FailuresToDown))}, "successes_to_up": {whole(int64(c.SuccessesToUp))},
		"method": {c.Method}, "headers": {strings.Join(headers, "\n")}, "expect_status": {strings.Join(statuses, ", ")},
		"body_contains": {c.BodyContains}, "body_matches": {c.BodyMatches}, "max_latency": {whole(c.MaxLatency.Milliseconds())},
		"follow_redirects": {boolValue(c.FollowRedirects)}, "ca_cert_pem": {c.CACertPEM}, "skip_verify": {boolValue(c.SkipVerify)},
		"dns_server": {c.DNSServer}, "record_type": {c.RecordType}, "expect_answers": {strings.Join(c.ExpectAnswers, "\n")},
		"warn_days": {whole(int64(c.WarnDays))},
	}
}

// readCheck reads the posted settings into c, keeping what the form does
// not hold (its system, kind and target).
func readCheck(v url.Values, c *monitor.Check) []*apperror.Error {
	f := &formReader{v: v}
	whole := func(name string) int64 {
		if n := f.int(name); n != nil {
			return *n
		}
		return 0
	}
	c.Interval, c.Timeout = time.Duration(whole("interval"))*time.Second, time.Duration(whole("timeout"))*time.Second
	c.FailuresToDown, c.SuccessesToUp = int(whole("failures_to_down")), int(whole("successes_to_up"))
	c.Method, c.BodyContains, c.BodyMatches = f.text("method"), f.text("body_contains"), f.text("body_matches")
	c.MaxLatency = time.Duration(whole("max_latency")) * time.Millisecond
	c.FollowRedirects, c.SkipVerify = f.bool("follow_redirects"), f.bool("skip_verify")
	c.CACertPEM, c.DNSServer, c.RecordType = f.long("ca_cert_pem"), f.text("dns_server"), f.text("record_type")
	c.ExpectAnswers, c.WarnDays = splitLines(f.v.Get("expect_answers")), int(whole("warn_days"))
	c.Headers = map[string]string{}
	for _, line := range splitLines(f.v.Get("headers")) {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			f.fail("headers", "monitor.form.header_line", line)
			continue
		}
		c.Headers[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	c.ExpectStatus = nil
	for _, code := range strings.FieldsFunc(f.text("expect_status"), func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.Atoi(code)
		if err != nil {
			f.fail("expect_status", "form.invalid_whole_number", code)
			continue
		}
		c.ExpectStatus = append(c.ExpectStatus, n)
	}
	if len(f.problems) > 0 {
		return f.problems
	}
	c.Normalize()
	return problemsOf(c.Validate())
}

// checkForm shows a check's settings: those of every check, then those of
// its kind only (a setting another kind would not use is not offered).
func (s *Server) checkForm(w http.ResponseWriter, r *http.Request, status int, c *monitor.Check, grade int, system string,
	values url.Values, problems []*apperror.Error) {
	l := tr(lang(r))
	b := newFormBuilder(l, values, problems)
	seconds := func(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }
	withDefault := func(f *field, key string, args ...any) *field {
		f.Hint, f.HintArgs = key, args
		return f
	}
	sets := []*fieldset{set("monitor.check.set.schedule",
		withDefault(b.number("interval", "monitor.check.interval"), "monitor.check.hint.interval", seconds(monitor.DefaultInterval(grade)), l.grade(grade)),
		withDefault(b.number("timeout", "monitor.check.timeout"), "monitor.check.hint.timeout", seconds(monitor.DefaultTimeout)),
		withDefault(b.number("failures_to_down", "monitor.check.failures_to_down"), "monitor.check.hint.in_a_row", monitor.DefaultFailures),
		withDefault(b.number("successes_to_up", "monitor.check.successes_to_up"), "monitor.check.hint.in_a_row", monitor.DefaultSuccesses))}
	tlsFields := func() []*field {
		return []*field{withDefault(b.textarea("ca_cert_pem", "monitor.check.ca_cert_pem"), "monitor.check.hint.ca_cert_pem"),
			withDefault(b.checkbox("skip_verify", "monitor.check.skip_verify"), "monitor.check.hint.skip_verify")}
	}
	switch c.Kind {
	case monitor.KindHTTP:
		methods := options("", l.t("monitor.check.default_method"))
		for _, m := range monitor.Methods {
			methods.Options = append(methods.Options, option{Value: m, Label: m})
		}
		sets = append(sets, set("monitor.check.set.http", append([]*field{
			b.choose("method", "monitor.check.method", methods),
			withDefault(b.textarea("headers", "monitor.check.headers"), "monitor.check.hint.headers"),
			withDefault(b.text("expect_status", "monitor.check.expect_status"), "monitor.check.hint.expect_status"),
			withDefault(b.text("body_contains", "monitor.check.body_contains"), "monitor.check.hint.body"),
			withDefault(b.text("body_matches", "monitor.check.body_matches"), "monitor.check.hint.body_matches"),
			withDefault(b.number("max_latency", "monitor.check.max_latency"), "monitor.check.hint.max_latency"),
			withDefault(b.checkbox("follow_redirects", "monitor.check.follow_redirects"), "monitor.check.hint.follow_redirects"),
		}, tlsFields()...)...))
	case monitor.KindDNS:
		types := options("", l.t("monitor.check.default_record_type"))
		for _, t := range monitor.RecordTypes {
			types.Options = append(types.Options, option{Value: t, Label: t})
		}
		sets = append(sets, set("monitor.check.set.dns",
			withDefault(b.text("dns_server", "monitor.check.dns_server"), "monitor.check.hint.dns_server"),
			b.choose("record_type", "monitor.check.record_type", types),
			withDefault(b.textarea("expect_answers", "monitor.check.expect_answers"), "monitor.check.hint.expect_answers")))
	case monitor.KindTLS:
		sets = append(sets, set("monitor.check.set.tls", append([]*field{
			withDefault(b.number("warn_days", "monitor.check.warn_days"), "monitor.check.hint.warn_days", monitor.DefaultWarnDays),
		}, tlsFields()...)...))
	}
	name := fmt.Sprintf("%s · %s", system, c.Target)
	s.renderForm(w, r, status, b.page("monitor.check.edit", name, checkHref(c.ID), systemHref(c.SystemID)+"#monitoring", sets...))
}

// checkOnPath is the check a form's path names, with the grade and name of
// its system (the interval's default follows the grade).
func (s *Server) checkOnPath(r *http.Request) (*monitor.Check, int, string, error) {
	c, err := fromPath(s, r, "check", s.monitors.Check)
	if err != nil {
		return nil, 0, "", err
	}
	sys, err := s.store.System(r.Context(), s.scope(r), c.SystemID)
	if err != nil {
		return nil, 0, "", err
	}
	return c, sys.Grade, sys.Name, nil
}

func (s *Server) showEditCheck(w http.ResponseWriter, r *http.Request) {
	c, grade, system, err := s.checkOnPath(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.checkForm(w, r, http.StatusOK, c, grade, system, checkValues(c), nil)
}

// updateCheck saves a check's settings and has the Watcher take them up.
func (s *Server) updateCheck(w http.ResponseWriter, r *http.Request) {
	stored, grade, system, err := s.checkOnPath(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	c := &monitor.Check{ID: stored.ID, SystemID: stored.SystemID, Kind: stored.Kind, Target: stored.Target}
	s.submit(w, r, formPost{
		read: func(v url.Values) []*apperror.Error { return readCheck(v, c) },
		save: func() error {
			if err := s.monitors.UpdateCheck(r.Context(), s.scope(r), c); err != nil {
				return err
			}
			s.reloadChecks(r.Context())
			return nil
		},
		again: func(status int, v url.Values, problems []*apperror.Error) {
			s.checkForm(w, r, status, stored, grade, system, v, problems)
		},
		next: func() string { return systemHref(c.SystemID) + "#monitoring" },
	})
}
