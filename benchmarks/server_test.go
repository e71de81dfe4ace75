package benchmarks

// Provisioning through the example server, as a host runs it: the built
// binary of examples/server on a real listener, with a SQLite file or a
// PostgreSQL database as its store, and N client goroutines sending the
// requests an IdP's sync sends. Each benchmark also measures, in the same
// run and on the same database, the bare commit rate: one-row INSERTs into
// a table with two unique indexes, each its own durable transaction, from
// as many goroutines. A create can never be faster than that; pct-of-bare
// says how close it comes.
//
//	cd benchmarks
//	SCIMKIT_POSTGRES_DSN=postgres://... go test -run '^$' -bench 'Server' -benchtime 4000x -count 3
//
// b.N is the number of creates (BenchmarkServerCreate) or of IdP sync
// rounds (BenchmarkServerSync: create, GET by id, filter by userName, PATCH
// active false, PATCH active true). Reported: creates/s (or rounds/s),
// p50/p99/max latency in milliseconds (per operation for the sync), the
// slowest group's p99 when several groups are provisioned at once,
// bare-commits/s and pct-of-bare, and for the creates the server process's
// CPU time per create (server-cpu-us, from /proc: less swayed than wall
// time by a machine others share). After each run every acknowledged create
// is looked up in the database: a lost acknowledged write, a duplicate
// account or identity, or any status other than the expected one fails the
// benchmark.
//
// Without SCIMKIT_POSTGRES_DSN only SQLite runs. The server is the binary
// users run (go build of examples/server): it builds its handler exactly
// as `go run ./examples/server` does, and logs one line per request.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx", for the bare commits and the checks
	_ "modernc.org/sqlite"             // "sqlite", likewise
)

// serverToken is the token of group i.
func serverToken(i int) string { return fmt.Sprintf("benchmark-token-%02d-0123456789", i) }

var (
	serverBinOnce sync.Once
	serverBinDir  string
	serverBin     string
	serverBinErr  error
)

// TestMain removes the server binary the benchmarks built.
func TestMain(m *testing.M) {
	code := m.Run()
	if serverBinDir != "" {
		os.RemoveAll(serverBinDir)
	}
	os.Exit(code)
}

// buildServerBinary builds examples/server once per test binary run.
func buildServerBinary(b *testing.B) string {
	serverBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "scimkit-bench-server")
		if err != nil {
			serverBinErr = err
			return
		}
		serverBinDir, serverBin = dir, filepath.Join(dir, "server")
		// Built in the scimkit module (the parent directory), with its
		// go.mod and go.sum, as `go run ./examples/server` builds it.
		cmd := exec.Command("go", "build", "-o", serverBin, "./examples/server")
		cmd.Dir = ".."
		out, err := cmd.CombinedOutput()
		if err != nil {
			serverBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if serverBinErr != nil {
		b.Fatal(serverBinErr)
	}
	return serverBin
}

// benchBackend is a database the server runs on: a store spec for its
// -store flag, and a handle on the same database for the bare commits and
// the checks.
type benchBackend struct {
	name string
	spec string
	db   *sql.DB // for the bare commits
	// store is the server's database, for the checks.
	store *sql.DB
	// bind turns ? placeholders into the database's.
	bind func(q string) string
}

// serverBackend names a database kind and opens a fresh database of it.
type serverBackend struct {
	name string
	open func(b *testing.B) *benchBackend
}

func serverBackends(b *testing.B) []serverBackend {
	backends := []serverBackend{{"sqlite", sqliteBackend}}
	if withPostgres(b) {
		backends = append(backends, serverBackend{"postgres", postgresBackend})
	}
	return backends
}

// sqliteBackend is a fresh SQLite file; the bare commits go to another
// file in the same directory with the store's durability settings.
func sqliteBackend(b *testing.B) *benchBackend {
	dir := b.TempDir()
	q := url.Values{}
	q.Set("_txlock", "immediate")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "bare.db")+"?"+q.Encode())
	if err != nil {
		b.Fatal(err)
	}
	// One writer at a time, as SQLite allows: queue in database/sql rather
	// than in SQLite's sleeping busy handler.
	db.SetMaxOpenConns(1)
	b.Cleanup(func() { db.Close() })
	file := filepath.Join(dir, "scimkit.db")
	st, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(5000)")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return &benchBackend{name: "sqlite", spec: "sqlite:" + file, db: db, store: st, bind: func(q string) string { return q }}
}

