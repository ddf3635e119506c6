package settlementtest

import (
	"testing"

	"github.com/paylane/paylane/shared/settlement"
)

func TestMemory(t *testing.T) {
	t.Parallel()
	TestStore(t, func(*testing.T) settlement.Store { return &Memory{} })
}
