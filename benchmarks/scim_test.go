package benchmarks

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	elimity "github.com/elimity-com/scim"
	elerrors "github.com/elimity-com/scim/errors"
	eloptional "github.com/elimity-com/scim/optional"
	elschema "github.com/elimity-com/scim/schema"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// The scim benchmarks serve the same requests, in process (ServeHTTP with
// an httptest recorder), from three handlers:
//
//   - scimkit: scim.New over identity and memstore, the RFC profile;
//   - elimity: github.com/elimity-com/scim with a map-backed ResourceHandler
//     (filters evaluated by its Validator over every resource);
//   - bare: a net/http handler that decodes the request and re-encodes a
//     small user, the floor for any JSON API;
//   - floor: a handler that writes a constant user without reading the
//     request, what the harness itself costs.
//
// Besides ns/op each reports cpu-ns/op, the process CPU time per request
// (see cpuClock): the machine is shared and wall time swings with its load.
//
// Sizes: the filtered GET runs at 10k and 100k users (and 1M for scimkit
// when SCIMKIT_BENCH_1M=1: loading takes tens of seconds).

const scimbCreateBody = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"%s","userName":"%s",` +
	`"name":{"givenName":"Test","familyName":"User"},"emails":[{"primary":true,"value":"%s@example.com","type":"work"}],"active":true}`

const scimbPatchBody = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`

// scimbServe sends one request and fails the benchmark on an unexpected
// status.
func scimbServe(b *testing.B, h http.Handler, method, target, body string, want int) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	req.Header.Set("Authorization", "Bearer "+identityToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: %d, want %d: %s", method, target, rec.Code, want, rec.Body)
	}
}

// scimkitHandler serves group "bench" of st (see loadIdentity) at /Users.
func scimkitHandler(b *testing.B, st store.Store) http.Handler {
	b.Helper()
	prov := identityProvisioner(b, st, identity.RFCProfile())
	h, err := scim.New(prov, scim.WithGroup("bench"))
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// scimkitEmpty returns a handler over a store holding only the group.
func scimkitEmpty(b *testing.B) http.Handler {
	b.Helper()
	st := memstore.New()
	err := st.Update(context.Background(), func(ctx context.Context, tx store.Tx) error {
		return tx.PutGroup(ctx, &store.Group{ID: "g", Path: "bench", DefaultRole: store.RoleGuest, TokenDigest: identity.TokenDigest(identityToken)})
	})
	if err != nil {
		b.Fatal(err)
	}
	return scimkitHandler(b, st)
}

// elimityUsers is a map-backed elimity ResourceHandler.
type elimityUsers struct {
	mu    sync.RWMutex
	next  int
	data  map[string]elimity.Resource
	order []string
}

func (u *elimityUsers) Create(_ *http.Request, attrs elimity.ResourceAttributes) (elimity.Resource, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.next++
	id := strconv.Itoa(u.next)
	now := time.Now()
	res := elimity.Resource{ID: id, Attributes: attrs, Meta: elimity.Meta{Created: &now, LastModified: &now, Version: "1"}}
	if ext, ok := attrs["externalId"].(string); ok {
		res.ExternalID = eloptional.NewString(ext)
	}
	u.data[id] = res
	u.order = append(u.order, id)
	return res, nil
}

func (u *elimityUsers) Get(_ *http.Request, id string) (elimity.Resource, error) {
	u.mu.RLock()
	defer u.mu.RUnlock()
	res, ok := u.data[id]
	if !ok {
		return elimity.Resource{}, elerrors.ScimErrorResourceNotFound(id)
	}
	return res, nil
}

func (u *elimityUsers) GetAll(_ *http.Request, p elimity.ListRequestParams) (elimity.Page, error) {
	u.mu.RLock()
	defer u.mu.RUnlock()
	page := elimity.Page{Resources: []elimity.Resource{}}
	i := 0
	for _, id := range u.order {
		res := u.data[id]
		if p.FilterValidator != nil && p.FilterValidator.PassesFilter(res.Attributes) != nil {
			continue
		}
		i++
		if i >= p.StartIndex && len(page.Resources) < p.Count {
			page.Resources = append(page.Resources, res)
		}
	}
	page.TotalResults = i
	return page, nil
}

func (u *elimityUsers) Replace(_ *http.Request, id string, attrs elimity.ResourceAttributes) (elimity.Resource, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	res, ok := u.data[id]
	if !ok {
		return elimity.Resource{}, elerrors.ScimErrorResourceNotFound(id)
	}
	res.Attributes = attrs
	u.data[id] = res
	return res, nil
}

func (u *elimityUsers) Delete(_ *http.Request, id string) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.data, id)
	return nil
}

