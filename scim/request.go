package scim

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// ctxKey is the type of this package's context keys.
type ctxKey struct{ name string }

var requestIDKey = &ctxKey{"request id"}

// RequestID returns the id the handler gave the request whose context is
// ctx, or "" outside a request. Middleware and store code can log it.
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey).(string)
	return s
}

// exchange is one request being served. ServeHTTP hands it to the
// ServeMux as the ResponseWriter, so that a route finds the request's
// context (which carries the request id) and room for its tenant without
// r.WithContext, which copies the whole request, and so that the few
// headers of a response share one backing array: a request costs one
// allocation here instead of five.
type exchange struct {
	http.ResponseWriter
	ctx requestCtx
	t   tenant
	// vals backs the header values set through setHeader; n are used.
	vals [4]string
	n    int
}

// Unwrap returns the ResponseWriter of the server, for
// http.ResponseController.
func (x *exchange) Unwrap() http.ResponseWriter { return x.ResponseWriter }

// requestCtx is the context of a request: its parent's, with the request
// id as the value of requestIDKey (what context.WithValue would give,
// without an allocation of its own) and the request's deadline
// (WithRequestTimeout; what context.WithTimeout would give). The timer
// that closes Done at the deadline is started only when something waits
// on Done (a lock wait, a database call): the memstore path of a request
// never does, and context.WithTimeout's timer, cancel function and child
// registration cost every request four allocations (benchmarks/scim_test.go,
// SCIMGetByID: 49 before the deadline, 53 with context.WithTimeout). Err
// reads the clock meanwhile, so it reports the deadline on time either way.
type requestCtx struct {
	context.Context
	id       string
	deadline time.Time

	mu    sync.Mutex
	done  chan struct{} // made by the first Done
	err   error         // why done was closed
	stops [2]func() bool
}

// Deadline returns the request's deadline, or the parent's if earlier.
func (c *requestCtx) Deadline() (time.Time, bool) {
	if d, ok := c.Context.Deadline(); ok && d.Before(c.deadline) {
		return d, true
	}
	return c.deadline, true
}

// Done returns a channel closed at the deadline or when the parent is done.
func (c *requestCtx) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done != nil {
		return c.done
	}
	c.done = make(chan struct{})
	if err := c.expired(); err != nil {
		c.err = err
		close(c.done)
		return c.done
	}
	t := time.AfterFunc(time.Until(c.deadline), func() { c.cancel(context.DeadlineExceeded) })
	c.stops = [2]func() bool{t.Stop, context.AfterFunc(c.Context, func() { c.cancel(c.Context.Err()) })}
	return c.done
}

// Err returns the parent's error, or context.DeadlineExceeded once the
// deadline passed, as Done says.
func (c *requestCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done != nil {
		return c.err
	}
	return c.expired()
}

// expired returns the parent's error, or context.DeadlineExceeded past the
// deadline; c.mu is held.
func (c *requestCtx) expired() error {
	if err := c.Context.Err(); err != nil {
		return err
	}
	if !time.Now().Before(c.deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

// cancel closes done with err, once.
func (c *requestCtx) cancel(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
		close(c.done)
	}
}

// release stops the timer and the watch on the parent that Done started,
// once the request is served.
func (c *requestCtx) release() {
	c.mu.Lock()
	stops := c.stops
	c.mu.Unlock()
	for _, stop := range stops {
		if stop != nil {
			stop()
		}
	}
}

// Value returns the request id for requestIDKey and asks the parent
// otherwise.
func (c *requestCtx) Value(key any) any {
	if key == requestIDKey {
		return c.id
	}
	return c.Context.Value(key)
}

// contextOf returns the context of the request served through w: the
// exchange's, or r's when w is no exchange.
func contextOf(w http.ResponseWriter, r *http.Request) context.Context {
	if x, ok := w.(*exchange); ok {
		return &x.ctx
	}
	return r.Context()
}

// tenantOf returns the exchange's tenant to fill, or a new one when w is
// no exchange.
func tenantOf(w http.ResponseWriter) *tenant {
	if x, ok := w.(*exchange); ok {
		return &x.t
	}
	return &tenant{}
}

// serverWriter returns the server's ResponseWriter under an exchange, for
// the code of net/http that looks for its own methods on it
// (http.MaxBytesReader).
func serverWriter(w http.ResponseWriter) http.ResponseWriter {
	if x, ok := w.(*exchange); ok {
		return x.ResponseWriter
	}
	return w
}

// Response headers set through setHeader, in canonical form.
const (
	headerRequestID   = "X-Request-Id"
	headerContentType = "Content-Type"
	headerETag        = "Etag" // "ETag" in RFC 7232
	headerLocation    = "Location"
)

// setHeader sets the header key, which must be in canonical form (as
// textproto.CanonicalMIMEHeaderKey gives it), to value. Through an
// exchange the value's one-element slice is carved from the exchange, so
// that setting it allocates nothing; its capacity is 1, so that a later
// Header().Add copies it.
func setHeader(w http.ResponseWriter, key, value string) {
	if x, ok := w.(*exchange); ok && x.n < len(x.vals) {
		i := x.n
		x.n++
		x.vals[i] = value
		w.Header()[key] = x.vals[i : i+1 : i+1]
		return
	}
	w.Header()[key] = []string{value}
}

// bufferPool keeps the buffers request bodies are read into and responses
// encoded into. A buffer goes back once the body is decoded (the decoded
// values do not share its memory) or the response written (a
// ResponseWriter's Write does not keep its argument).
type bufferPool struct{ p sync.Pool }

// maxPooledBuffer is the capacity above which a buffer is left to the
// collector rather than kept, so that one large body or list does not stay
// in the pool.
const maxPooledBuffer = 64 << 10

// get returns an empty buffer of capacity 1 KiB or more.
func (p *bufferPool) get() *[]byte {
	if b, ok := p.p.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 1024)
	return &b
}

// put returns b, whose contents are no longer used, to the pool.
func (p *bufferPool) put(b *[]byte) {
	if cap(*b) > maxPooledBuffer {
		return
	}
	*b = (*b)[:0]
	p.p.Put(b)
}
