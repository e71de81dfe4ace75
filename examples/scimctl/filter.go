package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
)

// runFilter runs "scimctl filter [-index] [-strict] EXPR" and returns the
// exit status.
func runFilter(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scimctl filter", flag.ContinueOnError)
	fs.SetOutput(stderr)
	index := fs.Bool("index", false, "print the 0-based positions of the matching resources instead of the resources")
	strict := fs.Bool("strict", false, "reject attributes the schema does not define instead of comparing them by JSON type")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: scimctl filter [-index] [-strict] EXPR < resources.json\n")
		fs.PrintDefaults()
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

	e, err := filter.Parse(fs.Arg(0))
	if err != nil {
		writeSCIMError(stdout, http.StatusBadRequest, "invalidFilter", err.Error())
		return exitInvalid
	}

	raws, resources, err := readResources(stdin, maxResourcesInput)
	if errors.Is(err, errInputTooLarge) {
		writeSCIMError(stdout, http.StatusRequestEntityTooLarge, "", err.Error())
		return exitInvalid
	}
	if err != nil {
		writeSCIMError(stdout, http.StatusBadRequest, "invalidSyntax", err.Error())
		return exitInvalid
	}

	var opts []filter.CompileOption
	if *strict {
		opts = append(opts, filter.Strict())
	}
	if len(resources) == 0 {
		// No resource names a schema: check EXPR under the default one, a
		// User with the Enterprise extension, so that an invalid filter is
		// refused whatever the input holds.
		if _, err := filter.Compile(e, schema.User(), opts...); err != nil {
			writeSCIMError(stdout, http.StatusBadRequest, "invalidFilter", err.Error())
			return exitInvalid
		}
	}
	compiled := map[string]*filter.Filter{} // by resource type, with or without extensions
	indexes := []int{}
	matches := []json.RawMessage{}
	for i, res := range resources {
		rt := resourceTypeOf(res)
		key := rt.ID + "/" + strconv.Itoa(len(rt.Extensions))
		f, ok := compiled[key]
		if !ok {
			f, err = filter.Compile(e, rt, opts...)
			if err != nil {
				writeSCIMError(stdout, http.StatusBadRequest, "invalidFilter", err.Error())
				return exitInvalid
			}
			compiled[key] = f
		}
		if f.Match(res) {
			indexes = append(indexes, i)
			matches = append(matches, raws[i])
		}
	}
	if *index {
		writeJSON(stdout, indexes)
	} else {
		writeJSON(stdout, matches)
	}
	return exitOK
}

// maxResourcesInput is the largest resources array "scimctl filter" reads
// from stdin: room for hundreds of thousands of users, and a bound on the
// memory a runaway pipe can take.
const maxResourcesInput = 256 << 20

// errInputTooLarge reports stdin holding more than the command reads.
var errInputTooLarge = errors.New("scimctl: stdin holds more than the command reads")

// readResources reads a JSON array of resources (JSON objects), at most
// limit bytes of it (errInputTooLarge beyond). It returns each element as
// written and as decoded, numbers as json.Number.
func readResources(r io.Reader, limit int64) ([]json.RawMessage, []map[string]any, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, nil, fmt.Errorf("scimctl: reading resources: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, nil, fmt.Errorf("%w: the resources are larger than %d bytes", errInputTooLarge, limit)
	}
	if trimmed := bytes.TrimSpace(data); len(trimmed) == 0 || trimmed[0] != '[' {
		return nil, nil, errors.New("scimctl: stdin must hold a JSON array of resources")
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		return nil, nil, fmt.Errorf("scimctl: resources are not valid JSON: %w", err)
	}
	resources := make([]map[string]any, len(raws))
	for i, raw := range raws {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&resources[i]); err != nil || resources[i] == nil {
			return nil, nil, fmt.Errorf("scimctl: resource %d is not a JSON object", i)
		}
	}
	return raws, resources, nil
}

// lookupFold returns the member of m whose name equals key ignoring case
// (RFC 7643 §2.1), or nil.
func lookupFold(m map[string]any, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}
