package scim

import (
	"encoding/json"
	"net/http"
	"strings"
)

// contentType picks the response media type: application/scim+json
// (RFC 7644 §3.1) unless the client accepts only application/json, as
// OneLogin asks.
func contentType(r *http.Request) string {
	acc := r.Header.Get("Accept")
	if acc != "" && strings.Contains(acc, "application/json") && !strings.Contains(acc, "application/scim+json") && !strings.Contains(acc, "*/*") {
		return "application/json; charset=utf-8"
	}
	return "application/scim+json; charset=utf-8"
}

// writeJSON encodes v with encoding/json as the response body. Maps are
// encoded with their keys sorted; structs in field order.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	writeBody(w, r, status, b)
	return nil
}

// writeBody writes a JSON body already encoded.
func writeBody(w http.ResponseWriter, r *http.Request, status int, b []byte) {
	setHeader(w, headerContentType, contentType(r))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
