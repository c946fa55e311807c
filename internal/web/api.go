package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"yeonsok/internal/apperror"
	"yeonsok/internal/locale"
)

// refuseMethodJSON answers a method the route does not take: 405 with an
// Allow header and the usual error body.
func (s *Server) refuseMethodJSON(allowed string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allowed)
		e := apperror.New(apperror.Invalid, "", "api.method_not_allowed", r.Method, allowed)
		s.writeJSON(w, r, http.StatusMethodNotAllowed, apiError{Error: apiErrorBody{Code: e.Code, Message: e.Message(lang(r))}})
	}
}

// refuseUnknownRouteJSON answers a path under /api/v1/ that names nothing.
func (s *Server) refuseUnknownRouteJSON(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, apperror.New(apperror.NotFound, "", "api.no_route", r.URL.Path))
}

// writeItems answers a listing as {"items":[…]}, never {"items":null}.
func writeItems[T any](s *Server, w http.ResponseWriter, r *http.Request, items []T) {
	s.writeJSON(w, r, http.StatusOK, map[string]any{"items": nonNil(items)})
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// writeCreated answers a new record with 201 and where it lives.
func (s *Server) writeCreated(w http.ResponseWriter, r *http.Request, collection string, id int64, record any) {
	w.Header().Set("Location", fmt.Sprintf("/api/v1/%s/%d", collection, id))
	s.writeJSON(w, r, http.StatusCreated, record)
}

// apiPathID reads the {id} of the path. Anything but a positive number names
// no record of kind (agency, facility, …), so it is not found.
func apiPathID(r *http.Request, kind string) (int64, error) {
	return apiPathValueID(r, "id", kind)
}

// apiPathValueID is apiPathID for the path's wildcard name.
func apiPathValueID(r *http.Request, name, kind string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperror.New(apperror.NotFound, "", "not_found."+kind)
	}
	return id, nil
}

// checkBodyID refuses a body whose id names another record than the path.
func checkBodyID(bodyID, pathID int64) error {
	if bodyID != 0 && bodyID != pathID {
		return apperror.New(apperror.Invalid, "id", "api.id_mismatch", bodyID, pathID)
	}
	return nil
}

// decodeUpdate reads the body of a PUT into dst, the record at the path's
// {id}, whose id field is idField. The body may repeat the path's id (a
// record fetched, edited and sent back) but not name another record;
// afterwards idField holds the path's id. Whether the record exists in the
// caller's scope is the store's to say, in the update's own transaction.
func decodeUpdate(r *http.Request, kind string, dst any, idField *int64) error {
	id, err := apiPathID(r, kind)
	if err != nil {
		return err
	}
	if err := decodeJSON(r, dst); err != nil {
		return err
	}
	if err := checkBodyID(*idField, id); err != nil {
		return err
	}
	*idField = id
	return nil
}

// decodeJSON reads the request body into dst: exactly one JSON object with
// only the fields dst knows. Every failure is an *apperror.Error naming the
// problem (and the field, when there is one) in the catalogue's words; a
// body over the size limit is returned as the *http.MaxBytesError that
// writeError maps.
func decodeJSON(r *http.Request, dst any) error { return decodeBody(r, dst, true) }

// decodeForeignJSON is decodeJSON for a body whose format another program
// defines (Alertmanager's webhook): fields dst does not know are ignored,
// so that a newer version of the sender, adding fields, is not refused.
func decodeForeignJSON(r *http.Request, dst any) error { return decodeBody(r, dst, false) }

func decodeBody(r *http.Request, dst any, strict bool) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return fmt.Errorf("web: read request body: %w", err)
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return apperror.New(apperror.Invalid, "", "api.json.empty")
	}
	if body[0] != '{' && json.Valid(body) {
		return apperror.New(apperror.Invalid, "", "api.json.not_object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(dst); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apperror.New(apperror.Invalid, "", "api.json.trailing")
	}
	return nil
}

// jsonProblem turns a decoding error into a message for the caller; the
// decoder's own English text never reaches the body.
func jsonProblem(err error) error {
	var syntax *json.SyntaxError
	var wrongType *json.UnmarshalTypeError
	var badTime *time.ParseError
	switch {
	case errors.As(err, &syntax):
		return apperror.New(apperror.Invalid, "", "api.json.syntax", syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperror.New(apperror.Invalid, "", "api.json.incomplete")
	case errors.As(err, &wrongType):
		got, _, _ := strings.Cut(wrongType.Value, " ")
		return apperror.New(apperror.Invalid, wrongType.Field, "api.json.wrong_type", wrongType.Field,
			locale.Key("api.json_type."+jsonKind(wrongType.Type)), locale.Key("api.json_type."+jsonValueKind(got)))
	case errors.As(err, &badTime):
		return apperror.New(apperror.Invalid, "", "api.json.bad_time")
	}
	if name, ok := unknownField(err); ok {
		return apperror.New(apperror.Invalid, name, "api.json.unknown_field", name)
	}
	return apperror.New(apperror.Invalid, "", "api.json.invalid")
}

// unknownField reads the field name from encoding/json's error for a field
// the target does not have, which has no type of its own.
func unknownField(err error) (string, bool) {
	msg := err.Error()
	i := strings.Index(msg, "unknown field ")
	if i < 0 {
		return "", false
	}
	quoted := msg[i+len("unknown field "):]
	if name, err := strconv.Unquote(quoted); err == nil {
		return name, true
	}
	return strings.Trim(quoted, `"`), true
}

// jsonKind names the JSON type a Go field expects.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "value"
	}
	if t == reflect.TypeOf(time.Time{}) {
		return "string"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return jsonKind(t.Elem())
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Map, reflect.Struct:
		return "object"
	case reflect.Slice, reflect.Array:
		return "array"
	}
	return "value"
}

// jsonValueKind names the JSON type the caller sent, as the decoder reports
// it ("number", "string", "bool", "array", "object").
func jsonValueKind(v string) string {
	switch v {
	case "string", "number", "array", "object", "null":
		return v
	case "bool":
		return "boolean"
	}
	return "value"
}

// minuteFields are the inventory's validation fields whose JSON names carry
// the unit: the store says "rto_disaster", the body says
// "rto_disaster_minutes". An API error names the field as the body does.
var minuteFields = map[string]bool{
	"backup_full_every": true, "backup_incr_every": true, "offsite_every": true,
	"rto_disaster": true, "rpo_disaster": true, "rto_failure": true, "rpo_failure": true,
	"mtpd": true, "rto": true, "rpo": true,
}

// bodyField rewrites an error's field to the JSON name the caller sent.
func bodyField(err error) error {
	e, ok := apperror.As(err)
	if !ok || !minuteFields[e.Field] {
		return err
	}
	renamed := *e
	renamed.Field = e.Field + "_minutes"
	return &renamed
}

// isConflict reports whether err is a conflict the store found.
func isConflict(err error) bool { return apperror.CodeOf(err) == apperror.Conflict }
