package settings

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"strings"
)

// The page's templates, one file per section, and its assets. The
// stylesheet and the script are written inline into the page and allowed
// by their SHA-256 digests in the Content-Security-Policy, so the page
// needs no asset route and loads nothing.
var (
	//go:embed templates/*.html
	templateFiles embed.FS
	//go:embed assets/style.css
	styleCSS string
	//go:embed assets/copy.js
	copyJS string
)

// parsePage parses the page's templates and returns them with the
// Content-Security-Policy that allows exactly their inline stylesheet and
// script.
func parsePage() (*template.Template, string, error) {
	t, err := template.New("page").Funcs(template.FuncMap{
		"thousands":       thousands,
		"input":           inputField,
		"choose":          selectField,
		"textarea":        textareaField,
		"copyable":        copyable,
		"date":            date,
		"fingerprintKind": fingerprintKind,
		// The assets are ours, embedded: trusted as they are.
		"style":  func() template.CSS { return template.CSS(styleCSS) },
		"script": func() template.JS { return template.JS(copyJS) },
	}).ParseFS(templateFiles, "templates/*.html")
	if err != nil {
		return nil, "", fmt.Errorf("settings: parse templates: %w", err)
	}
	csp := strings.Join([]string{
		"default-src 'none'",
		"style-src " + digestSource(styleCSS),
		"script-src " + digestSource(copyJS),
		"form-action 'self'",
		"frame-ancestors 'none'",
		"base-uri 'none'",
	}, "; ")
	return t, csp, nil
}

// digestSource is a CSP source allowing an inline element whose content is
// exactly s.
func digestSource(s string) string {
	d := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(d[:]) + "'"
}
