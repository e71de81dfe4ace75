package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/scimkit/scimkit/patch"
)

// maxPatchBody is the largest PatchOp request "scimctl patch" reads, the
// default body limit of the scimkit server.
const maxPatchBody = 1 << 20

// runPatch runs "scimctl patch RESOURCE.json < patchop.json": it applies the
// PatchOp request on stdin to the resource in the file, under the schema the
// resource's "schemas" names, and prints the patched resource. A request or
// resource in error prints the SCIM error and exits with exitInvalid.
func runPatch(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scimctl patch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: scimctl patch RESOURCE.json < patchop.json\n")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "scimctl patch: %v\n", err)
		return exitUsage
	}
	resource, err := decodeResource(data)
	if err != nil {
		writeSCIMError(stdout, http.StatusBadRequest, patch.TypeInvalidSyntax, "resource "+fs.Arg(0)+": "+err.Error())
		return exitInvalid
	}
	body, err := io.ReadAll(io.LimitReader(stdin, maxPatchBody+1))
	if err != nil {
		fmt.Fprintf(stderr, "scimctl patch: reading the request: %v\n", err)
		return exitUsage
	}
	if len(body) > maxPatchBody {
		writeSCIMError(stdout, http.StatusRequestEntityTooLarge, "", fmt.Sprintf("the request is larger than %d bytes", maxPatchBody))
		return exitInvalid
	}
	req, err := patch.Decode(body)
	if err != nil {
		writePatchError(stdout, err)
		return exitInvalid
	}
	patched, _, err := patch.Apply(resource, req.Operations, resourceTypeOf(resource))
	if err != nil {
		writePatchError(stdout, err)
		return exitInvalid
	}
	writeJSON(stdout, patched)
	return exitOK
}

// decodeResource decodes a resource: one JSON object, numbers kept as
// written.
func decodeResource(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var resource map[string]any
	if err := dec.Decode(&resource); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if resource == nil {
		return nil, errors.New("not a JSON object")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the JSON object")
	}
	return resource, nil
}

// writePatchError writes the SCIM error for an error of package patch: 400
// with the error's scimType.
func writePatchError(w io.Writer, err error) {
	var perr *patch.Error
	if errors.As(err, &perr) {
		writeSCIMError(w, http.StatusBadRequest, perr.Type, perr.Error())
		return
	}
	writeSCIMError(w, http.StatusInternalServerError, "", err.Error())
}
