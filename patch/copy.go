package patch

import "maps"

// Apply copies the values it takes from the operations, so that the result
// shares nothing with them (coerce, for the attributes the schema defines;
// copyValue, for the others), and the attributes of the resource an
// operation writes into, once each (own, in result.go).

// copyValue returns a deep copy of a JSON value, refusing values nested
// deeper than MaxDepth.
func copyValue(v any, depth int) (any, *opError) {
	switch v := v.(type) {
	case map[string]any:
		if depth > MaxDepth {
			return nil, tooDeep()
		}
		if v == nil {
			return map[string]any{}, nil
		}
		// Clone copies the table whole, faster than inserting member by
		// member; then the nested objects and arrays are copied in place.
		out := maps.Clone(v)
		for k, e := range out {
			switch e.(type) {
			case map[string]any, []any, []string, []map[string]any:
				c, err := copyValue(e, depth+1)
				if err != nil {
					return nil, err
				}
				out[k] = c
			}
		}
		return out, nil
	case []any:
		return copyList(v, depth)
	case []string:
		return copyList(v, depth)
	case []map[string]any:
		return copyList(v, depth)
	default:
		return v, nil
	}
}

// copyList copies an array (as a Go caller may hold it: []any, []string,
// []map[string]any) into a []any of deep copies.
func copyList[T any](list []T, depth int) (any, *opError) {
	if depth > MaxDepth {
		return nil, tooDeep()
	}
	out := make([]any, len(list))
	for i, e := range list {
		c, err := copyValue(e, depth+1)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}
