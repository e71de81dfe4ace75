package scim

import (
	"fmt"

	"github.com/scimkit/scimkit/identity"
)

// wire is a wire profile (docs/design.md §Wire profiles): how resources
// and errors look on the wire and which routes exist. The provisioning
// rules are the provisioner's, and the handler takes its wire profile from
// them, so that the two cannot disagree.
type wire uint8

const (
	// wireRFC is RFC 7643/7644 as written, for a provisioner with
	// identity.RFCProfile(): server-assigned ids, externalId, string
	// status and scimType in errors, ETags, PUT, /.search and the discovery
	// endpoints.
	wireRFC wire = iota
	// wireGitLab answers exactly as GitLab's group SCIM API does, for a
	// provisioner with identity.GitLabProfile() (see the package
	// documentation, "The GitLab profile").
	wireGitLab
)

// wireFor returns the wire profile of a provisioner's rules.
func wireFor(rules identity.Profile) (wire, error) {
	switch rules {
	case identity.RFCProfile():
		return wireRFC, nil
	case identity.GitLabProfile():
		return wireGitLab, nil
	}
	return 0, fmt.Errorf("scim: the provisioner's rules %+v are neither identity.RFCProfile() nor identity.GitLabProfile(), which the wire profiles serve", rules)
}
