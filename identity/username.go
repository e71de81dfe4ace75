package identity

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxUsernameLen is GitLab's limit on a username (and namespace path).
const maxUsernameLen = 255

// usernameTries is how many counter suffixes (name1 ... name4) are tried
// before a random suffix, as GitLab documents (docs/gitlab.md §4.4).
const usernameTries = 4

// defaultReserved are names no account may take: top-level routes of a
// typical host app and of GitLab, separated by spaces. Hosts add their own
// with [WithReservedUsernames]. Compared case-insensitively.
const defaultReserved = "- admin api assets blank dashboard explore favicon.ico groups help login logout " +
	"oauth profile projects public robots.txt root s scim search sitemap uploads users"

// SanitizeUsername turns a userName sent by an identity provider into a
// username GitLab would accept, without making it unique (see
// docs/gitlab.md §4.4): the domain of an email-like value is dropped,
// accented Latin letters lose their accents, characters other than ASCII
// letters, digits, "_", "-" and "." are removed, trailing ".git", ".atom"
// and "." are removed, leading and trailing "_", "-", "." are stripped and a
// run of them collapses to its first character. A value with nothing left
// becomes "blank". The result is at most 255 bytes.
//
//	SanitizeUsername(" --ricky.^#!__the._raccoon--") == "ricky.the.raccoon"
func SanitizeUsername(s string) string {
	if clean(s) {
		return s
	}
	return sanitize(s)
}

// sanitize is SanitizeUsername without the shortcut for clean names.
func sanitize(s string) string {
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s = s[:i]
	}
	var b strings.Builder
	b.Grow(len(s))
	prevSep := true // strips leading separators
	for _, r := range s {
		if r >= 0x80 {
			r = foldLatin(r)
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
			prevSep = false
		case r == '_' || r == '-' || r == '.':
			if !prevSep {
				b.WriteRune(r)
			}
			prevSep = true
		}
		if b.Len() >= maxUsernameLen {
			break
		}
	}
	out := b.String()
	if len(out) > maxUsernameLen {
		out = out[:maxUsernameLen]
	}
	for {
		before := out
		out = strings.TrimRight(out, "._-")
		out = strings.TrimSuffix(out, ".git")
		out = strings.TrimSuffix(out, ".atom")
		if out == before {
			break
		}
	}
	if out == "" {
		return "blank"
	}
	return out
}

// clean reports whether SanitizeUsername would return s unchanged: ASCII
// letters, digits and single separators between them, no ".git" or ".atom"
// suffix, at most 255 bytes. Most IdPs send such names, and this check
// spares them the copy.
func clean(s string) bool {
	if s == "" || len(s) > maxUsernameLen || strings.HasSuffix(s, ".git") || strings.HasSuffix(s, ".atom") {
		return false
	}
	prevSep := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			prevSep = false
		case c == '_' || c == '-' || c == '.':
			if prevSep {
				return false
			}
			prevSep = true
		default:
			return false
		}
	}
	return !prevSep
}

// usernameCandidate returns the i-th candidate for base: base itself for 0,
// base1..base4 for 1..4, then base plus a random suffix from rnd.
func usernameCandidate(base string, i int, rnd func() string) string {
	var suffix string
	switch {
	case i == 0:
		return base
	case i <= usernameTries:
		suffix = strconv.Itoa(i)
	default:
		suffix = rnd()
	}
	if len(base)+len(suffix) > maxUsernameLen {
		base = base[:maxUsernameLen-len(suffix)]
	}
	return base + suffix
}

// foldLatin maps an accented Latin letter to its base ASCII letter, or
// returns utf8.RuneError (dropped by the caller) for anything else.
func foldLatin(r rune) rune {
	switch {
	case r >= 0xC0 && r <= 0xFF:
		if f := latin1Fold[r-0xC0]; f != ' ' {
			return rune(f)
		}
	case r >= 0x100 && r <= 0x17F:
		if f := latinAFold[r-0x100]; f != ' ' {
			return rune(f)
		}
	}
	return utf8.RuneError
}

// latin1Fold covers U+00C0..U+00FF; ' ' means "drop".
const latin1Fold = "AAAAAAACEEEEIIII" + "DNOOOOO OUUUUY s" + "aaaaaaaceeeeiiii" + "dnooooo ouuuuy y"

// latinAFold covers U+0100..U+017F (Latin Extended-A).
const latinAFold = "AaAaAaCcCcCcCcDd" + "DdEeEeEeEeEeGgGg" + "GgGgHhHhIiIiIiIi" +
	"Ii  JjKkkLlLlLlL" + "lLlNnNnNnnNnOoOo" + "OoOoRrRrRrSsSsSs" +
	"SsTtTtTtUuUuUuUu" + "UuUuWwYyYZzZzZzs"
