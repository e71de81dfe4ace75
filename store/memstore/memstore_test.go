package memstore_test

import (
	"testing"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
	"github.com/scimkit/scimkit/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return memstore.New() })
}

// TestConformanceFaultyStore checks that the fault injector, disarmed, is a
// faithful wrapper, so tests that use it test the wrapped store.
func TestConformanceFaultyStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return storetest.NewFaultyStore(memstore.New(), 0) })
}
