package gitlab

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// maxDepth bounds the nesting of a decoded request body.
const maxDepth = 32

// A member is one key/value pair of an object, in the order it was sent.
type member struct {
	key string
	val any
}

// An object is a JSON object that keeps its key order, as the Ruby hashes
// GitLab builds from request parameters do. Values are string,
// json.Number, bool, nil, []any or object.
type object []member

// get returns the value under key (exact, case-sensitive) and whether the
// key is present.
func (o object) get(key string) (any, bool) {
	for _, m := range o {
		if m.key == key {
			return m.val, true
		}
	}
	return nil, false
}

// set replaces the value under key in place, or appends the pair, which is
// how a Ruby hash merges a key it already has.
func (o *object) set(key string, val any) {
	for i := range *o {
		if (*o)[i].key == key {
			(*o)[i].val = val
			return
		}
	}
	*o = append(*o, member{key, val})
}

// errBody reports a body that is not well-formed JSON.
var errBody = errors.New("body is not well-formed JSON")

// decodeJSON decodes one JSON value keeping object key order. Numbers stay
// json.Number. Trailing data, a depth beyond maxDepth and malformed input
// are errors.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the top-level value", errBody)
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, depth int) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errBody, err)
	}
	switch t := tok.(type) {
	case json.Delim:
		if depth >= maxDepth {
			return nil, fmt.Errorf("%w: nested deeper than %d", errBody, maxDepth)
		}
		switch t {
		case '{':
			o := object{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, fmt.Errorf("%w: %w", errBody, err)
				}
				k, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("%w: object key is not a string", errBody)
				}
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				o.set(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, fmt.Errorf("%w: %w", errBody, err)
			}
			return o, nil
		case '[':
			a := []any{}
			for dec.More() {
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, fmt.Errorf("%w: %w", errBody, err)
			}
			return a, nil
		}
		return nil, fmt.Errorf("%w: unexpected %q", errBody, t)
	default:
		return t, nil // string, json.Number, bool or nil
	}
}

// jsonUnquote decodes one JSON string literal.
func jsonUnquote(lit string, out *string) error {
	return json.Unmarshal([]byte(lit), out)
}

// getOr returns the value under key, nil when absent.
func (o object) getOr(key string) any {
	v, _ := o.get(key)
	return v
}
