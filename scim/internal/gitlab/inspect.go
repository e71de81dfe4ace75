package gitlab

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// filtered replaces the value of a parameter whose name is secret.
const filtered = "[FILTERED]"

// secretName matches the parameter names whose values GitLab's error
// details show as [FILTERED]: its Rails filter_parameters list, which has
// case-sensitive patterns (names ending in "token" or "key", names
// containing "password" or "secret", a few exact names) and
// case-insensitive substrings.
var secretName = regexp.MustCompile(`token$|password|secret|key$|^(?:body|description|query|note|text|title|hook)$|` +
	`(?i:certificate|encrypted_key|import_url|elasticsearch_url|search|jwt|otp_attempt|sentry_dsn|trace|variables|content|sharedsecret|redirect|question|samlresponse)`)

// Dump returns the parameters as GitLab's error details show them: a Ruby
// Hash#inspect of the whole set, {"key"=>"value", ...}, with the values of
// secret parameters (access_token, password, ...) replaced by [FILTERED],
// also in nested objects.
func (p *Params) Dump() string {
	var b strings.Builder
	inspect(&b, p.obj)
	return b.String()
}

func inspect(b *strings.Builder, v any) {
	switch v := v.(type) {
	case object:
		if len(v) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteByte('{')
		for i, m := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			inspectString(b, m.key)
			b.WriteString("=>")
			if secretName.MatchString(m.key) {
				inspectString(b, filtered)
			} else {
				inspect(b, m.val)
			}
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			inspect(b, e)
		}
		b.WriteByte(']')
	case string:
		inspectString(b, v)
	case json.Number:
		b.WriteString(inspectNumber(v))
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case nil:
		b.WriteString("nil")
	default:
		fmt.Fprintf(b, "%v", v)
	}
}

// inspectString writes s as Ruby's String#inspect does for a UTF-8 string.
func inspectString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(b, `\x%02X`, s[i])
			i++
			continue
		}
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\f':
			b.WriteString(`\f`)
		case '\v':
			b.WriteString(`\v`)
		case '\b':
			b.WriteString(`\b`)
		case '\a':
			b.WriteString(`\a`)
		case 0x1b:
			b.WriteString(`\e`)
		case '#':
			if i+1 < len(s) && (s[i+1] == '{' || s[i+1] == '$' || s[i+1] == '@') {
				b.WriteByte('\\')
			}
			b.WriteByte('#')
		default:
			switch {
			case unicode.IsPrint(r) || r == ' ':
				b.WriteRune(r)
			case r > 0xFFFF:
				fmt.Fprintf(b, `\u{%X}`, r)
			default:
				fmt.Fprintf(b, `\u%04X`, r)
			}
		}
		i += size
	}
	b.WriteByte('"')
}

// inspectNumber writes a JSON number as Ruby shows the Integer or Float
// its JSON parser makes of it.
func inspectNumber(n json.Number) string {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return strconv.FormatInt(i, 10) // normalises -0
		}
		return strings.TrimPrefix(s, "+") // a big integer, as written
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		if f < 0 {
			return "-Infinity"
		}
		return "Infinity"
	}
	return rubyFloat(f)
}

// rubyFloat formats f as Ruby's Float#to_s: the shortest digits that read
// back as f, in fixed notation with at least one decimal when the decimal
// exponent is in -4 < e <= 16, else d.ddde+XX.
func rubyFloat(f float64) string {
	if f == 0 {
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // -d.ddde±XX
	sign := ""
	if e[0] == '-' {
		sign, e = "-", e[1:]
	}
	mant, exp, _ := strings.Cut(e, "e")
	x, _ := strconv.Atoi(exp)
	digits := strings.Replace(mant, ".", "", 1)
	decpt := x + 1
	switch {
	case decpt > 0 && decpt <= 16:
		if len(digits) <= decpt {
			return sign + digits + strings.Repeat("0", decpt-len(digits)) + ".0"
		}
		return sign + digits[:decpt] + "." + digits[decpt:]
	case decpt <= 0 && decpt > -4:
		return sign + "0." + strings.Repeat("0", -decpt) + digits
	}
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	es := "+"
	if x < 0 {
		es, x = "-", -x
	}
	return sign + mant + "e" + es + fmt.Sprintf("%02d", x)
}
