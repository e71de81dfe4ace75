package gitlab

import (
	"math"
	"net/url"
	"strings"
)

// Paging limits of GitLab's API (Kaminari's defaults there).
const (
	// DefaultCount is the page size when count is missing, not a number,
	// zero or negative.
	DefaultCount = 20
	// MaxCount caps count.
	MaxCount = 100
	// maxIndex bounds startIndex so offsets never overflow.
	maxIndex = math.MaxInt32
)

// Page is the paging of a list request, read the way GitLab reads it
// (docs/gitlab.md §5.2). The zero Page is the first page of
// DefaultCount.
type Page struct {
	// StartIndex is the effective 1-based index of the first resource (at
	// least 1).
	StartIndex int
	// Count is the effective page size, 1 to MaxCount. GitLab reports it as
	// itemsPerPage, whatever the number of resources on the page.
	Count int
	// echo is the startIndex parameter as sent, "" when absent or blank.
	echo string
}

// ParsePage reads startIndex and count from a query. Each is read like
// Ruby's String#to_i (leading integer, anything else 0): startIndex below 1
// means 1; count 0 or below means DefaultCount and is capped at MaxCount.
// When a parameter is repeated the last one counts, as in Rack.
func ParsePage(q url.Values) Page {
	p := Page{StartIndex: 1, Count: DefaultCount}
	if v, ok := last(q, "startIndex"); ok {
		p.StartIndex = max(1, rubyToI(v))
		if strings.TrimSpace(v) != "" {
			p.echo = v
		}
	}
	if v, ok := last(q, "count"); ok {
		if n := rubyToI(v); n > 0 {
			p.Count = min(n, MaxCount)
		}
	}
	return p
}

// Offset returns the 0-based offset of the page.
func (p Page) Offset() int { return max(p.StartIndex, 1) - 1 }

// Limit returns the page size: Count, or DefaultCount for the zero Page.
func (p Page) Limit() int {
	if p.Count <= 0 {
		return DefaultCount
	}
	return min(p.Count, MaxCount)
}

func last(q url.Values, key string) (string, bool) {
	vs := q[key]
	if len(vs) == 0 {
		return "", false
	}
	return vs[len(vs)-1], true
}

// rubyToI converts like Ruby's String#to_i: leading whitespace, an optional
// sign, then decimal digits (single underscores between digits allowed);
// the rest is ignored; no digits gives 0. The result is clamped to
// ±maxIndex.
func rubyToI(s string) int {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	n := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c == '_' && i > 0 && i+1 < len(s) && isDigit(s[i-1]) && isDigit(s[i+1]) {
			continue
		}
		if !isDigit(c) {
			break
		}
		if n < maxIndex {
			n = min(n*10+int(c-'0'), maxIndex)
		}
	}
	if neg {
		return -n
	}
	return n
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// MarshalList returns a ListResponse in GitLab's shape and key order:
// schemas, totalResults, itemsPerPage (the effective page size),
// startIndex, Resources. startIndex is the request's startIndex parameter
// echoed as sent, a JSON string as GitLab's untyped query parameter is,
// or the number 1 when the parameter is absent or blank.
func MarshalList(total int, p Page, users []User) []byte {
	var w jsonWriter
	w.begin(listURN)
	w.key("totalResults")
	w.int(total)
	w.key("itemsPerPage")
	w.int(p.Limit())
	w.key("startIndex")
	if p.echo != "" {
		w.str(p.echo)
	} else {
		w.int(1)
	}
	w.key("Resources")
	w.open('[')
	for i := range users {
		w.elem()
		writeUser(&w, &users[i])
	}
	w.close(']')
	w.close('}')
	return w.bytes()
}
