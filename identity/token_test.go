package identity

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/iotest"
)

func TestNewToken(t *testing.T) {
	t.Parallel()
	tok, digest, err := NewToken(bytes.NewReader(bytes.Repeat([]byte{0xAB}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(tok), TokenPrefix) {
		t.Errorf("token %q lacks prefix %q", tok, TokenPrefix)
	}
	if got, want := len(tok), len(TokenPrefix)+43; got != want {
		t.Errorf("len(token) = %d, want %d", got, want)
	}
	if !bytes.Equal(digest, TokenDigest(string(tok))) {
		t.Error("digest is not TokenDigest(token)")
	}
	if bytes.Contains(digest, []byte(tok)) {
		t.Error("digest contains the token")
	}
}

func TestNewTokenShortRandom(t *testing.T) {
	t.Parallel()
	if _, _, err := NewToken(bytes.NewReader(make([]byte, 31))); err == nil {
		t.Error("NewToken with 31 random bytes: want error")
	}
	if _, _, err := NewToken(iotest.ErrReader(errors.New("boom"))); err == nil {
		t.Error("NewToken with failing reader: want error")
	}
}

func TestVerifyToken(t *testing.T) {
	t.Parallel()
	tok, digest, err := NewToken(bytes.NewReader(make([]byte, 32)))
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := NewToken(bytes.NewReader(bytes.Repeat([]byte{1}, 32)))
	tests := []struct {
		name   string
		token  string
		digest []byte
		want   bool
	}{
		{"matching", string(tok), digest, true},
		{"other token", string(other), digest, false},
		{"empty token", "", TokenDigest(""), false},
		{"no digest (group without token)", string(tok), nil, false},
		{"truncated digest", string(tok), digest[:16], false},
		{"token with trailing space", string(tok) + " ", digest, false},
		{"oversized token", strings.Repeat("x", maxTokenLen+1), TokenDigest(strings.Repeat("x", maxTokenLen+1)), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := VerifyToken(tc.token, tc.digest); got != tc.want {
				t.Errorf("VerifyToken = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTokenLogValueRedacts(t *testing.T) {
	t.Parallel()
	tok, _, _ := NewToken(bytes.NewReader(make([]byte, 32)))
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("made", "token", tok)
	if strings.Contains(buf.String(), string(tok)) {
		t.Errorf("log leaks the token: %s", buf.String())
	}
	if !strings.Contains(buf.String(), TokenPrefix+"[REDACTED]") {
		t.Errorf("log lacks redacted marker: %s", buf.String())
	}
}

func TestCheckHostToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, token string
		ok          bool
	}{
		{"sixteen chars", "0123456789abcdef", true},
		{"too short", "short", false},
		{"space", "0123456789 abcdef", false},
		{"newline", "0123456789abcdef\n", false},
		{"too long", strings.Repeat("a", maxTokenLen+1), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := checkHostToken(tc.token)
			if (err == nil) != tc.ok {
				t.Errorf("checkHostToken = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && KindOf(err) != KindInvalid {
				t.Errorf("kind = %v, want invalid", KindOf(err))
			}
		})
	}
}
