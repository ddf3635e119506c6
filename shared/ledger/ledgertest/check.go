package ledgertest

import (
	"context"
	"slices"
	"testing"

	"github.com/paylane/paylane/shared/ledger"
)

// Check compares what s shows after h was replayed with what h says it must show
// (ARCHITECTURE.md invariant 6): each merchant's balances; each payment's journals, every
// one balanced, their merchant_payable lines summing to captured minus refunded; and a
// trial balance of every account h touched, debits equal to credits in each currency.
func Check(tb testing.TB, ctx context.Context, s Store, h History) {
	tb.Helper()
	for _, m := range h.Merchants {
		got, err := s.Balances(ctx, m)
		if err != nil {
			tb.Fatalf("Balances(%s): %v", m, err)
		}
		if want := h.Balances(m); !slices.Equal(got, want) {
			tb.Errorf("Balances(%s) = %+v, want %+v", m, got, want)
		}
	}
	for id, facts := range h.Payments {
		journals, err := s.PaymentJournals(ctx, id)
		if err != nil {
			tb.Fatalf("PaymentJournals(%s): %v", id, err)
		}
		if len(journals) != facts.Journals {
			tb.Errorf("payment %s has %d journals, want %d (its capture and completed refunds)", id, len(journals), facts.Journals)
		}
		var payable int64
		for _, j := range journals {
			if err := j.Validate(); err != nil {
				tb.Errorf("payment %s: stored journal does not validate: %v", id, err)
			}
			if j.PaymentID != id || j.MerchantID != facts.MerchantID || j.Currency != facts.Currency {
				tb.Errorf("payment %s: journal %s is about payment %s of %s in %s", id, j.ID, j.PaymentID, j.MerchantID, j.Currency)
			}
			for _, p := range j.Postings {
				if p.Account == ledger.MerchantPayable(facts.MerchantID) {
					payable += p.Credit - p.Debit
				}
			}
		}
		if want := facts.Captured - facts.Refunded; payable != want {
			tb.Errorf("payment %s: merchant_payable lines sum to %d, want captured %d - refunded %d = %d",
				id, payable, facts.Captured, facts.Refunded, want)
		}
	}
	accounts := []string{ledger.PGReceivable, ledger.FeeRevenue}
	for _, m := range h.Merchants {
		accounts = append(accounts, ledger.MerchantPayable(m), ledger.PayoutClearing(m), ledger.PayoutPaid(m))
	}
	net := map[string]int64{}
	receivable := map[string]int64{}
	fees := map[string]int64{}
	for _, a := range accounts {
		totals, err := s.AccountTotals(ctx, a)
		if err != nil {
			tb.Fatalf("AccountTotals(%s): %v", a, err)
		}
		for _, t := range totals {
			net[t.Currency] += t.Debit - t.Credit
			switch a {
			case ledger.PGReceivable:
				receivable[t.Currency] += t.Debit - t.Credit
			case ledger.FeeRevenue:
				fees[t.Currency] += t.Credit - t.Debit
			}
		}
	}
	for c, n := range net {
		if n != 0 {
			tb.Errorf("trial balance in %s: debits minus credits over all accounts = %d, want 0", c, n)
		}
	}
	wantReceivable := map[string]int64{}
	for _, f := range h.Payments {
		if f.Captured > 0 {
			wantReceivable[f.Currency] += f.Captured - f.Refunded
		}
	}
	if !sameAmounts(receivable, wantReceivable) {
		tb.Errorf("pg_receivable = %v, want captured minus refunded %v", receivable, wantReceivable)
	}
	if !sameAmounts(fees, h.Fees) {
		tb.Errorf("fee_revenue = %v, want the settled fees %v", fees, h.Fees)
	}
}

// sameAmounts compares per-currency amounts, a missing currency counting as zero.
func sameAmounts(a, b map[string]int64) bool {
	for c, v := range a {
		if b[c] != v {
			return false
		}
	}
	for c, v := range b {
		if a[c] != v {
			return false
		}
	}
	return true
}
