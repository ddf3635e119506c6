package ledger

import (
	"errors"
	"math"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func validCapture() Journal {
	return Journal{
		ID: "ev_1", MerchantID: "m_1", PaymentID: "pay_1", Currency: "KRW", Kind: KindCapture, OccurredAt: t0,
		Postings: []Posting{{Account: PGReceivable, Debit: 100}, {Account: MerchantPayable("m_1"), Credit: 100}},
	}
}

func TestJournal_Validate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*Journal)
		ok     bool
	}{
		{"Capture", func(*Journal) {}, true},
		{"NoPayment", func(j *Journal) { j.PaymentID = "" }, true},
		{"SplitLines", func(j *Journal) {
			j.Postings = []Posting{{Account: MerchantPayable("m_1"), Debit: 100}, {Account: FeeRevenue, Credit: 3}, {Account: PayoutClearing("m_1"), Credit: 97}}
		}, true},
		{"Payout", func(j *Journal) {
			j.Postings = []Posting{{Account: PayoutClearing("m_1"), Debit: 5}, {Account: PayoutPaid("m_1"), Credit: 5}}
		}, true},
		{"MaxPostings", func(j *Journal) {
			j.Postings = nil
			for range MaxPostings / 2 {
				j.Postings = append(j.Postings, Posting{Account: PGReceivable, Debit: 1}, Posting{Account: MerchantPayable("m_1"), Credit: 1})
			}
		}, true},
		{"NoID", func(j *Journal) { j.ID = "" }, false},
		{"NoMerchant", func(j *Journal) { j.MerchantID = "" }, false},
		{"NoKind", func(j *Journal) { j.Kind = "" }, false},
		{"NoTime", func(j *Journal) { j.OccurredAt = time.Time{} }, false},
		{"NoCurrency", func(j *Journal) { j.Currency = "" }, false},
		{"LowerCaseCurrency", func(j *Journal) { j.Currency = "krw" }, false},
		{"UnknownCurrency", func(j *Journal) { j.Currency = "XXX" }, false},
		{"NoPostings", func(j *Journal) { j.Postings = nil }, false},
		{"OnePosting", func(j *Journal) { j.Postings = j.Postings[:1] }, false},
		{"TooManyPostings", func(j *Journal) {
			for range MaxPostings / 2 {
				j.Postings = append(j.Postings, Posting{Account: PGReceivable, Debit: 1}, Posting{Account: MerchantPayable("m_1"), Credit: 1})
			}
		}, false},
		{"Unbalanced", func(j *Journal) { j.Postings[1].Credit = 99 }, false},
		{"AllDebits", func(j *Journal) { j.Postings[1] = Posting{Account: MerchantPayable("m_1"), Debit: 100} }, false},
		{"ZeroAmounts", func(j *Journal) { j.Postings[0].Debit, j.Postings[1].Credit = 0, 0 }, false},
		{"NegativeDebit", func(j *Journal) {
			j.Postings = []Posting{{Account: PGReceivable, Debit: -100}, {Account: MerchantPayable("m_1"), Debit: 100}}
		}, false},
		{"NegativeCreditBalancedBySign", func(j *Journal) {
			j.Postings = []Posting{{Account: PGReceivable, Credit: -100}, {Account: MerchantPayable("m_1"), Credit: 100}}
		}, false},
		{"BothSides", func(j *Journal) {
			j.Postings = []Posting{{Account: PGReceivable, Debit: 100, Credit: 100}, {Account: MerchantPayable("m_1"), Debit: 100, Credit: 100}}
		}, false},
		{"Overflow", func(j *Journal) {
			j.Postings = []Posting{{Account: PGReceivable, Debit: math.MaxInt64}, {Account: PGReceivable, Debit: 2},
				{Account: MerchantPayable("m_1"), Credit: math.MaxInt64}, {Account: MerchantPayable("m_1"), Credit: 2}}
		}, false},
		{"UnknownAccount", func(j *Journal) { j.Postings[0].Account = "cash" }, false},
		{"EmptyAccount", func(j *Journal) { j.Postings[0].Account = "" }, false},
		{"AccountWithoutMerchant", func(j *Journal) { j.Postings[1].Account = MerchantPayable("") }, false},
		{"OtherMerchantsAccount", func(j *Journal) { j.Postings[1].Account = MerchantPayable("m_2") }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			j := validCapture()
			tc.change(&j)
			err := j.Validate()
			if tc.ok != (err == nil) {
				t.Fatalf("Validate() = %v, want ok %v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalidJournal) {
				t.Errorf("Validate() = %v, does not wrap ErrInvalidJournal", err)
			}
		})
	}
}

func TestAccountMerchant(t *testing.T) {
	t.Parallel()
	tests := []struct {
		account  string
		merchant string
		ok       bool
		system   bool
	}{
		{MerchantPayable("m_1"), "m_1", true, false},
		{PayoutClearing("m_1"), "m_1", true, false},
		{PayoutPaid("m:odd"), "m:odd", true, false},
		{PGReceivable, "", false, true},
		{FeeRevenue, "", false, true},
		{"merchant_payable:", "", false, false},
		{"merchant_payable", "", false, false},
		{"payout:m_1", "", false, false},
		{"", "", false, false},
	}
	for _, tc := range tests {
		m, ok := AccountMerchant(tc.account)
		if m != tc.merchant || ok != tc.ok {
			t.Errorf("AccountMerchant(%q) = %q, %v; want %q, %v", tc.account, m, ok, tc.merchant, tc.ok)
		}
		if got := IsSystemAccount(tc.account); got != tc.system {
			t.Errorf("IsSystemAccount(%q) = %v", tc.account, got)
		}
	}
}

func isInvalid(err error) bool { return errors.Is(err, ErrInvalidJournal) }
