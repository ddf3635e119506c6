package ledgertest_test

import (
	"testing"

	"github.com/paylane/paylane/shared/ledger/ledgertest"
)

func TestMemory(t *testing.T) {
	t.Parallel()
	ledgertest.TestStore(t, func(*testing.T) ledgertest.Store { return &ledgertest.Memory{} })
}
