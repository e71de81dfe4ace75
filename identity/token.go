package identity

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// TokenPrefix starts every SCIM token this package makes, so that secret
// scanners can recognise a leaked one.
const TokenPrefix = "scimkit_"

// tokenBytes is the amount of randomness in a token (docs/design.md §Security).
const tokenBytes = 32

// maxTokenLen bounds what VerifyToken hashes: a presented token longer than
// this cannot be ours (ours are len(TokenPrefix)+43 bytes; host-chosen
// tokens of up to 512 bytes are accepted by CreateGroup).
const maxTokenLen = 512

// minTokenLen is the shortest host-chosen token CreateGroup accepts.
const minTokenLen = 16

// Token is a SCIM bearer token in clear text. It exists only between its
// creation and the moment the host shows it to an administrator; the store
// keeps only its digest. Its LogValue hides the secret, so a Token passed to
// log/slog is not leaked.
type Token string

// LogValue implements slog.LogValuer: it logs the prefix only.
func (t Token) LogValue() slog.Value {
	if strings.HasPrefix(string(t), TokenPrefix) {
		return slog.StringValue(TokenPrefix + "[REDACTED]")
	}
	return slog.StringValue("[REDACTED]")
}

// NewToken reads 32 bytes from r (use crypto/rand.Reader) and returns a
// token "scimkit_" + base64url(bytes) and its SHA-256 digest, the only thing
// to store.
func NewToken(r io.Reader) (Token, []byte, error) {
	var b [tokenBytes]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", nil, fmt.Errorf("identity: read token randomness: %w", err)
	}
	t := Token(TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:]))
	return t, TokenDigest(string(t)), nil
}

// TokenDigest returns the SHA-256 digest of a token, as stored on a group.
func TokenDigest(token string) []byte {
	d := sha256.Sum256([]byte(token))
	return d[:]
}

// VerifyToken reports whether token hashes to digest. The comparison of the
// digests takes constant time; an empty digest (a group without a token) or
// an empty or oversized token never verifies.
func VerifyToken(token string, digest []byte) bool {
	if len(digest) != sha256.Size || token == "" || len(token) > maxTokenLen {
		return false
	}
	d := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(d[:], digest) == 1
}

// checkHostToken validates a token the host chose itself (for example from a
// configuration file).
func checkHostToken(token string) error {
	if len(token) < minTokenLen {
		return invalidf("token", "a token must have at least %d characters", minTokenLen)
	}
	if len(token) > maxTokenLen {
		return invalidf("token", "a token must have at most %d characters", maxTokenLen)
	}
	for i := 0; i < len(token); i++ {
		if c := token[i]; c <= ' ' || c >= 0x7f {
			return invalidf("token", "a token must be printable ASCII without spaces")
		}
	}
	return nil
}
