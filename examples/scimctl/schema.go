package main

import (
	"strings"

	"github.com/scimkit/scimkit/schema"
)

// resourceTypeOf returns the resource type res is evaluated under, from its
// "schemas": Group when it names the Group schema, else a User with the
// Enterprise extension, as the scimkit server has it. A User whose
// "schemas" names only the core schema takes the extension too: the first
// write to an extension attribute adds its URN to "schemas" (RFC 7643 §3).
func resourceTypeOf(res map[string]any) *schema.ResourceType {
	if schemas, ok := lookupFold(res, "schemas").([]any); ok {
		for _, s := range schemas {
			if s, _ := s.(string); strings.EqualFold(s, schema.GroupURN) {
				return schema.Group()
			}
		}
	}
	return schema.User()
}
