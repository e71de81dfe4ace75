package schema

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/scimkit/scimkit/internal/scimjson"
)

// ValueError reports a value that does not fit its attribute (RFC 7643
// §2.3): a string where a boolean is expected, a number out of range, a
// dateTime that is not one. Path names the attribute as a client writes it
// ("nickName", "emails.primary", or an extension attribute behind its URN,
// "urn:...:enterprise:2.0:User:manager.value").
type ValueError struct {
	Path string
	Msg  string
}

// Error returns "schema: PATH: MSG".
func (e *ValueError) Error() string { return "schema: " + e.Path + ": " + e.Msg }

// maxCheckDepth bounds the nesting Check walks into, so that a document
// built by a Go caller cannot make it recurse without end. Request bodies are
// bounded well below it.
const maxCheckDepth = 64

// Check checks every value of doc, a resource as encoding/json decodes it
// (numbers as json.Number or float64), against rt (RFC 7643 §2.3): a value
// of an attribute rt defines has the attribute's type, and every number,
// of a defined attribute or not, is finite and within float64's range (an
// integer attribute's within int64's), so that any JSON client can read the
// resource back. Booleans may be the strings "True" and "False" in any case,
// as Microsoft Entra ID sends them. A multi-valued attribute may hold one
// value instead of an array of them; a single-valued one may not hold an
// array. Null is an unassigned value and always fits. Attributes rt does not
// define keep any JSON type; an extension URN's member must be an object.
//
// Check reads doc only. It returns the first problem found as a
// *[ValueError]; which one is first when there are several is not
// specified.
func (rt *ResourceType) Check(doc map[string]any) error {
	for k, v := range doc {
		if v == nil {
			continue
		}
		if a := rt.Schema.Attr(k); a != nil {
			if e := checkAttr(a, v, 1); e != nil {
				return e.at(a.Name).err("")
			}
			continue
		}
		if s := rt.SchemaFor(k); s != nil && s != rt.Schema {
			m, ok := v.(map[string]any)
			if !ok {
				return &ValueError{Path: s.ID, Msg: "must be an object of the extension's attributes, not " + describe(v)}
			}
			for ek, ev := range m {
				if ev == nil {
					continue
				}
				var e *pathError
				if a := s.Attr(ek); a != nil {
					e = checkAttr(a, ev, 2).at(a.Name)
				} else {
					e = checkFree(ev, 2).at(ek)
				}
				if e != nil {
					return e.err(s.ID + ":")
				}
			}
			continue
		}
		if e := checkFree(v, 1); e != nil {
			return e.at(k).err("")
		}
	}
	return nil
}

// pathError is a value that does not fit, with the names that lead to it
// from the attribute the caller checks, innermost first: they are put
// together into a ValueError's Path only when there is an error, so that
// checking a document that fits allocates nothing.
type pathError struct {
	names []string
	msg   string
}

// at adds the name of the attribute or member the error is in; a nil
// error stays nil.
func (e *pathError) at(name string) *pathError {
	if e != nil {
		e.names = append(e.names, name)
	}
	return e
}

// err returns e as a *ValueError whose Path is prefix and the names,
// outermost first, joined by ".".
func (e *pathError) err(prefix string) *ValueError {
	path := prefix
	for i := len(e.names) - 1; i >= 0; i-- {
		path += e.names[i]
		if i > 0 {
			path += "."
		}
	}
	return &ValueError{Path: path, Msg: e.msg}
}

// checkAttr checks the value v of attribute a, depth levels below the
// resource.
func checkAttr(a *Attribute, v any, depth int) *pathError {
	if depth > maxCheckDepth {
		return &pathError{msg: fmt.Sprintf("nested deeper than %d levels", maxCheckDepth)}
	}
	list, isList := v.([]any)
	switch {
	case isList && a.MultiValued:
		for _, e := range list {
			if e == nil {
				continue
			}
			if err := checkOne(a, e, depth+1); err != nil {
				return err
			}
		}
		return nil
	case isList:
		return &pathError{msg: "is single-valued and cannot hold an array"}
	}
	return checkOne(a, v, depth)
}

// checkOne checks one value of a (an element, for a multi-valued
// attribute).
func checkOne(a *Attribute, v any, depth int) *pathError {
	if a.Type != TypeComplex {
		if msg := a.valueProblem(v); msg != "" {
			return &pathError{msg: msg}
		}
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return &pathError{msg: "must be an object, not " + describe(v)}
	}
	for k, sv := range m {
		if sv == nil {
			continue
		}
		if sub := a.Sub(k); sub != nil {
			if err := checkAttr(sub, sv, depth+1); err != nil {
				return err.at(sub.Name)
			}
		} else if err := checkFree(sv, depth+1); err != nil {
			return err.at(k)
		}
	}
	return nil
}

