package scim

import "strings"

// foldValuePathSub rewrites the comparisons Entra ID sends on a sub-attribute
// of a value filter, such as
//
//	emails[type eq "work"].value eq "a@example.com"
//
// which the filter grammar of RFC 7644 §3.4.2.2 allows only in PATCH paths,
// into the equivalent value filter
//
//	emails[(type eq "work") and value eq "a@example.com"]
//
// Entra ID's documentation requires this form when a uniqueness attribute is
// emails[type eq "work"] (DESIGN.md §Wire profiles; pinned by
// testdata/transcripts/entra.json). Strings that do not have the form are
// returned unchanged; the parser reports their errors.
func foldValuePathSub(s string) string {
	var open []int // positions of unclosed '[' outside strings
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case '[':
			open = append(open, i)
		case ']':
			if len(open) == 0 {
				return s
			}
			start := open[len(open)-1]
			open = open[:len(open)-1]
			if i+1 >= len(s) || s[i+1] != '.' {
				continue
			}
			cmp, end, ok := subComparison(s, i+2)
			if !ok {
				return s
			}
			out := s[:start+1] + "(" + s[start+1:i] + ") and " + cmp + "]" + s[end:]
			return foldValuePathSub(out)
		}
	}
	return s
}

// subComparison reads "name op value" (or "name pr") at s[i:] and returns
// it and the index after it.
func subComparison(s string, i int) (string, int, bool) {
	j := i
	for j < len(s) && (isNameByte(s[j])) {
		j++
	}
	if j == i || j >= len(s) || s[j] != ' ' {
		return "", 0, false
	}
	name := s[i:j]
	k := j + 1
	for k < len(s) && s[k] != ' ' && s[k] != ')' {
		k++
	}
	op := strings.ToLower(s[j+1 : k])
	switch op {
	case "pr":
		return name + " pr", k, true
	case "eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le":
	default:
		return "", 0, false
	}
	if k >= len(s) || s[k] != ' ' {
		return "", 0, false
	}
	v := k + 1
	end := v
	if end < len(s) && s[end] == '"' {
		for end++; end < len(s) && s[end] != '"'; end++ {
			if s[end] == '\\' {
				end++
			}
		}
		if end >= len(s) {
			return "", 0, false
		}
		end++
	} else {
		for end < len(s) && s[end] != ' ' && s[end] != ')' {
			end++
		}
	}
	if end == v {
		return "", 0, false
	}
	return name + " " + op + " " + s[v:end], end, true
}

func isNameByte(c byte) bool {
	return c == '_' || c == '-' || c == '$' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
