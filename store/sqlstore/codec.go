package sqlstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/scimkit/scimkit/store"
)

// toUnix splits t into seconds and nanoseconds since 1970, which keeps every
// time.Time exactly (nanoseconds, any year) and sorts like the time.
func toUnix(t time.Time) (sec, nsec int64) {
	return t.Unix(), int64(t.Nanosecond())
}

// fromUnix is the inverse of toUnix, in UTC; the zero time comes back as
// the zero time.
func fromUnix(sec, nsec int64) time.Time {
	t := time.Unix(sec, nsec).UTC()
	if t.Equal(time.Time{}) {
		return time.Time{}
	}
	return t
}

// encodeEmails stores secondary emails byte for byte (JSON would replace
// invalid UTF-8): per email, a verified flag byte, the address length as a
// uvarint, the address.
func encodeEmails(es []store.Email) ([]byte, error) {
	var out []byte
	for _, e := range es {
		flag := byte(0)
		if e.Verified {
			flag = 1
		}
		out = append(out, flag)
		out = binary.AppendUvarint(out, uint64(len(e.Address)))
		out = append(out, e.Address...)
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}

func decodeEmails(data []byte) ([]store.Email, error) {
	var es []store.Email
	for len(data) > 0 {
		flag := data[0]
		n, k := binary.Uvarint(data[1:])
		if k <= 0 || flag > 1 || uint64(len(data)-1-k) < n {
			return nil, errors.New("corrupt secondary emails")
		}
		data = data[1+k:]
		es = append(es, store.Email{Address: string(data[:n]), Verified: flag == 1})
		data = data[n:]
	}
	return es, nil
}

// encodeDocument stores a SCIM document as JSON. A nil document is stored
// as "null" and read back as nil. JSON cannot hold invalid UTF-8 (encoding/json
// would replace it), so a document with such a string or key is refused
// rather than changed.
func encodeDocument(doc map[string]any) ([]byte, error) {
	if err := checkUTF8(doc); err != nil {
		return nil, err
	}
	return marshal(doc)
}

// checkUTF8 reports the first string or object key in v, a JSON value,
// that is not valid UTF-8.
func checkUTF8(v any) error {
	bad := func(s string) error {
		if utf8.ValidString(s) {
			return nil
		}
		return fmt.Errorf("document string %.40q is not valid UTF-8", s)
	}
	switch v := v.(type) {
	case string:
		return bad(v)
	case map[string]any:
		for k, e := range v {
			if err := bad(k); err != nil {
				return err
			}
			if err := checkUTF8(e); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range v {
			if err := checkUTF8(e); err != nil {
				return err
			}
		}
	case []map[string]any:
		for _, e := range v {
			if err := checkUTF8(e); err != nil {
				return err
			}
		}
	case []string:
		for _, e := range v {
			if err := bad(e); err != nil {
				return err
			}
		}
	case map[string]string:
		for k, e := range v {
			if err := bad(k); err != nil {
				return err
			}
			if err := bad(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// decodeDocument reads a stored document, numbers as json.Number so that
// they come back digit for digit.
func decodeDocument(data []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var doc map[string]any
	if err := d.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode document: %w", err)
	}
	return doc, nil
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// docIndex holds the values of a SCIM document that filters are pushed
// down to: the folded userName (nil when absent, oddKey when the document
// holds several or an odd one) and the folded, distinct emails[].value
// (with oddKey among them when the emails are odd).
type docIndex struct {
	userName []byte
	emails   []string
}

// oddKey stands in an index for a document whose values there are not one
// plain string: every pushed-down condition on the column also selects it,
// and the filter decides in memory. Folded keys are valid UTF-8 and hashed
// keys are long, so no real key is this lone 0xFF byte.
const oddKey = "\xff"

func indexDocument(doc map[string]any) docIndex {
	var ix docIndex
	k := store.IndexDocument(doc)
	switch {
	case k.OddUserName || len(k.UserNames) > 1:
		ix.userName = []byte(oddKey)
	case len(k.UserNames) == 1:
		ix.userName = indexKey(foldKey(k.UserNames[0]))
	}
	seen := map[string]bool{}
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			ix.emails = append(ix.emails, k)
		}
	}
	for _, e := range k.Emails {
		add(foldKey(e))
	}
	if k.OddEmails {
		add(oddKey)
	}
	return ix
}

// Index keys are bounded: PostgreSQL refuses B-tree entries over about
// 2.7 kB, and long keys slow every index. A key longer than maxKeyLen bytes
// is stored as its first keyPrefixLen bytes, a NUL and its SHA-256, which
// keeps it unique, findable by equality and by prefix up to keyPrefixLen
// bytes.
const (
	maxKeyLen    = 1000
	keyPrefixLen = 960
)

// indexKey returns the stored form of the key k.
func indexKey(k string) []byte {
	if len(k) <= maxKeyLen {
		return []byte(k)
	}
	sum := sha256.Sum256([]byte(k))
	out := make([]byte, 0, keyPrefixLen+1+len(sum))
	out = append(out, k[:keyPrefixLen]...)
	out = append(out, 0)
	return append(out, sum[:]...)
}

// foldedKey is the stored key of a value compared under store.Fold.
func foldedKey(s string) []byte { return indexKey(store.Fold(s)) }

// foldKey maps every string to one representative of the strings equal to
// it case-insensitively, both under strings.EqualFold (each rune becomes the
// lower case of the smallest rune of its Unicode simple-folding orbit) and
// under strings.ToLower. The pushdown columns hold it so that a SQL equality on
// them never misses a row the filter would match.
func foldKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		r = unicode.ToLower(r)
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b.WriteRune(unicode.ToLower(least))
	}
	return b.String()
}
