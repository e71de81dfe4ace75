package sso

import (
	"errors"
	"sync"
	"time"

	"github.com/crewjam/saml"
)

// ReplayCache records the IDs of accepted assertions so that each is
// accepted only once (the Web Browser SSO profile requires it of bearer
// assertions). Consume records id until expires and returns an error if id
// is already recorded (one wrapping saml.ErrAssertionReplayed, so the page
// says why) or cannot be recorded; any error refuses the assertion. It must
// be safe for concurrent use. Any saml.AssertionReplayCache of
// github.com/crewjam/saml is one.
type ReplayCache interface {
	Consume(id string, expires time.Time) error
}

// maxReplayEntries bounds the default cache. An entry lives as long as
// its assertion is acceptable (a few minutes), so this is the number of
// sign-ins within those minutes the default cache can hold.
const maxReplayEntries = 100_000

// memoryReplay is the default ReplayCache: one process's memory, bounded,
// entries dropped once expired. When full of unexpired entries it refuses
// new assertions (failing closed) rather than forgetting one that could
// then be replayed.
type memoryReplay struct {
	now func() time.Time
	max int

	mu   sync.Mutex
	seen map[string]time.Time
}

func newMemoryReplay(now func() time.Time, max int) *memoryReplay {
	return &memoryReplay{now: now, max: max, seen: make(map[string]time.Time)}
}

var errReplayFull = errors.New("sso: replay cache full")

// Consume implements ReplayCache.
func (m *memoryReplay) Consume(id string, expires time.Time) error {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if exp, ok := m.seen[id]; ok && now.Before(exp) {
		return saml.ErrAssertionReplayed
	}
	if len(m.seen) >= m.max {
		for k, exp := range m.seen {
			if !now.Before(exp) {
				delete(m.seen, k)
			}
		}
		if len(m.seen) >= m.max {
			return errReplayFull
		}
	}
	m.seen[id] = expires
	return nil
}

// groupReplay keeps the assertion IDs of one group apart from the others'
// in a shared cache: two IdPs may pick the same ID.
type groupReplay struct {
	rc    ReplayCache
	group string
}

func (g groupReplay) Consume(id string, expires time.Time) error {
	return g.rc.Consume(g.group+"\x00"+id, expires)
}
