module github.com/scimkit/scimkit/examples/mux

go 1.25.0

require github.com/scimkit/scimkit v0.0.0

require (
	github.com/go-chi/chi/v5 v5.5.0
	github.com/google/uuid v1.6.0 // indirect
)

replace github.com/scimkit/scimkit => ../..