// Patch applies replace and add operations on top-level attributes, the
// part of PATCH this benchmark uses (elimity leaves PATCH semantics to the
// host).
func (u *elimityUsers) Patch(_ *http.Request, id string, ops []elimity.PatchOperation) (elimity.Resource, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	res, ok := u.data[id]
	if !ok {
		return elimity.Resource{}, elerrors.ScimErrorResourceNotFound(id)
	}
	attrs := make(elimity.ResourceAttributes, len(res.Attributes))
	for k, v := range res.Attributes {
		attrs[k] = v
	}
	for _, op := range ops {
		switch {
		case op.Path != nil:
			attrs[op.Path.AttributePath.AttributeName] = op.Value
		default:
			if m, ok := op.Value.(map[string]any); ok {
				for k, v := range m {
					attrs[k] = v
				}
			}
		}
	}
	res.Attributes = attrs
	u.data[id] = res
	return res, nil
}

// elimityServer returns an elimity server with n users "person.I".
func elimityServer(b *testing.B, n int) http.Handler {
	b.Helper()
	users := &elimityUsers{data: make(map[string]elimity.Resource, n)}
	for i := range n {
		doc := idbDoc(i)
		if _, err := users.Create(nil, elimity.ResourceAttributes(doc)); err != nil {
			b.Fatal(err)
		}
	}
	srv, err := elimity.NewServer(&elimity.ServerArgs{
		ServiceProviderConfig: &elimity.ServiceProviderConfig{SupportFiltering: true, SupportPatch: true, MaxResults: 100},
		ResourceTypes: []elimity.ResourceType{{
			ID: eloptional.NewString("User"), Name: "User", Endpoint: "/Users",
			Description:      eloptional.NewString("User Account"),
			Schema:           elschema.CoreUserSchema(),
			SchemaExtensions: []elimity.SchemaExtension{{Schema: elschema.ExtensionEnterpriseUser()}},
			Handler:          users,
		}},
	})
	if err != nil {
		b.Fatal(err)
	}
	return srv
}

