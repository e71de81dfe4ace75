package scim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A transcript is a recorded exchange of an identity provider with a SCIM
// service provider, transcribed from the provider's public documentation
// (testdata/transcripts/*.json). Steps run in order; expected bodies are
// subsets: every member given must be in the response with that value,
// arrays must have the same length. "{{*}}" matches any non-empty value,
// "{{name}}" (alone or inside a string) a value saved by an earlier step's
// "save" (a dotted path into the response body, such as "Resources.0.id").
type transcript struct {
	Source         string            `json:"source"`
	DefaultHeaders map[string]string `json:"defaultHeaders"`
	Steps          []struct {
		Name    string `json:"name"`
		Request struct {
			Method  string            `json:"method"`
			Path    string            `json:"path"`
			Headers map[string]string `json:"headers"`
			Body    json.RawMessage   `json:"body"`
		} `json:"request"`
		Response struct {
			Status    int               `json:"status"`
			Headers   map[string]string `json:"headers"`
			Body      any               `json:"body"`
			BodyEmpty bool              `json:"bodyEmpty"`
			Absent    []string          `json:"absent"`
		} `json:"response"`
		Save map[string]string `json:"save"`
	} `json:"steps"`
}

func TestTranscripts(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/transcripts/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var tr transcript
			if err := json.Unmarshal(data, &tr); err != nil {
				t.Fatal(err)
			}
			e := newTestEnv(t)
			vars := map[string]string{}
			subst := func(s string) string {
				for k, v := range vars {
					s = strings.ReplaceAll(s, "{{"+k+"}}", v)
				}
				return s
			}
			for i, st := range tr.Steps {
				var headers []string
				for k, v := range tr.DefaultHeaders {
					headers = append(headers, k, v)
				}
				for k, v := range st.Request.Headers {
					headers = append(headers, k, v)
				}
				var body any
				if len(st.Request.Body) > 0 {
					body = subst(string(st.Request.Body))
				}
				rec := e.do(t, st.Request.Method, subst(st.Request.Path), body, headers...)
				where := fmt.Sprintf("step %d %q", i, st.Name)
				if rec.Code != st.Response.Status {
					t.Fatalf("%s: status %d, want %d; body %s", where, rec.Code, st.Response.Status, rec.Body)
				}
				for k, v := range st.Response.Headers {
					got := rec.Header().Get(k)
					if v == "{{*}}" && got == "" || v != "{{*}}" && got != subst(v) {
						t.Errorf("%s: header %s = %q, want %q", where, k, got, v)
					}
				}
				if st.Response.BodyEmpty && rec.Body.Len() != 0 {
					t.Errorf("%s: body %q, want none", where, rec.Body)
				}
				if st.Response.Body == nil && len(st.Save) == 0 {
					continue
				}
				var got any
				if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
					t.Fatalf("%s: body %q: %v", where, rec.Body, err)
				}
				for _, p := range matchSubset(st.Response.Body, got, "", vars) {
					t.Errorf("%s: %s\nbody: %s", where, p, rec.Body)
				}
				for _, a := range st.Response.Absent {
					if _, ok := got.(map[string]any)[a]; ok {
						t.Errorf("%s: %q present in the response", where, a)
					}
				}
				for name, path := range st.Save {
					v, ok := dig(got, path)
					if !ok {
						t.Fatalf("%s: nothing at %s to save", where, path)
					}
					vars[name] = fmt.Sprint(v)
				}
			}
		})
	}
}

// matchSubset lists how got fails to contain want.
func matchSubset(want, got any, at string, vars map[string]string) []string {
	switch w := want.(type) {
	case nil:
		if got != nil {
			return []string{fmt.Sprintf("%s = %v, want null", at, got)}
		}
	case string:
		switch {
		case w == "{{*}}":
			if got == nil || got == "" {
				return []string{fmt.Sprintf("%s is empty or missing", at)}
			}
			return nil
		case strings.Contains(w, "{{"):
			// Saved values, whole or inside the string ("…/Users/{{id}}").
			for k, v := range vars {
				w = strings.ReplaceAll(w, "{{"+k+"}}", v)
			}
			if strings.Contains(w, "{{") {
				return []string{fmt.Sprintf("%s: no saved value for %s", at, w)}
			}
		}
		if got != w {
			return []string{fmt.Sprintf("%s = %#v, want %q", at, got, w)}
		}
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s = %#v, want an object", at, got)}
		}
		var out []string
		for k, v := range w {
			gv, ok := g[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s.%s is missing", at, k))
				continue
			}
			out = append(out, matchSubset(v, gv, at+"."+k, vars)...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s = %#v, want %d elements", at, got, len(w))}
		}
		var out []string
		for i := range w {
			out = append(out, matchSubset(w[i], g[i], fmt.Sprintf("%s[%d]", at, i), vars)...)
		}
		return out
	default:
		if got != want {
			return []string{fmt.Sprintf("%s = %#v, want %#v", at, got, want)}
		}
	}
	return nil
}

// dig follows a dotted path ("Resources.0.id") into a decoded body.
func dig(v any, path string) (any, bool) {
	for _, p := range strings.Split(path, ".") {
		switch c := v.(type) {
		case map[string]any:
			v = c[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, v != nil
}

var _ = http.MethodGet
