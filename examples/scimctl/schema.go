package main

import (
	"strings"

	"github.com/scimkit/scimkit/filter"
)

// resourceTypeOf returns the resource type res is evaluated under, from its
// "schemas": Group when it names the Group schema; a User with the
// Enterprise extension when it names that extension; a core User without
// extension when it names only the User schema; and a User with the
// Enterprise extension when it names neither (or has no "schemas").
func resourceTypeOf(res map[string]any) *filter.ResourceType {
	var user, enterprise, group bool
	if schemas, ok := lookupFold(res, "schemas").([]any); ok {
		for _, s := range schemas {
			s, _ := s.(string)
			switch {
			case strings.EqualFold(s, filter.GroupURN):
				group = true
			case strings.EqualFold(s, filter.EnterpriseUserURN):
				enterprise = true
			case strings.EqualFold(s, filter.UserURN):
				user = true
			}
		}
	}
	switch {
	case group:
		return filter.Group()
	case user && !enterprise:
		rt := filter.User()
		rt.Extensions = nil
		return rt
	}
	return filter.User()
}
