package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"unicode/utf8"
)

// checkBody checks the Content-Type of a request that carries a JSON body
// and limits the body's size. Both application/scim+json (RFC 7644 §3.1)
// and application/json are accepted, with any parameters; a request
// without Content-Type is read as JSON.
func (h *Handler) checkBody(w http.ResponseWriter, r *http.Request) error {
	// The two usual values are accepted without parsing (which allocates
	// a parameter map).
	if ct := r.Header.Get("Content-Type"); ct != "" && ct != "application/scim+json" && ct != "application/json" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/scim+json" && mt != "application/json" {
			return errorf(http.StatusUnsupportedMediaType, "", "content type %q is not application/scim+json or application/json", truncate(ct, 64))
		}
	}
	if r.ContentLength > h.cfg.maxBody {
		return errorf(http.StatusRequestEntityTooLarge, "", "request body larger than %d bytes", h.cfg.maxBody)
	}
	r.Body = http.MaxBytesReader(serverWriter(w), r.Body, h.cfg.maxBody)
	return nil
}

// readObject reads the body as one JSON object: valid UTF-8, nested at
// most maxDepth deep, numbers as json.Number.
func (h *Handler) readObject(r *http.Request) (map[string]any, error) {
	buf, err := h.readBody(r)
	if err != nil {
		return nil, err
	}
	defer h.bufs.put(buf)
	return decodeObject(*buf, h.cfg.maxDepth)
}

// readBody reads the whole body into a buffer of h.bufs, which the caller
// puts back when done with it.
func (h *Handler) readBody(r *http.Request) (*[]byte, error) {
	buf := h.bufs.get()
	b := *buf
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			*buf = b
			h.bufs.put(buf)
			return nil, bodyError(err)
		}
	}
	*buf = b
	return buf, nil
}

// decodeObject decodes data as one JSON object (see readObject). The
// decoded strings do not share data's memory.
func decodeObject(data []byte, maxDepth int) (map[string]any, error) {
	if v, replaced, ok := decodeJSON(data, maxDepth); ok && !replaced {
		if m, ok := v.(map[string]any); ok {
			return m, nil
		}
	}
	// Refused input (or invalid UTF-8, refused here): encoding/json
	// tells what is wrong.
	return decodeObjectStd(data, maxDepth)
}

// decodeObjectStd is decodeObject with encoding/json, whose error messages
// the errors of decodeObject show.
func decodeObjectStd(data []byte, maxDepth int) (map[string]any, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errorf(http.StatusBadRequest, TypeInvalidSyntax, "the request body is empty")
	}
	if !utf8.Valid(data) {
		return nil, errorf(http.StatusBadRequest, TypeInvalidSyntax, "the request body is not valid UTF-8")
	}
	if err := checkDepth(data, maxDepth); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Type: TypeInvalidSyntax, Detail: "the request body is not valid JSON: " + jsonErrorText(err)}
	}
	if dec.More() {
		return nil, errorf(http.StatusBadRequest, TypeInvalidSyntax, "the request body has data after the JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errorf(http.StatusBadRequest, TypeInvalidSyntax, "the request body has data after the JSON value")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errorf(http.StatusBadRequest, TypeInvalidSyntax, "the request body must be a JSON object")
	}
	return m, nil
}

// jsonErrorText describes a decoding error without echoing client data at
// length.
func jsonErrorText(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return truncate(se.Error(), 120)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "unexpected end of input"
	}
	return truncate(err.Error(), 120)
}

// checkDepth refuses JSON nested deeper than max before it is decoded, so
// that a hostile body cannot make the decoder recurse deeply.
func checkDepth(data []byte, max int) error {
	depth, inStr, esc := 0, false, false
	for _, c := range data {
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
			if depth > max {
				return errorf(http.StatusBadRequest, TypeInvalidSyntax, "the request body is nested deeper than %d levels", max)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

// truncate shortens s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
