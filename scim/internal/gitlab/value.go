package gitlab

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/scimkit/scimkit/internal/scimjson"
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
// how a Ruby hash merges a key it already has. It scans the members: use an
// [objectBuilder] to set many keys.
func (o *object) set(key string, val any) {
	for i := range *o {
		if (*o)[i].key == key {
			(*o)[i].val = val
			return
		}
	}
	*o = append(*o, member{key, val})
}

// objectBuilder sets keys of an object in linear time overall: past a few
// members it indexes them, so a request with tens of thousands of
// parameters costs no more than its size.
type objectBuilder struct {
	obj object
	idx map[string]int // key -> position in obj, once obj is large
}

// indexFrom is the member count from which objectBuilder indexes keys.
const indexFrom = 16

// set is [object.set] in constant time.
func (b *objectBuilder) set(key string, val any) {
	if b.idx == nil && len(b.obj) < indexFrom {
		b.obj.set(key, val)
		return
	}
	if b.idx == nil {
		b.idx = make(map[string]int, 2*len(b.obj))
		for i, m := range b.obj {
			b.idx[m.key] = i
		}
	}
	if i, ok := b.idx[key]; ok {
		b.obj[i].val = val
		return
	}
	b.idx[key] = len(b.obj)
	b.obj = append(b.obj, member{key, val})
}

// errBody reports a body that is not well-formed JSON.
var errBody = errors.New("body is not well-formed JSON")

// decodeJSON decodes one JSON value keeping object key order, with
// encoding/json's tokenizer. Numbers stay
// json.Number. Trailing data, a depth beyond maxDepth and malformed input
// are errors.
func decodeJSON(data []byte) (any, error) {
	if !utf8.Valid(data) {
		// encoding/json would turn the bad bytes into U+FFFD and the
		// request would be stored altered; refuse it instead.
		return nil, fmt.Errorf("%w: not valid UTF-8", errBody)
	}
	if scimjson.Deeper(data, maxDepth) {
		return nil, fmt.Errorf("%w: nested deeper than %d", errBody, maxDepth)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the top-level value", errBody)
	}
	return v, nil
}

// decodeValue decodes the value at dec's position; data's nesting was
// checked, so the recursion is bounded.
func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errBody, err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := objectBuilder{obj: object{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, fmt.Errorf("%w: %w", errBody, err)
				}
				k, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("%w: object key is not a string", errBody)
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				o.set(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, fmt.Errorf("%w: %w", errBody, err)
			}
			return o.obj, nil
		case '[':
			a := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
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
