package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/scimkit/scimkit/internal/scimjson"
	"github.com/scimkit/scimkit/patch"
)

// checkBody checks the Content-Type of a request that carries a JSON body
// and limits the body's size. Both application/scim+json (RFC 7644 §3.1)
// and application/json are accepted, with any parameters; a request
// without Content-Type is read as JSON.
func (h *Handler) checkBody(w http.ResponseWriter, r *http.Request) error {
	if err := checkEncoding(r); err != nil {
		return err
	}
	// The two usual values are accepted without parsing (which allocates
	// a parameter map).
	if ct := r.Header.Get("Content-Type"); ct != "" && ct != "application/scim+json" && ct != "application/json" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/scim+json" && mt != "application/json" {
			return errorf(http.StatusUnsupportedMediaType, "", "content type %q is not application/scim+json or application/json", truncate(ct, 64))
		}
	}
	h.limitBody(w, r)
	if r.ContentLength > h.cfg.maxBody {
		return errorf(http.StatusRequestEntityTooLarge, "", "request body larger than %d bytes", h.cfg.maxBody)
	}
	return nil
}

// checkEncoding refuses, with 415, a body in a Content-Encoding the handler
// does not decode (RFC 9110 §8.4: gzip, br, deflate, anything but
// identity): read as plain bytes it would be refused as malformed JSON at
// best. A client that compresses its bodies learns to send them plain.
func checkEncoding(r *http.Request) error {
	for _, v := range r.Header.Values("Content-Encoding") {
		for c := range strings.SplitSeq(v, ",") {
			if c = strings.TrimSpace(c); c != "" && !strings.EqualFold(c, "identity") {
				return errorf(http.StatusUnsupportedMediaType, "", "content encoding %q is not supported: send the body uncompressed", truncate(c, 32))
			}
		}
	}
	return nil
}

// limitBody makes reading more than the body limit fail with an
// *http.MaxBytesError (413).
func (h *Handler) limitBody(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(serverWriter(w), r.Body, h.cfg.maxBody)
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

// bodyError maps a failure to read the body: over the limit is 413,
// anything else a 400.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return errorf(http.StatusBadRequest, TypeInvalidSyntax, "reading the request body failed")
}

// readObject reads the body as one JSON object (see decodeObject).
func (h *Handler) readObject(r *http.Request) (map[string]any, error) {
	var m map[string]any
	err := h.readJSON(r, &m)
	return m, err
}

// readJSON reads the body and decodes it into v (see decodeBody).
func (h *Handler) readJSON(r *http.Request, v any) error {
	buf, err := h.readBody(r)
	if err != nil {
		return err
	}
	defer h.bufs.put(buf)
	return decodeBody(*buf, h.cfg.maxDepth, v)
}

// decodeObject decodes data as one JSON object, as decodeBody does.
func decodeObject(data []byte, maxDepth int) (map[string]any, error) {
	var m map[string]any
	err := decodeBody(data, maxDepth, &m)
	return m, err
}

// checkJSON refuses, with 400 invalidSyntax, a body that is not valid
// UTF-8 (encoding/json would store U+FFFD in place of the bad bytes) or
// is nested deeper than maxDepth, before any decoder reads it.
func checkJSON(data []byte, maxDepth int) error {
	if !utf8.Valid(data) {
		return errorf(http.StatusBadRequest, TypeInvalidSyntax, "the request body is not valid UTF-8")
	}
	if scimjson.Deeper(data, maxDepth) {
		return errorf(http.StatusBadRequest, TypeInvalidSyntax, "the request body is nested deeper than %d levels", maxDepth)
	}
	return nil
}

// decodeBody decodes data, a request body holding one JSON object, into
// v, a pointer to a map[string]any or to a struct, with encoding/json:
// numbers as json.Number, a repeated member's last value kept, struct
// fields matched case-insensitively. A body that is empty, not valid
// UTF-8, nested deeper than maxDepth, not JSON, followed by more data or
// not an object is a 400 invalidSyntax saying which. Any other error (a
// member of the wrong type for v) is returned as encoding/json reports it.
func decodeBody(data []byte, maxDepth int, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return errorf(http.StatusBadRequest, TypeInvalidSyntax, "the request body is empty")
	}
	if err := checkJSON(data, maxDepth); err != nil {
		return err
	}
	object := bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("{"))
	if !object {
		// Decoded only to tell invalid JSON from a value of another type.
		var other any
		v = &other
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		if !errors.As(err, &se) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return err
		}
		return &Error{Status: http.StatusBadRequest, Type: TypeInvalidSyntax, Detail: "the request body is not valid JSON: " + jsonErrorText(err)}
	}
	if _, err := dec.Token(); err != io.EOF {
		return errorf(http.StatusBadRequest, TypeInvalidSyntax, "the request body has data after the JSON value")
	}
	if !object {
		return errorf(http.StatusBadRequest, TypeInvalidSyntax, "the request body must be a JSON object")
	}
	return nil
}

// decodePatch decodes a PatchOp body (RFC 7644 §3.5.2) with patch.Decode,
// after the checks of checkJSON; patch.Decode's errors are *patch.Error.
func decodePatch(data []byte, maxDepth int) (*patch.Request, error) {
	if err := checkJSON(data, maxDepth); err != nil {
		return nil, err
	}
	return patch.Decode(data)
}

// readPatch reads the body as a PatchOp request (see decodePatch).
func (h *Handler) readPatch(r *http.Request) (*patch.Request, error) {
	buf, err := h.readBody(r)
	if err != nil {
		return nil, err
	}
	defer h.bufs.put(buf)
	return decodePatch(*buf, h.cfg.maxDepth)
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
