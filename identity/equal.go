package identity

import (
	"encoding/json"
	"reflect"
)

// sameDocument reports whether a and b are deeply equal, with the answers of
// reflect.DeepEqual (a nil map differs from an empty one, a nil slice from
// an empty one, dynamic types must match), but without reflection for the
// values encoding/json produces: objects, arrays, strings, numbers
// (float64 or json.Number), booleans and null. Other values fall back to
// reflect.DeepEqual. Comparing a stored document with its successor after
// every PATCH made reflect.DeepEqual a sixth of the request's time.
func sameDocument(a, b map[string]any) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	// One map is equal to itself, as for reflect.DeepEqual, without a
	// walk.
	if reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer() {
		return true
	}
	for k, av := range a {
		bv, ok := b[k]
		if !ok || !sameValue(av, bv) {
			return false
		}
	}
	return true
}

// sameValue is sameDocument for one value.
func sameValue(a, b any) bool {
	switch av := a.(type) {
	case nil:
		return b == nil
	case string:
		bv, ok := b.(string)
		return ok && av == bv
	case bool:
		bv, ok := b.(bool)
		return ok && av == bv
	case json.Number:
		bv, ok := b.(json.Number)
		return ok && av == bv
	case float64:
		// reflect.DeepEqual compares floats with ==: NaN differs from
		// itself.
		bv, ok := b.(float64)
		return ok && av == bv
	case map[string]any:
		bv, ok := b.(map[string]any)
		return ok && sameDocument(av, bv)
	case []any:
		bv, ok := b.([]any)
		if !ok || (av == nil) != (bv == nil) || len(av) != len(bv) {
			return false
		}
		if len(av) > 0 && &av[0] == &bv[0] {
			return true // the same array, as for reflect.DeepEqual
		}
		for i := range av {
			if !sameValue(av[i], bv[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}
