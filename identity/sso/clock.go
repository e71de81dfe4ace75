package sso

import (
	"time"

	"github.com/jonboulle/clockwork"
	dsig "github.com/russellhaering/goxmldsig"
)

// funcClock is the clock crewjam/saml and goxmldsig read (through a
// dsig.Clock): the host's now for Now, Since and Until; the real clock for
// timers, which the service provider does not use.
type funcClock struct {
	clockwork.Clock
	now func() time.Time
}

func (c funcClock) Now() time.Time                  { return c.now() }
func (c funcClock) Since(t time.Time) time.Duration { return c.now().Sub(t) }
func (c funcClock) Until(t time.Time) time.Duration { return t.Sub(c.now()) }

func dsigClock(now func() time.Time) *dsig.Clock {
	return dsig.NewFakeClock(funcClock{Clock: clockwork.NewRealClock(), now: now})
}
