package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/kubedeck/kubedeck/shared"
)

// apiFunc is the one shape of an API handler: it gets the request and the
// identity the wrapper resolved once (the zero Identity on public routes) and
// returns the reply's data, or an error. A reply value sets the status and
// message; anything else is sent as data with 200 OK.
type apiFunc func(r *http.Request, id Identity) (any, error)

// reply is a success reply whose status or message is not the default.
type reply struct {
	status  int
	data    any
	message string
}

// withMessage is a 200 OK with data and a message for people.
func withMessage(data any, message string) reply {
	return reply{status: http.StatusOK, data: data, message: message}
}

// accepted is the 202 of an endpoint that started op: the data is
// {"operation": op}, as GET /api/v1/operations/{id} serves it.
func accepted(op shared.Operation, message string) reply {
	return reply{status: http.StatusAccepted, data: shared.OperationReply{Operation: op}, message: message}
}

// startedOperation is the operation a reply says was started: the data of
// a 202; nil for any other.
func startedOperation(data any) *shared.Operation {
	rep, ok := data.(reply)
	if !ok || rep.status != http.StatusAccepted {
		return nil
	}
	if or, ok := rep.data.(shared.OperationReply); ok {
		return &or.Operation
	}
	return nil
}

// changeFunc is the shape of a handler that changes something: besides the
// request and identity it gets the audit record of the change, in which it
// names what it changes (audit.as) before it can fail.
type changeFunc func(r *http.Request, id Identity, audit *auditRecord) (any, error)

// api adapts an apiFunc to http.Handler, as change does; a handler that
// changes something but names nothing is audited with the request's
// method and the object its path names.
func (s *Server) api(fn apiFunc) http.Handler {
	return s.change(func(r *http.Request, id Identity, _ *auditRecord) (any, error) { return fn(r, id) })
}

// change adapts a changeFunc to http.Handler; it is the one place that
// reads the identity, writes the envelope, turns errors into replies and,
// for every request that may change something (any method but GET and
// HEAD), writes the audit line.
func (s *Server) change(fn changeFunc) http.Handler {
	return gated(func(w http.ResponseWriter, r *http.Request) {
		id, err := s.gate(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		var record auditRecord
		data, err := fn(r, id, &record)
		if id.User.Name != "" && changes(r) {
			s.auditStarted(r, id, record.verbFor(r), record.objectFor(r), err, startedOperation(data))
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		rep, ok := data.(reply)
		if !ok {
			rep = reply{status: http.StatusOK, data: data}
		}
		s.writeData(w, rep.status, rep.data, rep.message)
	})
}

// rawAPI adapts a handler that writes its own reply (the WebSocket upgrade)
// to http.Handler: it passes gate like every API handler and gets the
// identity as an argument; an error it returns becomes the error envelope.
func (s *Server) rawAPI(fn func(w http.ResponseWriter, r *http.Request, id Identity) error) http.Handler {
	return gated(func(w http.ResponseWriter, r *http.Request) {
		id, err := s.gate(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := fn(w, r, id); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// gated is a handler built by api or rawAPI, which pass gate before
// anything else. handle refuses to register any other handler for an API
// route, so no API route can answer without its identity check.
type gated func(w http.ResponseWriter, r *http.Request)

func (g gated) ServeHTTP(w http.ResponseWriter, r *http.Request) { g(w, r) }

// writeData sends a success envelope with data and an optional message.
func (s *Server) writeData(w http.ResponseWriter, status int, data any, message string) {
	raw, err := json.Marshal(data)
	if err != nil {
		s.log.Error("encode reply", "err", err)
		writeEnvelope(w, http.StatusInternalServerError, shared.Envelope{
			Error: &shared.Error{Code: shared.CodeInternal, Message: "The reply could not be encoded."}})
		return
	}
	writeEnvelope(w, status, shared.Envelope{Success: true, Data: raw, Message: message})
}

// writeError sends the error envelope for err and logs server-side faults.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	ae, fault := toAPIError(err)
	if fault {
		s.log.Error("request failed", "request_id", requestID(r), "method", r.Method,
			"path", r.URL.Path, "code", ae.code, "err", err)
	} else {
		s.log.Debug("request refused", "request_id", requestID(r), "code", ae.code, "err", err)
	}
	if ae.code == shared.CodeRateLimited {
		if d, ok := ae.details[shared.DetailRetryAfter].(int); ok {
			w.Header().Set("Retry-After", strconv.Itoa(d))
		}
	}
	writeEnvelope(w, ae.code.HTTPStatus(), shared.Envelope{
		Error: &shared.Error{Code: ae.code, Message: ae.message, Details: ae.details}})
}

// writeEnvelope encodes into a buffer first, so a failed encode never leaves
// a half-written reply, then sends headers, status and body.
func writeEnvelope(w http.ResponseWriter, status int, env shared.Envelope) {
	env.Timestamp = time.Now().UTC().Truncate(time.Second)
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(env); err != nil {
		http.Error(w, `{"success":false}`, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// decodeJSON reads one JSON value from the body into v, refusing unknown
// fields and trailing data, and says in the error what is wrong with it.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if dec.More() {
			return invalid("The request body holds more than one JSON value.", nil)
		}
		if _, err := dec.Token(); err != io.EOF {
			return invalid("The request body holds data after its JSON value.", nil)
		}
		return nil
	}
	var (
		syntax   *json.SyntaxError
		typeErr  *json.UnmarshalTypeError
		tooLarge *http.MaxBytesError
	)
	switch {
	case errors.As(err, &tooLarge):
		return err
	case errors.Is(err, io.EOF):
		return invalid("The request body is empty; a JSON object was expected.", nil)
	case errors.As(err, &syntax):
		return invalid(fmt.Sprintf("The request body is not valid JSON (at byte %d).", syntax.Offset),
			map[string]any{"offset": syntax.Offset})
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("The request body is not valid JSON: it ends too early.", nil)
	case errors.As(err, &typeErr):
		return invalid(fmt.Sprintf("Field %q must be a %s, not a JSON %s.", typeErr.Field, typeErr.Type, typeErr.Value),
			map[string]any{shared.DetailField: typeErr.Field})
	default:
		// Unknown fields: encoding/json says `json: unknown field "x"`.
		return invalid("The request body does not fit: "+trimJSONPrefix(err.Error())+".", nil)
	}
}

func trimJSONPrefix(s string) string {
	const p = "json: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

// writeJSONPlain sends v as plain JSON, for the operations endpoints that
// monitoring reads (not the API envelope).
func writeJSONPlain(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		http.Error(w, "encode: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