// postgresBackend is a fresh schema in the database named by
// SCIMKIT_POSTGRES_DSN, dropped afterwards.
func postgresBackend(b *testing.B) *benchBackend {
	var rnd [6]byte
	rand.Read(rnd[:])
	dsn := benchSchema(b, "scimkit_bench_server_"+hex.EncodeToString(rnd[:]), true)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	b.Cleanup(func() { db.Close() })
	bind := func(q string) string {
		n := 0
		var sb strings.Builder
		for _, r := range q {
			if r == '?' {
				n++
				sb.WriteString("$" + strconv.Itoa(n))
				continue
			}
			sb.WriteRune(r)
		}
		return sb.String()
	}
	return &benchBackend{name: "postgres", spec: "postgres:" + dsn, db: db, store: db, bind: bind}
}

// bareCommits runs n one-row INSERTs, each committed on its own, from
// workers goroutines, and returns commits per second.
func (be *benchBackend) bareCommits(b *testing.B, workers, n int) float64 {
	ctx := context.Background()
	if _, err := be.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS bench_bare (
		id BIGINT PRIMARY KEY, k TEXT NOT NULL UNIQUE, v TEXT NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	q := be.bind("INSERT INTO bench_bare (id, k, v) VALUES (?, ?, ?)")
	var next atomic.Int64
	var base int64
	if err := be.db.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM bench_bare").Scan(&base); err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				id := base + i
				if _, err := be.db.ExecContext(ctx, q, id, "key-"+strconv.FormatInt(id, 10), "row"); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds()
}

// benchServer is the example server running as a child process.
type benchServer struct {
	cmd    *exec.Cmd
	bases  []string // SCIM base URL of group i
	client *http.Client
}

// startServer runs the example server on be with groups g0 ... g<groups-1>.
func startServer(b *testing.B, be *benchBackend, groups, conns int) *benchServer {
	bin := buildServerBinary(b)
	args := []string{"-addr", "127.0.0.1:0", "-store", be.spec}
	for i := range groups {
		args = append(args, "-group", fmt.Sprintf("g%d=%s", i, serverToken(i)))
	}
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	// The server logs a line per request; count what goes wrong.
	var logTail bytes.Buffer
	var logMu sync.Mutex
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			if bytes.Contains(line, []byte("level=ERROR")) || bytes.Contains(line, []byte("level=WARN")) {
				logMu.Lock()
				if logTail.Len() < 8<<10 {
					logTail.Write(line)
					logTail.WriteByte('\n')
				}
				logMu.Unlock()
			}
		}
	}()
	s := &benchServer{cmd: cmd}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && len(s.bases) < groups {
		if _, u, ok := strings.Cut(sc.Text(), "SCIM base URL: "); ok {
			s.bases = append(s.bases, strings.TrimSpace(u))
		}
	}
	go io.Copy(io.Discard, stdout)
	b.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		<-logDone
		logMu.Lock()
		defer logMu.Unlock()
		if logTail.Len() > 0 {
			b.Logf("server warnings and errors:\n%s", logTail.String())
		}
	})
	if len(s.bases) != groups {
		b.Fatalf("server did not start (%d of %d groups)", len(s.bases), groups)
	}
	s.client = &http.Client{
		Timeout:   time.Minute,
		Transport: &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute},
	}
	return s
}

