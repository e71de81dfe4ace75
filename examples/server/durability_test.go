package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimkit/scimkit/internal/sqltest"
)

// These tests build the example server and run it as a child process, so
// that it can be killed like a real one.

const durabilityToken = "durability-test-token-0123456789"

// buildServer builds this command into the test's temporary directory.
func buildServer(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the server; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "server")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// child is a server running as a child process.
type child struct {
	cmd  *exec.Cmd
	base string // the group's SCIM base URL
}

// startChild runs the server with a store spec and waits until it prints
// the group's base URL, which it does once it is listening.
func startChild(t *testing.T, bin, storeSpec string) *child {
	t.Helper()
	return startChildren(t, bin, storeSpec, 1)[0]
}

// startChildren starts n servers on one store at the same moment, serving
// group "demo" and the other groups named, and waits until each serves. All
// the groups take durabilityToken.
func startChildren(t *testing.T, bin, storeSpec string, n int, groups ...string) []*child {
	t.Helper()
	children := make([]*child, n)
	founds := make([]chan string, n)
	stderrs := make([]*bytes.Buffer, n)
	args := []string{"-addr", "127.0.0.1:0", "-store", storeSpec}
	for _, g := range append([]string{"demo"}, groups...) {
		args = append(args, "-group", g+"="+durabilityToken)
	}
	for i := range n {
		cmd := exec.Command(bin, args...)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		stderrs[i] = new(bytes.Buffer)
		cmd.Stderr = stderrs[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		children[i] = &child{cmd: cmd}
		t.Cleanup(func() {
			cmd.Process.Kill()
			cmd.Wait()
		})
		found := make(chan string, 1)
		founds[i] = found
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if _, u, ok := strings.Cut(sc.Text(), "SCIM base URL: "); ok {
					found <- strings.TrimSpace(u)
					break
				}
			}
			close(found)
			io.Copy(io.Discard, stdout)
		}()
	}
	for i, found := range founds {
		u, ok := <-found
		if !ok {
			children[i].cmd.Wait()
			t.Fatalf("server %d did not start: %s", i, stderrs[i].String())
		}
		children[i].base = u
	}
	return children
}

// kill stops the server with SIGKILL: no shutdown code runs.
func (s *child) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	s.cmd.Wait()
}

var httpClient = &http.Client{Timeout: 60 * time.Second}

func userBody(n string) []byte {
	b, _ := json.Marshal(map[string]any{
		"schemas":    []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName":   "user-" + n,
		"externalId": "ext-" + n,
		"name":       map[string]any{"givenName": "Given" + n, "familyName": "Family"},
		"emails":     []any{map[string]any{"value": "user-" + n + "@example.com", "type": "work", "primary": true}},
		"active":     true,
	})
	return b
}

// create POSTs a user and returns the status and the id of a 201.
func (s *child) create(n string) (int, string, error) {
	return s.post(userBody(n))
}

// post POSTs doc to the group's /Users and returns the status and the id
// of a 201.
func (s *child) post(doc []byte) (int, string, error) {
	return postTo(s.base, doc)
}

// postTo POSTs doc to /Users of the group whose base URL is base.
func postTo(base string, doc []byte) (int, string, error) {
	req, err := http.NewRequest(http.MethodPost, base+"/Users", bytes.NewReader(doc))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Authorization", "Bearer "+durabilityToken)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var body struct {
		ID string `json:"id"`
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, "", err
	}
	if resp.StatusCode == http.StatusCreated {
		if err := json.Unmarshal(data, &body); err != nil {
			return resp.StatusCode, "", err
		}
	}
	return resp.StatusCode, body.ID, nil
}

