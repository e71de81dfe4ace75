package scim

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/scimkit/scimkit/internal/scimjson"
	"github.com/scimkit/scimkit/schema"
)

// SearchRequestURN is the schema of a POST /.search body (RFC 7644 §3.4.3).
const SearchRequestURN = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"

// ListResponseURN is the schema of a list response (RFC 7644 §3.4.2).
const ListResponseURN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"

// listParams are the query parameters of a list or search (RFC 7644
// §3.4.2), validated.
type listParams struct {
	filter     string
	startIndex int // >= 1
	count      int // 0..maxCount
	sortBy     string
	descending bool
	projection
}

// listParamsFromQuery reads the parameters of a GET of the resources of
// type rt (GET /Users, GET /Groups). startIndex below 1 is 1, count below
// 0 is 0 (RFC 7644 §3.4.2.4), count above the maximum is the maximum; a
// value that is not an integer is 400 invalidValue.
func (h *Handler) listParamsFromQuery(q url.Values, rt *schema.ResourceType) (*listParams, error) {
	p := &listParams{startIndex: 1, count: h.cfg.defaultCount}
	var err error
	if v, ok := queryValue(q, "startIndex"); ok {
		if p.startIndex, err = parseIndex("startIndex", v); err != nil {
			return nil, err
		}
	}
	if v, ok := queryValue(q, "count"); ok {
		if p.count, err = parseIndex("count", v); err != nil {
			return nil, err
		}
	}
	p.filter, _ = queryValue(q, "filter")
	p.sortBy, _ = queryValue(q, "sortBy")
	order, _ := queryValue(q, "sortOrder")
	attrs, _ := queryValue(q, "attributes")
	excl, _ := queryValue(q, "excludedAttributes")
	return p, h.finishParams(p, rt, order, splitList(attrs), splitList(excl))
}

// queryValue returns the parameter, with case-insensitive names (RFC 7644
// §3.4.2 names are case-insensitive in practice: IdPs send "startindex").
func queryValue(q url.Values, name string) (string, bool) {
	if _, v, ok := scimjson.Lookup(q, name); ok && len(v) > 0 {
		return v[0], true
	}
	return "", false
}

// splitList splits a comma-separated attribute list.
func splitList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseIndex parses startIndex or count. Integers out of range are
// clamped to the int range; the caller clamps further.
func parseIndex(name, v string) (int, error) {
	v = strings.TrimSpace(v)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			if strings.HasPrefix(v, "-") {
				return math.MinInt32, nil
			}
			return math.MaxInt32, nil
		}
		return 0, errorf(http.StatusBadRequest, TypeInvalidValue, "%s must be an integer, got %q", name, truncate(v, 32))
	}
	return int(max(min(n, math.MaxInt32), math.MinInt32)), nil
}

// searchRequest is the body of POST /.search (RFC 7644 §3.4.3). Member
// names are matched case-insensitively, as encoding/json matches struct
// fields.
type searchRequest struct {
	Schemas            []string    `json:"schemas"`
	Attributes         []string    `json:"attributes"`
	ExcludedAttributes []string    `json:"excludedAttributes"`
	Filter             string      `json:"filter"`
	SortBy             string      `json:"sortBy"`
	SortOrder          string      `json:"sortOrder"`
	StartIndex         json.Number `json:"startIndex"`
	Count              json.Number `json:"count"`
}

// searchError maps a failure to decode a SearchRequest: a member of the
// wrong type is 400 invalidSyntax too.
func searchError(err error) error {
	if _, ok := err.(*Error); ok {
		return err
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return &Error{Status: http.StatusBadRequest, Type: TypeInvalidSyntax, Detail: "malformed SearchRequest: " + jsonErrorText(err), Err: err}
}

// listParamsFromSearch reads a SearchRequest (RFC 7644 §3.4.3) for the
// resources of type rt.
func (h *Handler) listParamsFromSearch(sr *searchRequest, rt *schema.ResourceType) (*listParams, error) {
	if len(sr.Schemas) > 0 && !containsFold(sr.Schemas, SearchRequestURN) {
		return nil, errorf(http.StatusBadRequest, TypeInvalidSyntax, "schemas must contain %q", SearchRequestURN)
	}
	p := &listParams{startIndex: 1, count: h.cfg.defaultCount, filter: sr.Filter, sortBy: sr.SortBy}
	var err error
	if sr.StartIndex != "" {
		if p.startIndex, err = parseIndex("startIndex", sr.StartIndex.String()); err != nil {
			return nil, err
		}
	}
	if sr.Count != "" {
		if p.count, err = parseIndex("count", sr.Count.String()); err != nil {
			return nil, err
		}
	}
	return p, h.finishParams(p, rt, sr.SortOrder, sr.Attributes, sr.ExcludedAttributes)
}

// listResponse is a ListResponse (RFC 7644 §3.4.2).
type listResponse struct {
	Schemas      []string `json:"schemas"`
	Resources    []any    `json:"Resources"`
	ItemsPerPage int      `json:"itemsPerPage"`
	StartIndex   int      `json:"startIndex"`
	TotalResults int      `json:"totalResults"`
}

// finishParams clamps the paging, checks the sort order, the filter length
// and the projection, of resources of type rt.
func (h *Handler) finishParams(p *listParams, rt *schema.ResourceType, order string, attrs, excl []string) error {
	p.startIndex = max(p.startIndex, 1)
	p.count = min(max(p.count, 0), h.cfg.maxCount)
	switch strings.ToLower(strings.TrimSpace(order)) {
	case "", "ascending":
	case "descending":
		p.descending = true
	default:
		return errorf(http.StatusBadRequest, TypeInvalidValue, "sortOrder must be \"ascending\" or \"descending\"")
	}
	if len(p.filter) > h.cfg.maxFilter {
		return errorf(http.StatusBadRequest, TypeInvalidFilter, "filter longer than %d bytes", h.cfg.maxFilter)
	}
	proj, err := newProjection(rt, attrs, excl)
	if err != nil {
		return err
	}
	p.projection = proj
	return nil
}

// containsFold reports whether list holds s, ignoring case.
func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
