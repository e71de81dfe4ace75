package scim

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGroupsConcurrentPatches has several goroutines add and remove
// members of one group at once over HTTP, with the shapes Entra ID and
// Okta send, on every store (run it with -race): each adds its own users
// one PATCH at a time, then removes every other one, by a value list or by
// a value filter, while another goroutine renames the group and reads it.
// No member is lost or left behind, the version counts every change, and
// every request succeeds (a 503, which a store answers when it gives up on
// conflicting writes, is sent again, as the IdPs do).
func TestGroupsConcurrentPatches(t *testing.T) {
	t.Parallel()
	const workers, each = 4, 6
	for _, st := range testStores(t) {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnvOn(t, st.open(t))
			users := make([][]string, workers)
			var want []string
			for w := range workers {
				for i := range each {
					id := e.createUser(t, fmt.Sprintf("ext-%d-%d", w, i), fmt.Sprintf("u%d-%d", w, i), fmt.Sprintf("u%d-%d@example.com", w, i))
					users[w] = append(users[w], id)
					if i%2 == 0 {
						want = append(want, id)
					}
				}
			}
			gid := e.createGroup(t, "Everyone")
			path := "/Groups/" + gid
			send := func(method, target, body string) error {
				for range 20 {
					rec := e.do(t, method, target, body)
					switch rec.Code {
					case http.StatusOK, http.StatusNoContent:
						return nil
					case http.StatusServiceUnavailable:
						continue
					}
					return fmt.Errorf("%s %s %s: %d %s", method, target, body, rec.Code, rec.Body)
				}
				return fmt.Errorf("%s %s %s: 503 twenty times", method, target, body)
			}
			var wg sync.WaitGroup
			errs := make(chan error, workers+1)
			for w := range workers {
				wg.Go(func() {
					for _, id := range users[w] {
						if err := send(http.MethodPatch, path, `{`+patchOp+`,"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"`+id+`"}]}]}`); err != nil {
							errs <- err
							return
						}
					}
					for i, id := range users[w] {
						if i%2 == 0 {
							continue
						}
						body := `{` + patchOp + `,"Operations":[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"` + id + `"}]}]}`
						if w%2 == 1 {
							body = `{` + patchOp + `,"Operations":[{"op":"remove","path":"members[value eq \"` + id + `\"]"}]}`
						}
						if err := send(http.MethodPatch, path, body); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Go(func() {
				for i := range 10 {
					if err := send(http.MethodPatch, path, fmt.Sprintf(`{"Operations":[{"op":"replace","value":{"id":%q,"displayName":"Everyone %d"}}]}`, gid, i)); err != nil {
						errs <- err
						return
					}
					if err := send(http.MethodGet, path+"?excludedAttributes=members", ""); err != nil {
						errs <- err
						return
					}
				}
			})
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			slices.Sort(want)
			if diff := cmp.Diff(want, e.members(t, gid)); diff != "" {
				t.Errorf("members (-want +got):\n%s", diff)
			}
			got := decode(t, e.do(t, http.MethodGet, path, nil))
			// 1 (create) + every add and remove + 10 renames.
			wantVersion := fmt.Sprintf(`W/"%d"`, 1+workers*each+workers*each/2+10)
			if got["displayName"] != "Everyone 9" || got["meta"].(map[string]any)["version"] != wantVersion || len(got["members"].([]any)) != len(want) {
				t.Errorf("group: %v %v, want version %s", got["displayName"], got["meta"], wantVersion)
			}
		})
	}
}
