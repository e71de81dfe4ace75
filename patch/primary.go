package patch

// The primary rule of RFC 7643 §2.4: at most one value of a multi-valued
// attribute has primary true.

// fixPrimary keeps at most one value of a multi-valued attribute primary
// (RFC 7643 §2.4): when one of the values an operation wrote (at written) has
// primary true, the others lose it; two written primaries are an error.
func fixPrimary(t *target, list []any, written []int) *opError {
	chosen := -1
	for _, i := range written {
		if isPrimary(list[i]) && i != chosen {
			if chosen >= 0 {
				return errorf(TypeInvalidValue, "more than one value of %s has primary true (RFC 7643 §2.4)", t.label())
			}
			chosen = i
		}
	}
	if chosen < 0 {
		return nil
	}
	for j, e := range list {
		if j != chosen && isPrimary(e) {
			em := e.(map[string]any)
			k, _, _ := find(em, "primary")
			em[k] = false
		}
	}
	return nil
}

func isPrimary(e any) bool {
	em, ok := e.(map[string]any)
	if !ok {
		return false
	}
	p, _ := get(em, "primary")
	b, _ := p.(bool)
	return b
}
