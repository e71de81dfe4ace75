// Package filter parses and evaluates SCIM filters (RFC 7644 §3.4.2.2) and
// PATCH paths (RFC 7644 §3.5.2), and holds the SCIM schemas (RFC 7643) they
// are evaluated under.
package filter
