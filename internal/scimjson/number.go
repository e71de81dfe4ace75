package scimjson

import (
	"encoding/json"
	"math"
	"strconv"
)

// Finite returns v as a float64 when it is a JSON number (a json.Number, as
// decoders with UseNumber give, or a Go number type) that is finite and
// within float64's range: the third rule of SCIM JSON documents, that every
// number can be read back by any JSON client (1e400 cannot).
func Finite(v any) (float64, bool) {
	var f float64
	switch n := v.(type) {
	case json.Number:
		x, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			return 0, false
		}
		f = x
	case float64:
		f = n
	case float32:
		f = float64(n)
	case int:
		f = float64(n)
	case int8:
		f = float64(n)
	case int16:
		f = float64(n)
	case int32:
		f = float64(n)
	case int64:
		f = float64(n)
	case uint:
		f = float64(n)
	case uint8:
		f = float64(n)
	case uint16:
		f = float64(n)
	case uint32:
		f = float64(n)
	case uint64:
		f = float64(n)
	default:
		return 0, false
	}
	return f, !math.IsNaN(f) && !math.IsInf(f, 0)
}