// bareHandler decodes the request and re-encodes a small user: POST and
// PATCH decode the body, GET looks the user up; every answer encodes it.
func bareHandler() http.Handler {
	type email struct {
		Value   string `json:"value"`
		Type    string `json:"type,omitempty"`
		Primary bool   `json:"primary,omitempty"`
	}
	type user struct {
		Schemas    []string          `json:"schemas"`
		ID         string            `json:"id"`
		ExternalID string            `json:"externalId,omitempty"`
		UserName   string            `json:"userName"`
		Name       map[string]string `json:"name,omitempty"`
		Emails     []email           `json:"emails,omitempty"`
		Active     bool              `json:"active"`
	}
	var mu sync.Mutex
	users := map[string]*user{}
	next := 0
	write := func(w http.ResponseWriter, status int, u *user) {
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(u)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /Users", func(w http.ResponseWriter, r *http.Request) {
		var u user
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&u); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		next++
		u.ID = strconv.Itoa(next)
		users[u.ID] = &u
		mu.Unlock()
		write(w, http.StatusCreated, &u)
	})
	mux.HandleFunc("GET /Users/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		u, ok := users[r.PathValue("id")]
		mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		write(w, http.StatusOK, u)
	})
	mux.HandleFunc("PATCH /Users/{id}", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Operations []struct {
				Op    string `json:"op"`
				Path  string `json:"path"`
				Value any    `json:"value"`
			} `json:"Operations"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		u, ok := users[r.PathValue("id")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		for _, op := range req.Operations {
			if op.Path == "active" {
				u.Active, _ = op.Value.(bool)
			}
		}
		write(w, http.StatusOK, u)
	})
	return mux
}

// scimbCreated POSTs one user and returns its id.
func scimbCreated(b *testing.B, h http.Handler, name string) string {
	b.Helper()
	req := httptest.NewRequest(http.MethodPost, "/Users", strings.NewReader(fmt.Sprintf(scimbCreateBody, name, name, name)))
	req.Header.Set("Authorization", "Bearer "+identityToken)
	req.Header.Set("Content-Type", "application/scim+json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		b.Fatalf("create %s: %d %s", name, rec.Code, rec.Body)
	}
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		b.Fatal(err)
	}
	return m["id"].(string)
}

// floorBody is the floor handler's constant answer: a small user, about
// the size of the others' answers.
const floorBody = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"2819c223-7f76-453a-919d-413861904646",` +
	`"externalId":"jane","userName":"jane","name":{"familyName":"User","givenName":"Test"},` +
	`"emails":[{"primary":true,"type":"work","value":"jane@example.com"}],"active":true,` +
	`"meta":{"resourceType":"User","created":"2026-01-02T03:04:05Z","lastModified":"2026-01-02T03:04:05Z",` +
	`"location":"http://example.com/Users/2819c223-7f76-453a-919d-413861904646","version":"W/\"1\""}}`

// floorHandler writes floorBody with the status a SCIM handler would send
// (201 for POST, 200 otherwise), without reading the request: what the
// harness itself costs (building the request and the recorder), the floor
// under every implementation.
func floorHandler() http.Handler {
	body := []byte(floorBody)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status := http.StatusOK
		if r.Method == http.MethodPost {
			status = http.StatusCreated
		}
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
}

type scimbImpl struct {
	name string
	make func(b *testing.B) http.Handler
}

func scimbImpls(withBare bool) []scimbImpl {
	out := []scimbImpl{
		{"scimkit", scimkitEmpty},
		{"elimity", func(b *testing.B) http.Handler { return elimityServer(b, 0) }},
	}
	if withBare {
		out = append(out, scimbImpl{"bare", func(*testing.B) http.Handler { return bareHandler() }})
	}
	return append(out, scimbImpl{"floor", func(*testing.B) http.Handler { return floorHandler() }})
}

// BenchmarkSCIMCreate POSTs a new user per iteration. Goals: 3x elimity,
// within 1.5x of bare.
func BenchmarkSCIMCreate(b *testing.B) {
	for _, impl := range scimbImpls(true) {
		b.Run(impl.name, func(b *testing.B) {
			h := impl.make(b)
			bodies := make([]string, 0, 1024)
			b.ReportAllocs()
			i := 0
			c := startCPU()
			for b.Loop() {
				if len(bodies) == 0 {
					b.StopTimer()
					c.pause()
					for range cap(bodies) {
						name := "new." + strconv.Itoa(i)
						i++
						bodies = append(bodies, fmt.Sprintf(scimbCreateBody, name, name, name))
					}
					c.resume()
					b.StartTimer()
				}
				scimbServe(b, h, http.MethodPost, "/Users", bodies[len(bodies)-1], http.StatusCreated)
				bodies = bodies[:len(bodies)-1]
			}
			c.report(b)
		})
	}
}

// BenchmarkSCIMGetByID reads one user by id.
func BenchmarkSCIMGetByID(b *testing.B) {
	for _, impl := range scimbImpls(true) {
		b.Run(impl.name, func(b *testing.B) {
			h := impl.make(b)
			id := scimbCreated(b, h, "jane")
			b.ReportAllocs()
			c := startCPU()
			for b.Loop() {
				scimbServe(b, h, http.MethodGet, "/Users/"+id, "", http.StatusOK)
			}
			c.report(b)
		})
	}
}

// scimbSizes are the store sizes of the filtered GET.
func scimbSizes() []int {
	if os.Getenv("SCIMKIT_BENCH_1M") != "" {
		return []int{10_000, 100_000, 1_000_000}
	}
	return []int{10_000, 100_000}
}

// BenchmarkSCIMFilter answers GET /Users?filter=ATTR eq "..." for a user in
// the middle of n. Goals: 3x elimity; scimkit flat (within 2x) from 10k to
// 1M for userName and externalId.
func BenchmarkSCIMFilter(b *testing.B) {
	// The fixtures this benchmark loads are released when it ends, so that
	// the benchmarks run after it (of every implementation) do not pay for
	// marking hundreds of thousands of users in each GC cycle (cleanups
	// run last-in first-out: the collection after the deletions).
	b.Cleanup(runtime.GC)
	for _, n := range scimbSizes() {
		if identityFixtures[n] == nil {
			b.Cleanup(func() { delete(identityFixtures, n) })
		}
	}
	for _, n := range scimbSizes() {
		mid := n / 2
		filters := []struct{ attr, value string }{
			{"userName", "person." + strconv.Itoa(mid)},
			{"externalId", "ext-" + strconv.Itoa(mid)},
		}
		for _, f := range filters {
			target := "/Users?filter=" + url.QueryEscape(f.attr+` eq "`+f.value+`"`)
			b.Run(fmt.Sprintf("scimkit/%s/n=%d", f.attr, n), func(b *testing.B) {
				h := scimkitHandler(b, loadIdentity(b, n).st)
				b.ReportAllocs()
				c := startCPU()
				for b.Loop() {
					scimbServe(b, h, http.MethodGet, target, "", http.StatusOK)
				}
				c.report(b)
			})
			if n > 100_000 {
				continue // elimity scans every user: 1M takes seconds per request
			}
			b.Run(fmt.Sprintf("elimity/%s/n=%d", f.attr, n), func(b *testing.B) {
				h := elimityServer(b, n)
				b.ReportAllocs()
				c := startCPU()
				for b.Loop() {
					scimbServe(b, h, http.MethodGet, target, "", http.StatusOK)
				}
				c.report(b)
			})
		}
	}
}

// BenchmarkSCIMPatchActive sends PATCH replace active=false. Goals: 3x
// elimity, within 1.5x of bare.
func BenchmarkSCIMPatchActive(b *testing.B) {
	for _, impl := range scimbImpls(true) {
		b.Run(impl.name, func(b *testing.B) {
			h := impl.make(b)
			id := scimbCreated(b, h, "jane")
			b.ReportAllocs()
			c := startCPU()
			for b.Loop() {
				scimbServe(b, h, http.MethodPatch, "/Users/"+id, scimbPatchBody, http.StatusOK)
			}
			c.report(b)
		})
	}
}

// BenchmarkSCIMSchemas reads GET /Schemas.
func BenchmarkSCIMSchemas(b *testing.B) {
	for _, impl := range scimbImpls(false) {
		b.Run(impl.name, func(b *testing.B) {
			h := impl.make(b)
			b.ReportAllocs()
			c := startCPU()
			for b.Loop() {
				scimbServe(b, h, http.MethodGet, "/Schemas", "", http.StatusOK)
			}
			c.report(b)
		})
	}
}
