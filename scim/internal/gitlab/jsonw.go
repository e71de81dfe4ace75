package gitlab

import (
	"encoding/json"
	"strconv"
)

// jsonWriter appends a JSON object's members in the order they are
// written, so responses have GitLab's exact key order.
type jsonWriter struct {
	b     []byte
	first bool // no member written yet in the innermost open object or array
}

func (w *jsonWriter) sep() {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
}

// open starts an object ('{') or array ('['), as a member value or an
// element.
func (w *jsonWriter) open(c byte) {
	w.b = append(w.b, c)
	w.first = true
}

// begin opens a SCIM document whose first member is schemas, [urn].
func (w *jsonWriter) begin(urn string) {
	w.open('{')
	w.key("schemas")
	w.raw(`["` + urn + `"]`)
}

// close ends the innermost object or array.
func (w *jsonWriter) close(c byte) {
	w.b = append(w.b, c)
	w.first = false
}

// key writes the separator and "key": before a member value.
func (w *jsonWriter) key(k string) {
	w.sep()
	w.b = appendString(w.b, k)
	w.b = append(w.b, ':')
}

// elem writes the separator before an array element.
func (w *jsonWriter) elem() { w.sep() }

func (w *jsonWriter) str(s string)  { w.b = appendString(w.b, s) }
func (w *jsonWriter) int(n int)     { w.b = strconv.AppendInt(w.b, int64(n), 10) }
func (w *jsonWriter) bool(v bool)   { w.b = strconv.AppendBool(w.b, v) }
func (w *jsonWriter) raw(s string)  { w.b = append(w.b, s...) }
func (w *jsonWriter) bytes() []byte { return w.b }

// appendString appends s as a JSON string with encoding/json's escaping
// (<, >, & and U+2028/U+2029 escaped, as Rails' JSON encoder does; invalid
// UTF-8 becomes U+FFFD).
func appendString(dst []byte, s string) []byte {
	if plainASCII(s) {
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
	}
	b, err := json.Marshal(s)
	if err != nil { // cannot happen for a string
		return append(dst, `""`...)
	}
	return append(dst, b...)
}

// plainASCII reports whether s is printable ASCII that JSON encoding leaves
// as it is.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}
