package main

import (
	"io"
	"net/http"
)

// runPatch runs "scimctl patch". Placeholder until the patch package's
// command lands: it answers every request with a SCIM error.
func runPatch(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	writeSCIMError(stdout, http.StatusNotImplemented, "", "scimctl: patch is not available yet")
	return exitUsage
}
