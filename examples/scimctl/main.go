// Command scimctl is a tool for people wiring up an identity provider: it
// evaluates SCIM filters and applies SCIM PATCH requests to resources
// locally, with the same code the scimkit server runs.
//
// Usage:
//
//	scimctl filter [-index] [-strict] EXPR < resources.json
//	scimctl patch RESOURCE.json < patchop.json
//
// "scimctl filter" reads a JSON array of resources on stdin and prints the
// ones EXPR matches, as a JSON array; with -index it prints their 0-based
// positions instead. Each resource is evaluated under the schema its
// "schemas" names: Group, or else User with the Enterprise extension (also
// for a resource without "schemas"), as the scimkit server has it.
//
// "scimctl patch" reads a PatchOp request on stdin and prints the patched
// resource.
//
// Invalid input exits with status 1 and prints the SCIM error (RFC 7644
// §3.12, with its scimType) on stdout. Usage errors exit with status 2.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
)

// Exit statuses.
const (
	exitOK      = 0
	exitInvalid = 1 // invalid input: a SCIM error is on stdout
	exitUsage   = 2
)

const usage = `usage:
  scimctl filter [-index] [-strict] EXPR < resources.json
  scimctl patch RESOURCE.json < patchop.json
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs scimctl with args (without the program name) and returns the
// exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "filter":
		return runFilter(args[1:], stdin, stdout, stderr)
	case "patch":
		return runPatch(args[1:], stdin, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "scimctl: unknown command %q\n%s", args[0], usage)
	return exitUsage
}

// scimError is the SCIM error response body (RFC 7644 §3.12).
type scimError struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail"`
}

// writeSCIMError writes a SCIM error with the given status and scimType to w.
func writeSCIMError(w io.Writer, status int, scimType, detail string) {
	writeJSON(w, scimError{
		Schemas:  []string{"urn:ietf:params:scim:api:messages:2.0:Error"},
		Status:   strconv.Itoa(status),
		ScimType: scimType,
		Detail:   detail,
	})
}

// writeJSON writes v as indented JSON and a newline.
func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // v is always encodable; a failed write has nowhere to go
}
