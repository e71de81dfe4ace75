package settings

import (
	"context"
	"maps"
	"sync"

	"github.com/scimkit/scimkit/identity"
)

// EventLog is where the page reads a group's recent audit events from, for
// a host that keeps them (set with [WithEventLog]). A host typically
// implements it on the same value it gives identity.WithEventSink, keeping
// the last events in memory or writing them to its audit table.
type EventLog interface {
	// RecentEvents returns up to limit of the most recent events of group
	// groupID (the store's group ID), newest first. An error is logged and
	// the page shows the section as unavailable; the rest of the page is
	// still served.
	RecentEvents(ctx context.Context, groupID string, limit int) ([]identity.Event, error)
}

// EventBuffer keeps the most recent events of each group in memory: an
// identity.EventSink to give identity.WithEventSink and an [EventLog] to
// give [WithEventLog], for demos and for hosts without an audit table. Its
// events are lost on exit. It is safe for concurrent use.
type EventBuffer struct {
	mu     sync.Mutex
	n      int
	groups map[string][]identity.Event // oldest first, at most n
}

// NewEventBuffer returns an EventBuffer that keeps the last n events of
// each group (n < 1 means 1).
func NewEventBuffer(n int) *EventBuffer {
	return &EventBuffer{n: max(n, 1), groups: make(map[string][]identity.Event)}
}

// Emit implements identity.EventSink: it keeps a copy of e, dropping the
// group's oldest event when the group has n.
func (b *EventBuffer) Emit(_ context.Context, e identity.Event) {
	e.Detail = maps.Clone(e.Detail)
	b.mu.Lock()
	defer b.mu.Unlock()
	list := b.groups[e.GroupID]
	if len(list) == b.n {
		list = append(list[:0], list[1:]...)
	}
	b.groups[e.GroupID] = append(list, e)
}

// RecentEvents implements [EventLog]: copies of up to limit of group
// groupID's most recent events, newest first; none when limit < 1.
func (b *EventBuffer) RecentEvents(_ context.Context, groupID string, limit int) ([]identity.Event, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	list := b.groups[groupID]
	out := make([]identity.Event, 0, max(0, min(limit, len(list))))
	for i := len(list) - 1; i >= 0 && len(out) < limit; i-- {
		e := list[i]
		e.Detail = maps.Clone(e.Detail)
		out = append(out, e)
	}
	return out, nil
}