// list GETs every page of /Users with a filter and returns totalResults,
// the ids and the externalIds.
func (s *child) list(t *testing.T, filter string) (total int, ids, externalIDs []string) {
	t.Helper()
	for {
		q := url.Values{"startIndex": {fmt.Sprint(len(ids) + 1)}}
		if filter != "" {
			q.Set("filter", filter)
		}
		req, err := http.NewRequest(http.MethodGet, s.base+"/Users?"+q.Encode(), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+durabilityToken)
		resp, err := httpClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			TotalResults int `json:"totalResults"`
			Resources    []struct {
				ID         string `json:"id"`
				ExternalID string `json:"externalId"`
			} `json:"Resources"`
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /Users?%s: %d %s %v", q.Encode(), resp.StatusCode, data, err)
		}
		if err := json.Unmarshal(data, &body); err != nil {
			t.Fatal(err)
		}
		for _, r := range body.Resources {
			ids = append(ids, r.ID)
			externalIDs = append(externalIDs, r.ExternalID)
		}
		if len(body.Resources) == 0 || len(ids) >= body.TotalResults {
			return body.TotalResults, ids, externalIDs
		}
	}
}

// TestKillDuringCreatesSQLite kills the server with SIGKILL in the middle of
// concurrent creates on SQLite, restarts it on the same file, and checks
// that every create answered 201 is stored, exactly once, under the id the
// 201 gave.
func TestKillDuringCreatesSQLite(t *testing.T) {
	killDuringCreates(t, "sqlite:"+filepath.Join(t.TempDir(), "scimkit.db"))
}

// TestKillDuringCreatesPostgres is TestKillDuringCreatesSQLite on
// PostgreSQL, where a create's writes travel with its COMMIT: a create
// answered 201 is one whose COMMIT the server confirmed.
func TestKillDuringCreatesPostgres(t *testing.T) {
	killDuringCreates(t, "postgres:"+sqltest.FreshSchema(t))
}

// killDuringCreates kills the server on store spec in the middle of
// concurrent creates, twice, and checks after each restart that every
// create answered 201 is stored, exactly once, under the id the 201 gave.
func killDuringCreates(t *testing.T, spec string) {
	bin := buildServer(t)
	for round := range 2 {
		srv := startChild(t, bin, spec)
		const workers = 8
		var (
			mu      sync.Mutex
			acked   = map[string]string{} // n -> id of the 201
			next    atomic.Int64
			wg      sync.WaitGroup
			enough  = make(chan struct{})
			once    sync.Once
			failure atomic.Value
		)
		for range workers {
			wg.Go(func() {
				for {
					n := fmt.Sprintf("%d-%d", round, next.Add(1))
					status, id, err := srv.create(n)
					if err != nil {
						return // the server is gone
					}
					if status != http.StatusCreated {
						failure.CompareAndSwap(nil, fmt.Sprintf("create %s: status %d", n, status))
						return
					}
					mu.Lock()
					acked[n] = id
					if len(acked) >= 150 {
						once.Do(func() { close(enough) })
					}
					mu.Unlock()
				}
			})
		}
		select {
		case <-enough:
		case <-time.After(2 * time.Minute):
		}
		srv.kill(t) // creates are in flight: some answered, some not
		wg.Wait()
		if f := failure.Load(); f != nil {
			t.Fatal(f)
		}
		if len(acked) == 0 {
			t.Fatal("no create was acknowledged before the kill")
		}

		srv = startChild(t, bin, spec)
		total, _, all := srv.list(t, "")
		if total != len(all) {
			t.Errorf("round %d: totalResults %d, listed %d", round, total, len(all))
		}
		seen := map[string]int{}
		for _, e := range all {
			seen[e]++
		}
		for e, c := range seen {
			if c > 1 {
				t.Errorf("round %d: externalId %s stored %d times", round, e, c)
			}
		}
		for n, id := range acked {
			total, ids, _ := srv.list(t, fmt.Sprintf("externalId eq %q", "ext-"+n))
			if total != 1 || len(ids) != 1 || ids[0] != id {
				t.Errorf("round %d: acknowledged create %s (id %s): found total %d ids %v", round, n, id, total, ids)
			}
		}
		t.Logf("round %d: %d creates acknowledged before SIGKILL, all found after restart (%d users stored)", round, len(acked), len(all))
		srv.kill(t)
	}
}

