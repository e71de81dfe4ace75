package scim

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeObject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		wantType string // "" when decoding must succeed
	}{
		{name: "object", in: `{"userName":"a","n":1}`},
		{name: "object with whitespace", in: " \n{}\n "},
		{name: "empty", in: "", wantType: TypeInvalidSyntax},
		{name: "blank", in: "  \n", wantType: TypeInvalidSyntax},
		{name: "array", in: `[1,2]`, wantType: TypeInvalidSyntax},
		{name: "string", in: `"x"`, wantType: TypeInvalidSyntax},
		{name: "null", in: `null`, wantType: TypeInvalidSyntax},
		{name: "truncated", in: `{"a":`, wantType: TypeInvalidSyntax},
		{name: "trailing data", in: `{}{}`, wantType: TypeInvalidSyntax},
		{name: "trailing garbage", in: `{} x`, wantType: TypeInvalidSyntax},
		{name: "invalid UTF-8", in: "{\"a\":\"\xff\"}", wantType: TypeInvalidSyntax},
		{name: "too deep", in: strings.Repeat("[", 100000) + strings.Repeat("]", 100000), wantType: TypeInvalidSyntax},
		{name: "deep inside object", in: `{"a":` + strings.Repeat(`{"a":`, 40) + `1` + strings.Repeat("}", 41), wantType: TypeInvalidSyntax},
		{name: "brackets in strings do not count", in: `{"a":"` + strings.Repeat("[{", 100) + `\"` + `"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := decodeObject([]byte(tc.in), maxJSONDepth)
			if tc.wantType == "" {
				if err != nil {
					t.Fatalf("decodeObject: %v", err)
				}
				return
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("decodeObject error = %v, want *Error", err)
			}
			if diff := cmp.Diff([]any{http.StatusBadRequest, tc.wantType}, []any{se.Status, se.Type}); diff != "" {
				t.Errorf("status, scimType (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeObjectUsesNumber(t *testing.T) {
	t.Parallel()
	m, err := decodeObject([]byte(`{"n":12345678901234567890}`), maxJSONDepth)
	if err != nil {
		t.Fatal(err)
	}
	if got := m["n"]; got == nil || got.(interface{ String() string }).String() != "12345678901234567890" {
		t.Errorf("n = %#v, want json.Number 12345678901234567890", got)
	}
}

func TestCleanPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path string
		want bool
	}{
		{"/Users", true},
		{"/Users/", true},
		{"/api/scim/v2/groups/acme/Users/1", true},
		{"/Users/..", false},
		{"/Users/../Schemas", false},
		{"/Users/./x", false},
		{"//Users", false},
		{"/Users/a\x00b", false},
		{"Users", false},
		{"/Users/\xff", false},
	}
	for _, tc := range tests {
		if got := cleanPath(tc.path); got != tc.want {
			t.Errorf("cleanPath(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	if got := truncate("héllo", 2); got != "h…" {
		t.Errorf("truncate = %q, want %q", got, "h…")
	}
	if got := truncate("abc", 5); got != "abc" {
		t.Errorf("truncate = %q, want abc", got)
	}
}

// chunkReader returns its data a few bytes at a time, then err.
type chunkReader struct {
	data string
	err  error
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.data == "" {
		return 0, c.err
	}
	n := copy(p[:min(len(p), 3)], c.data)
	c.data = c.data[n:]
	return n, nil
}

func TestReadBody(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	big := `{"userName":"` + strings.Repeat("a", 5000) + `"}`
	tests := []struct {
		name string
		body io.Reader
		want string // the body read, or the error
	}{
		{"in pieces", &chunkReader{data: big, err: io.EOF}, big},
		{"empty", &chunkReader{err: io.EOF}, ""},
		{"failing", &chunkReader{data: `{"a"`, err: errors.New("connection reset")}, "scim: 400 invalidSyntax: reading the request body failed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/Users", tc.body)
			buf, err := e.h.readBody(r)
			got := errText(err)
			if err == nil {
				got = string(*buf)
				e.h.bufs.put(buf)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("readBody (-want +got):\n%s", diff)
			}
		})
	}
}

// errText is err's text, "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
