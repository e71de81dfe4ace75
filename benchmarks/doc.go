// Package benchmarks compares scimkit with other SCIM libraries. It is a
// separate module so that the main module's dependencies stay clean.
//
// Run it with
//
//	cd benchmarks && go test -run '^$' -bench . -benchmem -count 10 | tee new.txt
//	go run golang.org/x/perf/cmd/benchstat new.txt
package benchmarks
