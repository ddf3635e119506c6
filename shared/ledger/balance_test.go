package ledger

import (
	"slices"
	"testing"
)

func TestSummarize(t *testing.T) {
	t.Parallel()
	m := "m_1"
	tests := []struct {
		name   string
		totals []Total
		want   []Balance
	}{
		{"Nothing", nil, []Balance{}},
		{"ShardsAddUp", []Total{
			{Account: MerchantPayable(m), Currency: "KRW", Credit: 700, Debit: 100},
			{Account: MerchantPayable(m), Currency: "KRW", Credit: 300},
			{Account: PayoutClearing(m), Currency: "KRW", Credit: 50},
			{Account: PayoutPaid(m), Currency: "KRW", Credit: 20},
			{Account: PayoutClearing(m), Currency: "KRW", Debit: 20},
		}, []Balance{{Currency: "KRW", Pending: 900, Payable: 30, PaidOut: 20}}},
		{"SortedByCurrency", []Total{
			{Account: MerchantPayable(m), Currency: "USD", Credit: 1},
			{Account: MerchantPayable(m), Currency: "JPY", Credit: 2},
			{Account: PayoutPaid(m), Currency: "EUR", Credit: 3},
		}, []Balance{{Currency: "EUR", PaidOut: 3}, {Currency: "JPY", Pending: 2}, {Currency: "USD", Pending: 1}}},
		{"NegativePending", []Total{{Account: MerchantPayable(m), Currency: "KRW", Credit: 100, Debit: 400}},
			[]Balance{{Currency: "KRW", Pending: -300}}},
		{"OthersIgnored", []Total{
			{Account: PGReceivable, Currency: "KRW", Debit: 5},
			{Account: FeeRevenue, Currency: "KRW", Credit: 5},
			{Account: MerchantPayable("m_2"), Currency: "KRW", Credit: 5},
			{Account: MerchantPayable("m_10"), Currency: "KRW", Credit: 5},
			{Account: "unknown", Currency: "KRW", Credit: 5},
		}, []Balance{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Summarize(m, tc.totals)
			if got == nil || !slices.Equal(got, tc.want) {
				t.Errorf("Summarize = %#v, want %#v", got, tc.want)
			}
		})
	}
}
