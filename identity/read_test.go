package identity

import (
	"errors"
	"testing"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/store"
)

func TestGet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		prof     Profile
		id       string
		wantKind Kind
	}{
		{"rfc: by server id", RFCProfile(), "id-2", 0},
		{"rfc: extern_uid is not an id", RFCProfile(), "ext-1", KindNotFound},
		{"gitlab: by extern_uid", GitLabProfile(), "ext-1", 0},
		{"gitlab: extern_uid case-insensitive", GitLabProfile(), "EXT-1", 0},
		{"gitlab: server id is not an id", GitLabProfile(), "id-2", KindNotFound},
		{"empty id", RFCProfile(), "", KindNotFound},
		{"id with control character", GitLabProfile(), "ext-1\n", KindNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tc.prof)
			if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test")); err != nil {
				t.Fatal(err)
			}
			res, err := f.p.Get(t.Context(), "g", tc.id)
			wantErr(t, err, tc.wantKind, "")
			if err == nil && (res.Identity.ID != "id-2" || res.User.Username != "jdoe" || !res.Member || res.Changes != 0) {
				t.Errorf("got %+v %+v", res.Identity, res.User)
			}
		})
	}
}

func TestGetOtherGroupsIdentityIsNotFound(t *testing.T) {
	t.Parallel()
	f := newFixture(t, RFCProfile())
	if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.p.CreateGroup(t.Context(), GroupSpec{ID: "g2", Path: "other"}); err != nil {
		t.Fatal(err)
	}
	_, err := f.p.Get(t.Context(), "g2", "id-2")
	wantErr(t, err, KindNotFound, "Resource id-2 not found")
	// A missing group is reported as such.
	_, err = f.p.Get(t.Context(), "nope", "id-2")
	wantErr(t, err, KindNotFound, "group not found")
	_, err = f.p.Get(t.Context(), "nope", "")
	wantErr(t, err, KindNotFound, "group not found")
	_, err = f.p.Deprovision(t.Context(), "g2", "id-2")
	wantErr(t, err, KindNotFound, "")
}

func TestList(t *testing.T) {
	t.Parallel()
	f := newFixture(t, RFCProfile())
	for _, p := range [][3]string{{"e1", "ann", "ann@acme.test"}, {"e2", "bob", "bob@acme.test"}, {"e3", "cid", "cid@acme.test"}} {
		if _, err := f.p.Provision(t.Context(), "g", userDoc(p[0], p[1], p[2])); err != nil {
			t.Fatal(err)
		}
	}
	expr, err := filter.Parse(`userName eq "BOB"`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		q         store.Query
		wantUsers []string
		wantTotal int
	}{
		{"all", store.Query{}, []string{"ann", "bob", "cid"}, 3},
		{"filtered", store.Query{Filter: expr}, []string{"bob"}, 1},
		{"paged", store.Query{StartIndex: 2, Count: 1}, []string{"bob"}, 3},
		{"sorted descending", store.Query{SortBy: "userName", SortOrder: store.Descending}, []string{"cid", "bob", "ann"}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			page, err := f.p.List(t.Context(), "g", tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range page.Results {
				got = append(got, r.User.Username)
			}
			if d := diff(tc.wantUsers, got); d != "" || page.Total != tc.wantTotal {
				t.Errorf("users (-want +got):\n%s total %d want %d", d, page.Total, tc.wantTotal)
			}
		})
	}
}