// TestReplicasSimultaneousCreatesPostgres runs two servers on one
// PostgreSQL database and sends the same person to both at the same
// moment, many times: every time exactly one create answers 201 and the
// others 409.
func TestReplicasSimultaneousCreatesPostgres(t *testing.T) {
	dsn := sqltest.FreshSchema(t)
	bin := buildServer(t)
	// The replicas start at the same moment on an empty database: both run
	// the migrations and both try to create group "demo"; the loser of that
	// race reads the winner's group and serves it.
	replicas := startChildren(t, bin, "postgres:"+dsn, 2)
	const rounds = 20
	raceCreates(t, replicas, rounds, func(round, _ int) []byte { return userBody(fmt.Sprintf("p%d", round)) })
	for i, r := range replicas {
		total, _, _ := r.list(t, "")
		if total != rounds {
			t.Errorf("replica %d lists %d users, want %d", i, total, rounds)
		}
	}
}

// TestReplicasSameUserNamePostgres sends different people who give one
// userName to two servers on one PostgreSQL database at the same moment,
// many times. Half of them own an account already (provisioned by another
// group, under another username), so the create links it and no unique
// index sees the userName twice; yet a group's userNames are unique in the
// RFC profile, and every time exactly one create answers 201 and the
// others 409.
func TestReplicasSameUserNamePostgres(t *testing.T) {
	dsn := sqltest.FreshSchema(t)
	replicas := startChildren(t, buildServer(t), "postgres:"+dsn, 2, "other")
	other := strings.TrimSuffix(replicas[0].base, "/demo") + "/other"
	person := func(userName, externalID, email string) []byte {
		b, _ := json.Marshal(map[string]any{
			"schemas":    []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
			"userName":   userName,
			"externalId": externalID,
			"emails":     []any{map[string]any{"value": email, "primary": true}},
		})
		return b
	}
	const rounds = 10
	for round := range rounds {
		for i := range 4 {
			name := fmt.Sprintf("account-%d-%d", round, i)
			if status, _, err := postTo(other, person(name, name, name+"@example.com")); err != nil || status != http.StatusCreated {
				t.Fatalf("account %s in group other: %d %v", name, status, err)
			}
		}
	}
	raceCreates(t, replicas, rounds, func(round, i int) []byte {
		shared := fmt.Sprintf("shared-%d", round)
		if i%2 == 0 {
			account := fmt.Sprintf("account-%d-%d@example.com", round, i/2)
			return person(shared, fmt.Sprintf("link-%d-%d", round, i), account)
		}
		return person(shared, fmt.Sprintf("new-%d-%d", round, i), fmt.Sprintf("new-%d-%d@example.com", round, i))
	})
	total, _, _ := replicas[0].list(t, "")
	if total != rounds {
		t.Errorf("%d users stored in group demo, want %d", total, rounds)
	}
}

// raceCreates sends, each round, 8 creates with bodies body(round, i) to the
// replicas in turn at the same moment, and checks that exactly one answers
// 201 and the others 409.
func raceCreates(t *testing.T, replicas []*child, rounds int, body func(round, i int) []byte) {
	t.Helper()
	const perRound = 8
	for round := range rounds {
		statuses := make([]int, perRound)
		errs := make([]error, perRound)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range perRound {
			wg.Go(func() {
				<-start
				statuses[i], _, errs[i] = replicas[i%len(replicas)].post(body(round, i))
			})
		}
		close(start)
		wg.Wait()
		created, conflicts := 0, 0
		for i, st := range statuses {
			switch {
			case errs[i] != nil:
				t.Errorf("round %d request %d: %v", round, i, errs[i])
			case st == http.StatusCreated:
				created++
			case st == http.StatusConflict:
				conflicts++
			default:
				t.Errorf("round %d request %d: status %d", round, i, st)
			}
		}
		if created != 1 || conflicts != perRound-1 {
			t.Errorf("round %d: %d created, %d conflicts; want 1 and %d", round, created, conflicts, perRound-1)
		}
	}
}

// tcpProxy forwards connections to a database, and can cut them all and
// refuse new ones, as a database that goes away does.
type tcpProxy struct {
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	p := &tcpProxy{target: target}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.down)
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, d)
			p.mu.Unlock()
			go func() { io.Copy(d, c); d.Close() }()
			go func() { io.Copy(c, d); c.Close() }()
		}
	}()
}

