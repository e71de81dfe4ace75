package scim

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

func TestHeaderKeysCanonical(t *testing.T) {
	t.Parallel()
	for _, k := range []string{headerRequestID, headerContentType, headerETag, headerLocation} {
		if got := textproto.CanonicalMIMEHeaderKey(k); got != k {
			t.Errorf("header key %q is not canonical: %q", k, got)
		}
	}
}

func TestSetHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		n    int // values set
	}{
		{"within the exchange's room", 3},
		{"beyond it", 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			x := &exchange{ResponseWriter: rec}
			want := http.Header{}
			for i := range tc.n {
				k := textproto.CanonicalMIMEHeaderKey("x-test-" + string(rune('a'+i)))
				setHeader(x, k, k+"-value")
				want.Set(k, k+"-value")
			}
			// Adding to a value set copies it: the other values stay.
			x.Header().Add("X-Test-A", "more")
			want.Add("X-Test-A", "more")
			if diff := cmp.Diff(want, rec.Header()); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRequestCtx(t *testing.T) {
	t.Parallel()
	type key struct{}
	parent := context.WithValue(t.Context(), key{}, "parent value")
	ctx, cancel := context.WithCancel(&requestCtx{Context: parent, id: "req-1"})
	defer cancel()
	if got := RequestID(ctx); got != "req-1" {
		t.Errorf("RequestID = %q, want req-1", got)
	}
	if got := ctx.Value(key{}); got != "parent value" {
		t.Errorf("parent's value = %v", got)
	}
	if got := RequestID(t.Context()); got != "" {
		t.Errorf("RequestID outside a request = %q", got)
	}
}

// idStore records the request ids of the contexts its transactions get.
type idStore struct {
	store.Store
	mu  sync.Mutex
	ids []string
}

func (s *idStore) record(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids = append(s.ids, RequestID(ctx))
}

func (s *idStore) Update(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	s.record(ctx)
	return s.Store.Update(ctx, fn)
}

func (s *idStore) View(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	s.record(ctx)
	return s.Store.View(ctx, fn)
}

// TestRequestIDReachesStore checks that the store's transactions run with
// the request's context, which carries the request id.
func TestRequestIDReachesStore(t *testing.T) {
	t.Parallel()
	st := &idStore{Store: memstore.New()}
	prov, err := identity.New(st)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := prov.CreateGroup(t.Context(), identity.GroupSpec{Path: "acme", Token: "acme-token-0123456789"}); err != nil {
		t.Fatal(err)
	}
	h, err := New(prov, WithGroup("acme"), WithRequestID(func() string { return "req-7" }))
	if err != nil {
		t.Fatal(err)
	}
	st.ids = nil
	for _, rq := range []struct{ method, target, body string }{
		{http.MethodPost, "/Users", `{"userName":"a","externalId":"e","emails":[{"value":"a@example.com","primary":true}]}`},
		{http.MethodGet, "/Users?filter=userName+eq+%22a%22", ""},
	} {
		var body io.Reader
		if rq.body != "" {
			body = strings.NewReader(rq.body)
		}
		req := httptest.NewRequest(rq.method, rq.target, body)
		req.Header.Set("Authorization", "Bearer acme-token-0123456789")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 300 {
			t.Fatalf("%s %s: %d %s", rq.method, rq.target, rec.Code, rec.Body)
		}
	}
	if len(st.ids) == 0 {
		t.Fatal("no transaction")
	}
	for i, id := range st.ids {
		if id != "req-7" {
			t.Errorf("transaction %d: request id %q, want req-7", i, id)
		}
	}
}

// TestRequestContextDeadline checks the request's context, which starts its
// deadline's timer only when Done is asked for: Err reports the deadline on
// time with or without Done, Done closes at the deadline or when the
// parent ends, and Deadline is the earlier of the two.
func TestRequestContextDeadline(t *testing.T) {
	t.Parallel()
	// Without Done: Err reads the clock.
	c := &requestCtx{Context: context.Background(), deadline: time.Now().Add(30 * time.Millisecond)}
	defer c.release()
	if err := c.Err(); err != nil {
		t.Fatalf("Err before the deadline: %v", err)
	}
	if d, ok := c.Deadline(); !ok || !d.Equal(c.deadline) {
		t.Errorf("Deadline = %v, %v", d, ok)
	}
	time.Sleep(40 * time.Millisecond)
	if err := c.Err(); err != context.DeadlineExceeded {
		t.Fatalf("Err after the deadline: %v", err)
	}
	select {
	case <-c.Done():
	default:
		t.Fatal("Done asked for after the deadline is not closed")
	}

	// With Done: the timer closes it.
	c = &requestCtx{Context: context.Background(), deadline: time.Now().Add(20 * time.Millisecond)}
	defer c.release()
	select {
	case <-c.Done():
		if err := c.Err(); err != context.DeadlineExceeded {
			t.Errorf("Err once Done closed at the deadline: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Done did not close at the deadline")
	}

	// The parent's end and earlier deadline.
	parent, cancel := context.WithTimeout(context.Background(), time.Hour)
	c = &requestCtx{Context: parent, deadline: time.Now().Add(2 * time.Hour)}
	defer c.release()
	if d, _ := c.Deadline(); !d.Before(c.deadline) {
		t.Errorf("Deadline %v is not the parent's earlier one", d)
	}
	done := c.Done()
	cancel()
	select {
	case <-done:
		if err := c.Err(); err != context.Canceled {
			t.Errorf("Err after the parent was canceled: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Done did not close when the parent was canceled")
	}
}
