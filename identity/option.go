package identity

import (
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
)

// config is what options set. Every field has a default.
type config struct {
	now      func() time.Time
	newID    func() (string, error)
	rand     io.Reader
	sink     EventSink
	log      *slog.Logger
	prof     Profile
	reserved map[string]bool
	// user is schema.User() and group schema.Group(), built once:
	// documents are checked against them (checkTypes).
	user, group *schema.ResourceType
}

// Option configures [New] and [NewLinker]. Options are made only by this
// package's With functions.
type Option interface {
	apply(*config) error
}

type optionFunc func(*config) error

func (f optionFunc) apply(c *config) error { return f(c) }

// WithClock sets the clock used for timestamps and events (default
// time.Now).
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) error {
		if now == nil {
			return errors.New("identity: WithClock: nil clock")
		}
		c.now = now
		return nil
	})
}

// WithIDGenerator sets the generator of SCIM identity and account ids
// (default: random UUIDs from the random source). Ids must be non-empty and
// unique.
func WithIDGenerator(newID func() (string, error)) Option {
	return optionFunc(func(c *config) error {
		if newID == nil {
			return errors.New("identity: WithIDGenerator: nil generator")
		}
		c.newID = newID
		return nil
	})
}

// WithRandom sets the random source for tokens, default ids and username
// suffixes (default crypto/rand.Reader). Tests may pass a deterministic
// reader; production MUST use a cryptographically secure one, since tokens
// are drawn from it.
func WithRandom(r io.Reader) Option {
	return optionFunc(func(c *config) error {
		if r == nil {
			return errors.New("identity: WithRandom: nil reader")
		}
		c.rand = r
		return nil
	})
}

// WithEventSink sets the receiver of events (default: discard).
func WithEventSink(s EventSink) Option {
	return optionFunc(func(c *config) error {
		if s == nil {
			return errors.New("identity: WithEventSink: nil sink")
		}
		c.sink = s
		return nil
	})
}

// WithLogger sets the logger (default: discard). Secrets are never logged.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) error {
		if l == nil {
			return errors.New("identity: WithLogger: nil logger")
		}
		c.log = l
		return nil
	})
}

// WithProfile sets the wire-profile rules (default [RFCProfile]).
func WithProfile(p Profile) Option {
	return optionFunc(func(c *config) error {
		c.prof = p
		return nil
	})
}

// WithReservedUsernames adds names (compared case-insensitively) that no
// account created by SCIM may take, such as the host's top-level routes.
func WithReservedUsernames(names ...string) Option {
	return optionFunc(func(c *config) error {
		for _, n := range names {
			c.reserved[store.Fold(n)] = true
		}
		return nil
	})
}

func newConfig(opts []Option) (*config, error) {
	c := &config{
		now:      time.Now,
		rand:     rand.Reader,
		sink:     discardSink{},
		log:      slog.New(slog.DiscardHandler),
		prof:     RFCProfile(),
		reserved: make(map[string]bool),
		user:     schema.User(),
		group:    schema.Group(),
	}
	for _, n := range strings.Fields(defaultReserved) {
		c.reserved[n] = true
	}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("identity: nil Option")
		}
		if err := o.apply(c); err != nil {
			return nil, err
		}
	}
	if c.newID == nil {
		r := c.rand
		c.newID = func() (string, error) {
			u, err := uuid.NewRandomFromReader(r)
			if err != nil {
				return "", err
			}
			return u.String(), nil
		}
	}
	return c, nil
}
