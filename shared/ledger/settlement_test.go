package ledger

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestForSettlement(t *testing.T) {
	t.Parallel()
	payable, clearing := MerchantPayable("m_1"), PayoutClearing("m_1")
	tests := []struct {
		name     string
		currency string
		fee, net int64
		want     []Posting // nil: invalid
	}{
		{"FeeAndNet", "KRW", 250, 9_750, []Posting{
			{Account: payable, Debit: 250}, {Account: FeeRevenue, Credit: 250},
			{Account: payable, Debit: 9_750}, {Account: clearing, Credit: 9_750},
		}},
		{"NoFee", "KRW", 0, 100, []Posting{{Account: payable, Debit: 100}, {Account: clearing, Credit: 100}}},
		{"OnlyFee", "USD", 30, 0, []Posting{{Account: payable, Debit: 30}, {Account: FeeRevenue, Credit: 30}}},
		{"RefundsExceedCaptures", "KRW", 10, -500, []Posting{
			{Account: payable, Debit: 10}, {Account: FeeRevenue, Credit: 10},
			{Account: clearing, Debit: 500}, {Account: payable, Credit: 500},
		}},
		{"FeeReturned", "KRW", -10, -500, []Posting{
			{Account: FeeRevenue, Debit: 10}, {Account: payable, Credit: 10},
			{Account: clearing, Debit: 500}, {Account: payable, Credit: 500},
		}},
		{"NothingToSettle", "KRW", 0, 0, nil},
		{"UnknownCurrency", "XXX", 1, 1, nil},
		{"MinInt64", "KRW", 0, math.MinInt64, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			j, err := ForSettlement("stl_1", "m_1", tc.currency, tc.fee, tc.net, t0)
			if tc.want == nil {
				if !errors.Is(err, ErrInvalidJournal) {
					t.Errorf("ForSettlement = %+v, %v; want ErrInvalidJournal", j, err)
				}
				return
			}
			want := Journal{ID: "stl_1", MerchantID: "m_1", Currency: tc.currency, Kind: KindSettlement, OccurredAt: t0, Postings: tc.want}
			if err != nil || !sameJournal(j, want) {
				t.Errorf("ForSettlement = %+v, %v; want %+v", j, err, want)
			}
		})
	}
	if _, err := ForSettlement("", "m_1", "KRW", 1, 1, t0); !errors.Is(err, ErrInvalidJournal) {
		t.Errorf("ForSettlement without an id = %v, want ErrInvalidJournal", err)
	}
}

// Whatever the fee and net, a settlement journal is balanced, takes fee + net off the
// merchant's payable, adds net to its clearing and fee to our revenue.
func TestForSettlement_Property(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 5_000 {
		fee, net := r.Int64N(2_000_000_000)-1_000_000_000, r.Int64N(2_000_000_000_000)-1_000_000_000_000
		if i%10 == 0 {
			fee = 0
		}
		j, err := ForSettlement("stl", "m_1", "KRW", fee, net, t0)
		if fee == 0 && net == 0 {
			continue
		}
		if err != nil {
			t.Fatalf("ForSettlement(fee %d, net %d): %v", fee, net, err)
		}
		if err := j.Validate(); err != nil {
			t.Fatalf("ForSettlement(fee %d, net %d) does not validate: %v", fee, net, err)
		}
		delta := map[string]int64{} // credits minus debits
		for _, p := range j.Postings {
			delta[p.Account] += p.Credit - p.Debit
		}
		if delta[MerchantPayable("m_1")] != -(fee+net) || delta[PayoutClearing("m_1")] != net || delta[FeeRevenue] != fee {
			t.Fatalf("ForSettlement(fee %d, net %d) moves %v", fee, net, delta)
		}
	}
}