// cpu returns the CPU time the server process used so far (user and
// system, from /proc; 0 where there is none): per request, a measure less
// swayed than wall time by a machine that others share.
func (s *benchServer) cpu() time.Duration {
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The fields after the command name (in parentheses); utime and stime
	// are the 12th and 13th, in clock ticks of 1/100 s.
	f := strings.Fields(string(st[bytes.LastIndexByte(st, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return time.Duration(ut+stime) * 10 * time.Millisecond
}

// do sends one request to group g and returns the status and body.
func (s *benchServer) do(g int, method, path, body string) (int, []byte, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.bases[g]+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+serverToken(g))
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

// createBody is a POST /Users as Entra ID sends it, for person name.
func createBody(name string) string {
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],` +
		`"externalId":"` + name + `-ext","userName":"` + name + `@example.com","active":true,"displayName":"Person ` + name + `",` +
		`"name":{"formatted":"Person ` + name + `","familyName":"` + name + `","givenName":"Person"},` +
		`"emails":[{"primary":true,"type":"work","value":"` + name + `@example.com"}],"title":"Engineer",` +
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Research"}}`
}

const (
	patchInactive = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`
	patchActive   = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":true}]}`
)

// idOf returns the "id" member of a created resource: the first one in the
// body, which is the resource's own (the server writes it first).
func idOf(body []byte) string {
	_, rest, ok := bytes.Cut(body, []byte(`"id":"`))
	if !ok {
		return ""
	}
	id, _, _ := bytes.Cut(rest, []byte(`"`))
	return string(id)
}

// latencies collects durations from several goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d []time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d...)
	l.mu.Unlock()
}

// quantile returns the q-quantile in milliseconds (q = 1: the maximum).
func quantile(d []time.Duration, q float64) float64 {
	if len(d) == 0 {
		return math.NaN()
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	i = max(0, min(i, len(s)-1))
	return float64(s[i]) / float64(time.Millisecond)
}

// acked is what the server acknowledged: externalId -> resource id, per
// group.
type acked struct {
	mu  sync.Mutex
	ids []map[string]string
}

func newAcked(groups int) *acked {
	a := &acked{ids: make([]map[string]string, groups)}
	for i := range a.ids {
		a.ids[i] = map[string]string{}
	}
	return a
}

func (a *acked) add(g int, ext, id string) {
	a.mu.Lock()
	a.ids[g][ext] = id
	a.mu.Unlock()
}

// verify checks the database against every acknowledged create: each is
// stored under the id the 201 gave, with one account, and no identity or
// account exists twice.
func (a *acked) verify(b *testing.B, be *benchBackend, prefix string) {
	ctx := context.Background()
	for g, ids := range a.ids {
		rows, err := be.store.QueryContext(ctx, be.bind(`SELECT s.id, s.extern_uid, s.user_id FROM scimkit_scim_identities s
			JOIN scimkit_groups gr ON gr.id = s.group_id WHERE gr.path = ?`), []byte(fmt.Sprintf("g%d", g)))
		if err != nil {
			b.Fatal(err)
		}
		stored := map[string]string{}
		users := map[string]bool{}
		for rows.Next() {
			var id, ext, user []byte
			if err := rows.Scan(&id, &ext, &user); err != nil {
				b.Fatal(err)
			}
			if !strings.HasPrefix(string(ext), prefix) {
				continue
			}
			if _, dup := stored[string(ext)]; dup {
				b.Errorf("group g%d: externalId %s stored twice", g, ext)
			}
			stored[string(ext)] = string(id)
			if users[string(user)] {
				b.Errorf("group g%d: account %s has two identities", g, user)
			}
			users[string(user)] = true
		}
		if err := rows.Close(); err != nil {
			b.Fatal(err)
		}
		for ext, id := range ids {
			if stored[ext] != id {
				b.Errorf("group g%d: acknowledged create %s (id %s) stored as %q", g, ext, id, stored[ext])
			}
		}
		if len(stored) != len(ids) {
			b.Errorf("group g%d: %d identities stored, %d creates acknowledged", g, len(stored), len(ids))
		}
	}
	var accounts int
	if err := be.store.QueryRowContext(ctx, be.bind("SELECT COUNT(*) FROM scimkit_users WHERE substr(email, 1, ?) = ?"),
		len(prefix), []byte(prefix)).Scan(&accounts); err != nil {
		b.Fatal(err)
	}
	want := 0
	for _, ids := range a.ids {
		want += len(ids)
	}
	if accounts != want {
		b.Errorf("%d accounts stored for %d acknowledged creates", accounts, want)
	}
}

// runPrefix returns a prefix no earlier run used, so that the database
// can keep growing across b.N rounds.
func runPrefix() string {
	var rnd [4]byte
	rand.Read(rnd[:])
	return "p" + hex.EncodeToString(rnd[:])
}

// runWorkers runs workers goroutines, worker w calling op(w, i) for the
// i-th operation (counted over all workers) until n operations are done or
// one fails. It returns the wall time.
func runWorkers(b *testing.B, workers, n int, op func(w, i int) error) time.Duration {
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			for !failed.Load() {
				i := int(next.Add(1))
				if i > n {
					return
				}
				if err := op(w, i); err != nil {
					if failed.CompareAndSwap(false, true) {
						b.Error(err)
					}
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// bareRate measures the bare commit rate with workers goroutines, for n
// commits (at least 2000); call finish after the measured work to measure
// it again and report the mean, and rate as a percentage of it. The machine
// is shared: measuring on both sides of the work evens out its load.
func bareRate(b *testing.B, be *benchBackend, workers, n int) (finish func(rate float64)) {
	n = max(n, 2000)
	before := be.bareCommits(b, workers, n)
	return func(rate float64) {
		bare := (before + be.bareCommits(b, workers, n)) / 2
		b.ReportMetric(bare, "bare-commits/s")
		b.ReportMetric(100*rate/bare, "pct-of-bare")
	}
}

// BenchmarkServerCreate has workers goroutines per group POST new users
// until b.N creates are acknowledged. Within a group the names come in
// sequence, as an IdP's initial sync sends its directory.
func BenchmarkServerCreate(b *testing.B) {
	shapes := []struct{ groups, workers int }{{1, 1}, {1, 8}, {4, 2}}
	for _, backend := range serverBackends(b) {
		for _, sh := range shapes {
			b.Run(fmt.Sprintf("%s/groups=%d/workers=%d", backend.name, sh.groups, sh.workers), func(b *testing.B) {
				be := backend.open(b)
				total := sh.groups * sh.workers
				srv := startServer(b, be, sh.groups, total)
				prefix := runPrefix()
				ack := newAcked(sh.groups)
				seq := make([]atomic.Int64, sh.groups)
				lat := make([]latencies, sh.groups)
				perWorker := make([][]time.Duration, total)
				bare := bareRate(b, be, total, b.N)
				cpu0 := srv.cpu()
				b.ResetTimer()
				elapsed := runWorkers(b, total, b.N, func(w, _ int) error {
					g := w / sh.workers
					name := fmt.Sprintf("%s-g%d-%07d", prefix, g, seq[g].Add(1))
					t0 := time.Now()
					status, body, err := srv.do(g, http.MethodPost, "/Users", createBody(name))
					perWorker[w] = append(perWorker[w], time.Since(t0))
					if err != nil {
						return err
					}
					if status != http.StatusCreated {
						return fmt.Errorf("create %s: status %d: %s", name, status, body)
					}
					ack.add(g, name+"-ext", idOf(body))
					return nil
				})
				b.StopTimer()
				b.ReportMetric((srv.cpu()-cpu0).Seconds()/float64(b.N)*1e6, "server-cpu-us")
				var all []time.Duration
				for w, d := range perWorker {
					lat[w/sh.workers].add(d)
					all = append(all, d...)
				}
				rate := float64(b.N) / elapsed.Seconds()
				b.ReportMetric(rate, "creates/s")
				b.ReportMetric(quantile(all, 0.5), "p50-ms")
				b.ReportMetric(quantile(all, 0.99), "p99-ms")
				b.ReportMetric(quantile(all, 1), "max-ms")
				if sh.groups > 1 {
					worst := 0.0
					for g := range lat {
						worst = max(worst, quantile(lat[g].d, 0.99))
					}
					b.ReportMetric(worst, "worst-group-p99-ms")
				}
				b.ReportMetric(0, "ns/op")
				ack.verify(b, be, prefix)
				bare(rate)
			})
		}
	}
}

// syncOps are the requests of one IdP sync round, in order.
var syncOps = []string{"create", "get", "filter", "deactivate", "reactivate"}

// BenchmarkServerSync has 8 goroutines run IdP sync rounds in one group
// until b.N rounds are done: create a user, GET it by id, find it by a
// userName filter, PATCH active false, PATCH active true.
func BenchmarkServerSync(b *testing.B) {
	const workers = 8
	for _, backend := range serverBackends(b) {
		b.Run(fmt.Sprintf("%s/workers=%d", backend.name, workers), func(b *testing.B) {
			be := backend.open(b)
			srv := startServer(b, be, 1, workers)
			prefix := runPrefix()
			ack := newAcked(1)
			var seq atomic.Int64
			perWorker := make([][][]time.Duration, workers)
			for w := range perWorker {
				perWorker[w] = make([][]time.Duration, len(syncOps))
			}
			b.ResetTimer()
			elapsed := runWorkers(b, workers, b.N, func(w, _ int) error {
				name := fmt.Sprintf("%s-%07d", prefix, seq.Add(1))
				var id string
				for k, op := range syncOps {
					method, path, body, want := "", "", "", http.StatusOK
					switch op {
					case "create":
						method, path, body, want = http.MethodPost, "/Users", createBody(name), http.StatusCreated
					case "get":
						method, path = http.MethodGet, "/Users/"+id
					case "filter":
						method, path = http.MethodGet, "/Users?filter="+url.QueryEscape(`userName eq "`+name+`@example.com"`)
					case "deactivate":
						method, path, body = http.MethodPatch, "/Users/"+id, patchInactive
					case "reactivate":
						method, path, body = http.MethodPatch, "/Users/"+id, patchActive
					}
					t0 := time.Now()
					status, data, err := srv.do(0, method, path, body)
					perWorker[w][k] = append(perWorker[w][k], time.Since(t0))
					if err != nil {
						return err
					}
					if status != want && !(status == http.StatusNoContent && method == http.MethodPatch) {
						return fmt.Errorf("%s %s: status %d: %s", op, name, status, data)
					}
					switch op {
					case "create":
						id = idOf(data)
						ack.add(0, name+"-ext", id)
					case "filter":
						if !bytes.Contains(data, []byte(`"totalResults":1`)) {
							return fmt.Errorf("filter %s: %s", name, data)
						}
					}
				}
				return nil
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "rounds/s")
			worst := 0.0
			for k, op := range syncOps {
				var d []time.Duration
				for w := range perWorker {
					d = append(d, perWorker[w][k]...)
				}
				p99 := quantile(d, 0.99)
				worst = max(worst, p99)
				b.ReportMetric(p99, op+"-p99-ms")
			}
			b.ReportMetric(worst, "worst-p99-ms")
			b.ReportMetric(0, "ns/op")
			ack.verify(b, be, prefix)
		})
	}
}
