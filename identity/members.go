package identity

// MemberChanges is a change to the member set of an IdP group, made of
// additions, removals and replacements of members given as SCIM identity
// ids (the ids of User resources), in the order of a PATCH request's
// operations (RFC 7644 §3.5.2). It keeps only the net effect, so it never
// holds the group's members: [Provisioner.PatchIdPGroup] reads them only
// for a replacement. The zero value changes nothing.
//
// The wire PATCH shapes map onto it one operation after the other:
//
//	{"op":"add","path":"members","value":[{"value":"a"},{"value":"b"}]}   Add("a", "b")
//	{"op":"Remove","path":"members","value":[{"value":"a"}]}             Remove("a")  (Entra ID)
//	{"op":"remove","path":"members[value eq \"a\"]"}                      Remove("a")
//	{"op":"remove","path":"members"}                                      Replace()
//	{"op":"replace","path":"members","value":[{"value":"c"}]}             Replace("c")
//
// Adding a member twice, or removing one that is not a member, changes
// nothing. Ids are compared exactly, as ids are.
type MemberChanges struct {
	// replace says that the change replaces the members by want; else it
	// adds add and removes remove. add and remove never share an id.
	replace     bool
	want        idSet
	add, remove idSet
}

// Add adds the members ids after the changes made so far.
func (c *MemberChanges) Add(ids ...string) {
	for _, id := range ids {
		if c.replace {
			c.want.put(id)
			continue
		}
		c.remove.drop(id)
		c.add.put(id)
	}
}

// Remove removes the members ids after the changes made so far.
func (c *MemberChanges) Remove(ids ...string) {
	for _, id := range ids {
		if c.replace {
			c.want.drop(id)
			continue
		}
		c.add.drop(id)
		c.remove.put(id)
	}
}

// Replace makes ids the members, whatever the changes made so far;
// Replace() removes every member.
func (c *MemberChanges) Replace(ids ...string) {
	*c = MemberChanges{replace: true}
	c.want.put(ids...)
}

// idSet is a set of ids that remembers the order they were put in.
type idSet struct {
	order []string
	in    map[string]bool
}

func (s *idSet) put(ids ...string) {
	for _, id := range ids {
		if s.in[id] {
			continue
		}
		if s.in == nil {
			s.in = map[string]bool{}
		}
		s.in[id] = true
		s.order = append(s.order, id)
	}
}

func (s *idSet) drop(id string) {
	if s.in[id] {
		delete(s.in, id)
	}
}

// list returns the ids in the set, in the order they were first put.
func (s *idSet) list() []string {
	out := make([]string, 0, len(s.in))
	seen := make(map[string]bool, len(s.in))
	for _, id := range s.order {
		if s.in[id] && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