func TestListBadFilterIsSchemaError(t *testing.T) {
	t.Parallel()
	f := newFixture(t, RFCProfile())
	expr, err := filter.Parse(`active gt true`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.p.List(t.Context(), "g", store.Query{Filter: expr})
	var se *filter.SchemaError
	if !errors.As(err, &se) {
		t.Errorf("err = %v, want a *filter.SchemaError in the chain", err)
	}
	_, err = f.p.List(t.Context(), "nope", store.Query{})
	wantErr(t, err, KindNotFound, "")
}

func TestFindByUserName(t *testing.T) {
	t.Parallel()
	f := newFixture(t, GitLabProfile())
	if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test")); err != nil {
		t.Fatal(err)
	}
	f.put(t, alice())
	if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-a", "ignored", "alice@home.test")); err != nil {
		t.Fatal(err)
	}
	// carol has no identity in the group, and her email's local part is
	// jdoe's username.
	f.put(t, &store.User{ID: "carol", Username: "carol", Email: "jdoe@other.test", State: store.UserActive})
	tests := []struct {
		name, v string
		want    string // extern_uid found, "" for none
	}{
		{"extern_uid", "EXT-1", "ext-1"},
		{"username", "JDOE", "ext-1"},
		{"primary email", "jdoe@acme.test", "ext-1"},
		{"secondary email", "alice@acme.test", "ext-a"},
		{"email local part as username", "jdoe@elsewhere.test", "ext-1"},
		{"an account found by email decides", "jdoe@other.test", ""},
		{"an account found by username decides", "carol", ""},
		{"not an email address: no local part", "jdoe@localhost", ""},
		{"owner has no identity", "boss", ""},
		{"nothing", "nobody", ""},
		{"empty", "", ""},
		{"control character", "jdoe\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := f.p.FindByUserName(t.Context(), "g", tc.v)
			if err != nil {
				t.Fatal(err)
			}
			var ext string
			if len(got) == 1 {
				ext = got[0].Identity.ExternUID
			}
			if len(got) > 1 || ext != tc.want {
				t.Errorf("got %d results (%q), want %q", len(got), ext, tc.want)
			}
		})
	}
}

func TestLookupGroup(t *testing.T) {
	t.Parallel()
	f := newFixture(t, GitLabProfile())
	if g, err := f.p.LookupGroup(t.Context(), "ACME"); err != nil || g.ID != "g" {
		t.Errorf("LookupGroup = %v, %v", g, err)
	}
	_, err := f.p.LookupGroup(t.Context(), "nope")
	wantErr(t, err, KindNotFound, "Group nope not found")
	_, err = f.p.LookupGroup(t.Context(), "a\x00")
	wantErr(t, err, KindNotFound, "")
	// GitLab addresses a group by its path or, all digits, by its id; a
	// path wins over an id.
	for _, spec := range []GroupSpec{{ID: "42", Path: "numbered"}, {ID: "43", Path: "42x"}, {ID: "44", Path: "7"}, {ID: "7", Path: "seven"}} {
		if _, _, err := f.p.CreateGroup(t.Context(), spec); err != nil {
			t.Fatal(err)
		}
	}
	for ref, wantID := range map[string]string{"42": "42", "7": "44", "42x": "43"} {
		if g, err := f.p.LookupGroup(t.Context(), ref); err != nil || g.ID != wantID {
			t.Errorf("LookupGroup(%q) = %v, %v; want group %s", ref, g, err, wantID)
		}
	}
	_, err = f.p.LookupGroup(t.Context(), "99")
	wantErr(t, err, KindNotFound, "Group 99 not found")
}

// TestEmailLocalPart pins which userName values GitLab's search takes as
// an email address, whose local part it then tries as a username.
func TestEmailLocalPart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v, wantLocal string
		wantOK       bool
	}{
		{"jane.doe@example.com", "jane.doe", true},
		{"jane@localhost", "", false},
		{"Jane <jane@example.com>", "", false},
		{"jane@.example.com", "", false},
		{"jane@example.com.", "", false},
		{"jane", "", false},
		{"@example.com", "", false},
	}
	for _, tc := range tests {
		local, ok := emailLocalPart(tc.v)
		if local != tc.wantLocal || ok != tc.wantOK {
			t.Errorf("emailLocalPart(%q) = %q, %v; want %q, %v", tc.v, local, ok, tc.wantLocal, tc.wantOK)
		}
	}
}
