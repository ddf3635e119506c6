package ledger

import (
	"cmp"
	"slices"
)

// Balance is a merchant's position in one currency (GET /v1/balance); the package doc says
// what each amount means.
type Balance struct {
	Currency string
	Pending  int64 // merchant_payable: captured minus refunded, not yet settled
	Payable  int64 // payout_clearing: settled net, awaiting payout
	PaidOut  int64 // payout_paid: paid out so far
}

// Total is what has been posted to one account in one currency, or to one part of it: a
// store may keep an account's totals in several parts (shards) that Summarize adds up.
type Total struct {
	Account       string
	Currency      string
	Debit, Credit int64
}

// Summarize folds the totals of a merchant's accounts into its balances, one per currency,
// sorted by currency; totals of other accounts are ignored. The result is never nil, so it
// renders as an empty list.
func Summarize(merchantID string, totals []Total) []Balance {
	byCurrency := map[string]*Balance{}
	for _, t := range totals {
		if m, ok := AccountMerchant(t.Account); !ok || m != merchantID {
			continue
		}
		b, ok := byCurrency[t.Currency]
		if !ok {
			b = &Balance{Currency: t.Currency}
			byCurrency[t.Currency] = b
		}
		// The merchant's accounts are liabilities: credits raise them.
		*b.amountOf(merchantID, t.Account) += t.Credit - t.Debit
	}
	out := make([]Balance, 0, len(byCurrency))
	for _, b := range byCurrency {
		out = append(out, *b)
	}
	slices.SortFunc(out, func(a, b Balance) int { return cmp.Compare(a.Currency, b.Currency) })
	return out
}

// amountOf is the field of b that shows account, one of the merchant's accounts.
func (b *Balance) amountOf(merchantID, account string) *int64 {
	switch account {
	case PayoutClearing(merchantID):
		return &b.Payable
	case PayoutPaid(merchantID):
		return &b.PaidOut
	}
	return &b.Pending
}
