package ledgertest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/paylane/paylane/shared/ledger"
)

// Store is a ledger.Store that can also read any account's totals, which a trial balance
// (every account, summed) needs: ledger.Store only reads a merchant's accounts.
type Store interface {
	ledger.Store
	// AccountTotals returns what was posted to account, one Total per currency, sorted
	// by currency.
	AccountTotals(ctx context.Context, account string) ([]ledger.Total, error)
}

// Memory is a ledger.Store in memory, safe for concurrent use. The zero value is ready.
type Memory struct {
	mu       sync.Mutex
	journals map[string]ledger.Journal
	totals   map[accountCurrency]ledger.Total
}

type accountCurrency struct{ account, currency string }

var _ Store = (*Memory)(nil)

// Post implements ledger.Store.
func (m *Memory) Post(_ context.Context, j ledger.Journal) error {
	if err := j.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.journals[j.ID]; ok {
		return fmt.Errorf("posting journal %s: %w", j.ID, ledger.ErrAlreadyPosted)
	}
	if m.journals == nil {
		m.journals = map[string]ledger.Journal{}
		m.totals = map[accountCurrency]ledger.Total{}
	}
	j.Postings = slices.Clone(j.Postings)
	m.journals[j.ID] = j
	for _, p := range j.Postings {
		k := accountCurrency{p.Account, j.Currency}
		t := m.totals[k]
		t.Account, t.Currency = p.Account, j.Currency
		t.Debit += p.Debit
		t.Credit += p.Credit
		m.totals[k] = t
	}
	return nil
}

// Balances implements ledger.Store.
func (m *Memory) Balances(_ context.Context, merchantID string) ([]ledger.Balance, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var totals []ledger.Total
	for _, t := range m.totals {
		totals = append(totals, t)
	}
	return ledger.Summarize(merchantID, totals), nil
}

// PaymentJournals implements ledger.Store.
func (m *Memory) PaymentJournals(_ context.Context, paymentID string) ([]ledger.Journal, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []ledger.Journal
	for _, j := range m.journals {
		if j.PaymentID == paymentID && paymentID != "" {
			j.Postings = slices.Clone(j.Postings)
			out = append(out, j)
		}
	}
	slices.SortFunc(out, func(a, b ledger.Journal) int {
		return cmp.Or(a.OccurredAt.Compare(b.OccurredAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// AccountTotals implements Store.
func (m *Memory) AccountTotals(_ context.Context, account string) ([]ledger.Total, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []ledger.Total
	for k, t := range m.totals {
		if k.account == account {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b ledger.Total) int { return cmp.Compare(a.Currency, b.Currency) })
	return out, nil
}