// down closes the listener and every forwarded connection.
func (p *tcpProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// up listens again on the same address.
func (p *tcpProxy) up(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	p.serve(ln)
}

// TestDatabaseOutagePostgres cuts the server off its PostgreSQL database:
// creates fail with 503 (store.ErrUnavailable) and write nothing; when the
// database is back the server recovers without a restart.
func TestDatabaseOutagePostgres(t *testing.T) {
	dsn := sqltest.FreshSchema(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newTCPProxy(t, u.Host)
	viaProxy := *u
	viaProxy.Host = proxy.addr
	srv := startChild(t, buildServer(t), "postgres:"+viaProxy.String())

	if status, _, err := srv.create("before"); err != nil || status != http.StatusCreated {
		t.Fatalf("create before the outage: %d %v", status, err)
	}
	proxy.down()
	for i := range 3 {
		status, _, err := srv.create(fmt.Sprintf("during%d", i))
		if err != nil {
			t.Fatalf("create during the outage: %v", err)
		}
		if status != http.StatusServiceUnavailable {
			t.Errorf("create during the outage: status %d, want 503", status)
		}
	}
	proxy.up(t)
	if status, _, err := srv.create("after"); err != nil || status != http.StatusCreated {
		t.Fatalf("create after the outage: %d %v", status, err)
	}
	total, _, ext := srv.list(t, "")
	if total != 2 {
		t.Errorf("%d users stored (%v), want the 2 created outside the outage", total, ext)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, table := range []string{"scimkit_users", "scimkit_user_emails", "scimkit_memberships", "scimkit_scim_identities", "scimkit_saml_identities"} {
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("%s holds %d rows, want 2: an outage left a half-written create", table, n)
		}
	}
}

// TestOddValuesRoundTrip sends odd Unicode and a large attribute through the
// server into each database and reads them back unchanged.
func TestOddValuesRoundTrip(t *testing.T) {
	bin := buildServer(t)
	specs := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "odd.db") },
		"postgres": func(t *testing.T) string { return "postgres:" + sqltest.FreshSchema(t) },
	}
	for name, spec := range specs {
		t.Run(name, func(t *testing.T) {
			srv := startChild(t, bin, spec(t))
			odd := "e\u0301\u202e\u200d\U0001F468\u200d\U0001F469\u200d\U0001F467 \u0130\u017F\u212A \uFEFF"
			doc := map[string]any{
				"schemas":    []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
				"userName":   "odd" + odd,
				"externalId": "ext" + odd + strings.Repeat("\U0001F600", 30),
				"title":      "nul\u0000" + strings.Repeat("\u00e9\U0001F600x", 60000), // 420 kB
				"name":       map[string]any{"givenName": odd, "familyName": "F"},
				"emails":     []any{map[string]any{"value": "odd@example.com", "type": "work", "primary": true}},
				"active":     true,
			}
			body, _ := json.Marshal(doc)
			req, _ := http.NewRequest(http.MethodPost, srv.base+"/Users", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+durabilityToken)
			req.Header.Set("Content-Type", "application/scim+json")
			resp, err := httpClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("POST: %d %.300s", resp.StatusCode, data)
			}
			var created struct{ ID string }
			json.Unmarshal(data, &created)

			req, _ = http.NewRequest(http.MethodGet, srv.base+"/Users/"+url.PathEscape(created.ID), nil)
			req.Header.Set("Authorization", "Bearer "+durabilityToken)
			resp, err = httpClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			err = json.NewDecoder(resp.Body).Decode(&got)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			for _, attr := range []string{"userName", "externalId", "title"} {
				if got[attr] != doc[attr] {
					t.Errorf("%s came back changed (%d bytes sent, %d received)", attr, len(fmt.Sprint(doc[attr])), len(fmt.Sprint(got[attr])))
				}
			}
			if n, _ := got["name"].(map[string]any); n == nil || n["givenName"] != odd {
				t.Errorf("name.givenName came back as %q", n["givenName"])
			}
			total, ids, _ := srv.list(t, fmt.Sprintf("userName eq %q", "ODD"+odd))
			if total != 1 || len(ids) != 1 || ids[0] != created.ID {
				t.Errorf("filter by the odd userName: %d results %v", total, ids)
			}
		})
	}
}
