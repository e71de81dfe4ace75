package scim

import (
	"net/http"
	"strconv"
	"strings"
)

// etag returns the entity tag of a stored version: a weak tag, since the
// representation may vary with projection (RFC 7232 §2.3, RFC 7644 §3.14).
func etag(version int64) string {
	return `W/"` + strconv.FormatInt(version, 10) + `"`
}

// appendETagJSON appends etag(version) as a JSON string.
func appendETagJSON(b []byte, version int64) []byte {
	b = append(b, `"W/\"`...)
	b = strconv.AppendInt(b, version, 10)
	return append(b, `\""`...)
}

// preconditions are the If-Match / If-None-Match headers of a request.
type preconditions struct {
	ifMatch     []string // nil: no header; ["*"]: any
	ifNoneMatch []string
}

// readPreconditions parses the headers.
func readPreconditions(r *http.Request) preconditions {
	return preconditions{
		ifMatch:     tagList(r.Header.Values("If-Match")),
		ifNoneMatch: tagList(r.Header.Values("If-None-Match")),
	}
}

// tagList splits comma-separated entity tags.
func tagList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

// matchTag reports whether one of tags matches current by the weak
// comparison (RFC 7232 §2.3.2): W/ prefixes are ignored.
func matchTag(tags []string, current string) bool {
	cur := strings.TrimPrefix(current, "W/")
	for _, t := range tags {
		if t == "*" || strings.TrimPrefix(t, "W/") == cur {
			return true
		}
	}
	return false
}

// check returns a 412 *Error when the stored version fails the
// preconditions of a write (RFC 7232 §3.1, §3.2).
func (p preconditions) check(version int64) error {
	cur := etag(version)
	if p.ifMatch != nil && !matchTag(p.ifMatch, cur) {
		return errorf(http.StatusPreconditionFailed, "", "the resource has changed: version %s does not match If-Match", cur)
	}
	if p.ifNoneMatch != nil && matchTag(p.ifNoneMatch, cur) {
		return errorf(http.StatusPreconditionFailed, "", "the resource matches If-None-Match %s", cur)
	}
	return nil
}

// none reports whether the request has no preconditions.
func (p preconditions) none() bool { return p.ifMatch == nil && p.ifNoneMatch == nil }

// parseETag returns the version of an entity tag made by etag; ok is false
// for any other tag.
func parseETag(tag string) (int64, bool) {
	tag = strings.TrimPrefix(tag, "W/")
	if len(tag) < 3 || tag[0] != '"' || tag[len(tag)-1] != '"' {
		return 0, false
	}
	v, err := strconv.ParseInt(tag[1:len(tag)-1], 10, 64)
	return v, err == nil && v > 0
}

// writeVersion turns the If-Match and If-None-Match headers of a write into
// the version the provisioner checks inside its atomic unit (0: none). A
// single tag is passed through; "*", several tags and If-None-Match need
// the stored version, which stored reads first: the write then checks that
// version, so a concurrent change still fails with 412.
func writeVersion(r *http.Request, stored func() (int64, error)) (int64, error) {
	pre := readPreconditions(r)
	if pre.none() {
		return 0, nil
	}
	if pre.ifNoneMatch == nil && len(pre.ifMatch) == 1 && pre.ifMatch[0] != "*" {
		v, ok := parseETag(pre.ifMatch[0])
		if !ok {
			return 0, errorf(http.StatusPreconditionFailed, "", "If-Match %s does not match the resource", truncate(pre.ifMatch[0], 64))
		}
		return v, nil
	}
	v, err := stored()
	if err != nil {
		return 0, err
	}
	if err := pre.check(v); err != nil {
		return 0, err
	}
	return v, nil
}

// readConditions applies the If-None-Match and If-Match headers of a read
// of a resource at version (RFC 7232 §3.1, §3.2): a matching If-None-Match
// is answered 304 with the ETag (done), a failing If-Match is a 412.
func readConditions(w http.ResponseWriter, r *http.Request, version int64) (done bool, err error) {
	pre := readPreconditions(r)
	if pre.ifNoneMatch != nil && matchTag(pre.ifNoneMatch, etag(version)) {
		setHeader(w, headerETag, etag(version))
		w.WriteHeader(http.StatusNotModified)
		return true, nil
	}
	if pre.ifMatch != nil && !matchTag(pre.ifMatch, etag(version)) {
		return false, pre.check(version)
	}
	return false, nil
}
