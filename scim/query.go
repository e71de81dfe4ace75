package scim

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/scimkit/scimkit/internal/scimjson"
)

// parseQuery reads a request's query string into its parameters, the one
// reading of query strings for both wire profiles. What it cannot read it
// refuses rather than drops: a GET /Users?filter=... whose filter pair was
// dropped answered every user of the group, and an identity provider that
// takes the first result then acts on the wrong person.
//
// Pairs are separated by "&" and decoded as
// application/x-www-form-urlencoded (RFC 3986 §3.4, "+" for a space, as
// net/url does). Refused, with 400:
//
//   - a raw ";" in a pair: net/url (since Go 1.17) and browsers no longer
//     take it for a separator, older servers still do, so what was meant
//     is unclear; "%3B" is a semicolon;
//   - a malformed %-escape ("%zz", a "%" at the end).
//
// Bytes that are not UTF-8 are read as they are: what reads a parameter
// judges its value (a filter that is not UTF-8 is invalidFilter; GitLab's
// filter forms answer 412).
//
// The error names the parameter: scimType invalidFilter when it is filter
// (RFC 7644 §3.4.2.2), invalidValue for any other (docs/design.md
// §Protocol decisions).
func parseQuery(raw string) (url.Values, error) {
	if raw == "" {
		return nil, nil
	}
	q := make(url.Values)
	for rest := raw; rest != ""; {
		var pair string
		pair, rest, _ = strings.Cut(rest, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, kerr := url.QueryUnescape(k)
		if kerr != nil {
			key = k // named as sent, for the message
		}
		var problem string
		switch {
		case strings.IndexByte(pair, ';') >= 0:
			problem = `contains a raw ";" (send it as %3B)`
		case kerr != nil:
			problem = "has a malformed %-escape in its name"
		}
		if problem == "" {
			val, err := url.QueryUnescape(v)
			if err == nil {
				q[key] = append(q[key], val)
				continue
			}
			problem = "has a malformed %-escape"
		}
		return nil, queryError(key, problem)
	}
	return q, nil
}

// queryError is the 400 of a query parameter that does not parse.
func queryError(name, problem string) *Error {
	if i := strings.IndexByte(name, ';'); i >= 0 {
		name = name[:i]
	}
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "?")
	}
	return errorf(http.StatusBadRequest, paramType(name), "the query string does not parse: parameter %q %s", truncate(name, 64), problem)
}

// paramType is the scimType of a refused query parameter: invalidFilter
// for filter (RFC 7644 §3.4.2.2), invalidValue for any other.
func paramType(name string) string {
	if strings.EqualFold(name, "filter") {
		return TypeInvalidFilter
	}
	return TypeInvalidValue
}

// onceEach refuses, with 400, a parameter of the RFC profile (RFC 7644
// §3.4.2, §3.9) given more than once, in one spelling or in several
// (filter=a&filter=b, filter=a&FILTER=b): which one the client meant is
// unclear, and the one taken would be the first, or the one a map's order
// gives, the others dropped as an unparsable pair used to be. The GitLab
// profile takes the last, as GitLab does.
func onceEach(q url.Values) error {
	names := [...]string{"filter", "startIndex", "count", "sortBy", "sortOrder", "attributes", "excludedAttributes"}
	var seen [len(names)]int
	for k, v := range q {
		for i, name := range names {
			if scimjson.NameIs(k, name) {
				if seen[i] += len(v); seen[i] > 1 {
					return errorf(http.StatusBadRequest, paramType(name), "query parameter %q is given more than once", name)
				}
			}
		}
	}
	return nil
}