// checkFree checks a value no attribute describes: any JSON type, with
// finite numbers.
func checkFree(v any, depth int) *pathError {
	if depth > maxCheckDepth {
		return &pathError{msg: fmt.Sprintf("nested deeper than %d levels", maxCheckDepth)}
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if err := checkFree(e, depth+1); err != nil {
				return err.at(k)
			}
		}
	case []any:
		for _, e := range x {
			if err := checkFree(e, depth+1); err != nil {
				return err
			}
		}
	case nil, string, bool:
	default:
		if _, ok := finite(v); !ok {
			return &pathError{msg: "must be a finite number within the range of a 64-bit float, not " + describe(v)}
		}
	}
	return nil
}

// CheckValue checks v, one value of a (an element, for a multi-valued
// attribute), against a's type (RFC 7643 §2.3), as [ResourceType.Check]
// does: a string for string and reference attributes; a boolean, or the
// string "true" or "false" in any case, for boolean ones; an integer
// within int64's range for integer ones; a finite number within float64's
// range for decimal ones; an xsd:dateTime string for dateTime ones (with
// or without a time zone, as xsd:dateTime allows, RFC 7643 §2.3.5); a
// base64 string for binary ones (RFC 7643 §2.3.6); an object for complex
// ones, whose sub-attributes CheckValue does not check. The error is a
// *[ValueError] whose Path is a's name.
func (a *Attribute) CheckValue(v any) error {
	if msg := a.valueProblem(v); msg != "" {
		return &ValueError{Path: a.Name, Msg: msg}
	}
	return nil
}

// valueProblem is CheckValue's finding: what is wrong with v, or "".
func (a *Attribute) valueProblem(v any) string {
	switch a.Type {
	case TypeComplex:
		if _, ok := v.(map[string]any); !ok {
			return "must be an object, not " + describe(v)
		}
	case TypeBoolean:
		switch b := v.(type) {
		case bool:
		case string:
			if !strings.EqualFold(b, "true") && !strings.EqualFold(b, "false") {
				return "must be a boolean, not " + describe(v)
			}
		default:
			return "must be a boolean, not " + describe(v)
		}
	case TypeInteger:
		if !isInteger(v) {
			return "must be an integer within the range of a 64-bit integer, not " + describe(v)
		}
	case TypeDecimal:
		if _, ok := finite(v); !ok {
			return "must be a finite number within the range of a 64-bit float, not " + describe(v)
		}
	case TypeDateTime:
		s, ok := v.(string)
		switch {
		case !ok:
			return "must be a dateTime string, not " + describe(v)
		case !isDateTime(s):
			return "must be an xsd:dateTime such as 2008-01-23T04:56:22Z, not " + strconv.Quote(truncate(s, 40))
		}
	case TypeBinary:
		s, ok := v.(string)
		switch {
		case !ok:
			return "must be a base64 string, not " + describe(v)
		case !isBase64(s):
			return "must be base64 (RFC 7643 §2.3.6)"
		}
	default: // string, reference, and anything a custom schema invents
		if _, ok := v.(string); !ok {
			return "must be a string, not " + describe(v)
		}
	}
	return ""
}

// finite is scimjson.Finite: a finite JSON number as a float64.
func finite(v any) (float64, bool) { return scimjson.Finite(v) }

// isInteger reports whether v is a JSON number holding an integer within
// int64's range.
func isInteger(v any) bool {
	switch n := v.(type) {
	case json.Number:
		_, err := strconv.ParseInt(string(n), 10, 64)
		return err == nil
	case int, int8, int16, int32, int64, uint8, uint16, uint32:
		return true
	case uint:
		return uint64(n) <= math.MaxInt64
	case uint64:
		return n <= math.MaxInt64
	}
	f, ok := finite(v)
	// 2^63 itself is out of range; every float64 below it in magnitude
	// that is whole fits.
	return ok && f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63
}

// isDateTime reports whether s is an xsd:dateTime (RFC 7643 §2.3.5): a date
// and a time, with a time zone or without one (package filter takes such a
// value as UTC).
func isDateTime(s string) bool {
	if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return true
	}
	_, err := time.Parse("2006-01-02T15:04:05.999999999", s)
	return err == nil
}

// isBase64 reports whether s is base64 (RFC 4648 §4); line breaks, as PEM
// bodies have them, are skipped by the decoder.
func isBase64(s string) bool {
	_, err := base64.StdEncoding.DecodeString(s)
	return err == nil
}

// describe names v for an error message: a short string with its text,
// anything else by its JSON type.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		if len(x) <= 40 {
			return "the string " + strconv.Quote(x)
		}
		return "a string"
	case json.Number:
		return "the number " + truncate(string(x), 40)
	case float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a %T", v)
}

// truncate shortens s to at most n bytes, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
