package ledgertest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/ledger"
)

// TestStore is the contract of ledger.Store: every adapter runs it with a constructor of
// empty stores. Subtests run in parallel, each on its own store.
func TestStore(t *testing.T, newStore func(t *testing.T) Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s Store)
	}{
		{"PostThenRead", testPostThenRead},
		{"Duplicate", testDuplicate},
		{"Invalid", testInvalid},
		{"ConcurrentSameJournal", testConcurrentSameJournal},
		{"BalancesMix", testBalancesMix},
		{"PaymentJournalsOrder", testPaymentJournalsOrder},
		{"RandomHistories", testRandomHistories},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newStore(t))
		})
	}
}

var at = time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC)

// Capture returns the journal of a capture, as ForEvent makes it.
func Capture(id, merchantID, paymentID, currency string, amount int64, when time.Time) ledger.Journal {
	return ledger.Journal{
		ID: id, MerchantID: merchantID, PaymentID: paymentID, Currency: currency, Kind: ledger.KindCapture, OccurredAt: when,
		Postings: []ledger.Posting{{Account: ledger.PGReceivable, Debit: amount}, {Account: ledger.MerchantPayable(merchantID), Credit: amount}},
	}
}

// Refund returns the journal of a completed refund, as ForEvent makes it.
func Refund(id, merchantID, paymentID, currency string, amount int64, when time.Time) ledger.Journal {
	return ledger.Journal{
		ID: id, MerchantID: merchantID, PaymentID: paymentID, Currency: currency, Kind: ledger.KindRefund, OccurredAt: when,
		Postings: []ledger.Posting{{Account: ledger.MerchantPayable(merchantID), Debit: amount}, {Account: ledger.PGReceivable, Credit: amount}},
	}
}

// Payout returns a journal paying out amount of the merchant's cleared money: there is no
// payout flow yet, but Balance shows what one would post.
func Payout(id, merchantID, currency string, amount int64, when time.Time) ledger.Journal {
	return ledger.Journal{
		ID: id, MerchantID: merchantID, Currency: currency, Kind: "payout", OccurredAt: when,
		Postings: []ledger.Posting{{Account: ledger.PayoutClearing(merchantID), Debit: amount}, {Account: ledger.PayoutPaid(merchantID), Credit: amount}},
	}
}

func ctxOf(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustPost(t *testing.T, ctx context.Context, s ledger.Store, j ledger.Journal) {
	t.Helper()
	if err := s.Post(ctx, j); err != nil {
		t.Fatalf("Post(%s): %v", j.ID, err)
	}
}

func wantBalances(t *testing.T, ctx context.Context, s ledger.Store, merchantID string, want []ledger.Balance) {
	t.Helper()
	got, err := s.Balances(ctx, merchantID)
	if err != nil {
		t.Fatalf("Balances(%s): %v", merchantID, err)
	}
	if got == nil || !slices.Equal(got, want) {
		t.Errorf("Balances(%s) = %#v, want %#v", merchantID, got, want)
	}
}

// sameJournal compares journals field by field, times by instant.
func sameJournal(a, b ledger.Journal) bool {
	return a.ID == b.ID && a.MerchantID == b.MerchantID && a.PaymentID == b.PaymentID && a.Currency == b.Currency &&
		a.Kind == b.Kind && a.OccurredAt.Equal(b.OccurredAt) && slices.Equal(a.Postings, b.Postings)
}

func wantJournals(t *testing.T, ctx context.Context, s ledger.Store, paymentID string, want ...ledger.Journal) {
	t.Helper()
	got, err := s.PaymentJournals(ctx, paymentID)
	if err != nil {
		t.Fatalf("PaymentJournals(%s): %v", paymentID, err)
	}
	if len(got) != len(want) {
		t.Fatalf("PaymentJournals(%s) = %d journals %+v, want %d", paymentID, len(got), got, len(want))
	}
	for i := range want {
		if !sameJournal(got[i], want[i]) {
			t.Errorf("PaymentJournals(%s)[%d] = %+v, want %+v", paymentID, i, got[i], want[i])
		}
	}
}

func testPostThenRead(t *testing.T, s Store) {
	ctx := ctxOf(t)
	j := Capture("ev_1", "m_1", "pay_1", "KRW", 50_000, at)
	mustPost(t, ctx, s, j)
	wantJournals(t, ctx, s, "pay_1", j)
	wantBalances(t, ctx, s, "m_1", []ledger.Balance{{Currency: "KRW", Pending: 50_000}})
	totals, err := s.AccountTotals(ctx, ledger.PGReceivable)
	if err != nil || !slices.Equal(totals, []ledger.Total{{Account: ledger.PGReceivable, Currency: "KRW", Debit: 50_000}}) {
		t.Errorf("AccountTotals(pg_receivable) = %+v, %v", totals, err)
	}
	wantBalances(t, ctx, s, "m_nobody", []ledger.Balance{})
	wantJournals(t, ctx, s, "pay_nothing")
}

func testDuplicate(t *testing.T, s Store) {
	ctx := ctxOf(t)
	j := Capture("ev_1", "m_1", "pay_1", "USD", 1999, at)
	mustPost(t, ctx, s, j)
	// The same id with other content too: the id is what was applied, never twice.
	for _, dup := range []ledger.Journal{j, Capture("ev_1", "m_1", "pay_1", "USD", 5000, at.Add(time.Hour))} {
		if err := s.Post(ctx, dup); !errors.Is(err, ledger.ErrAlreadyPosted) {
			t.Errorf("Post of a posted id = %v, want ErrAlreadyPosted", err)
		}
	}
	wantBalances(t, ctx, s, "m_1", []ledger.Balance{{Currency: "USD", Pending: 1999}})
	wantJournals(t, ctx, s, "pay_1", j)
}

func testInvalid(t *testing.T, s Store) {
	ctx := ctxOf(t)
	bad := Capture("ev_1", "m_1", "pay_1", "KRW", 100, at)
	bad.Postings[1].Credit = 99
	err := s.Post(ctx, bad)
	if !errors.Is(err, ledger.ErrInvalidJournal) || errors.Is(err, ledger.ErrAlreadyPosted) {
		t.Fatalf("Post of an unbalanced journal = %v, want ErrInvalidJournal", err)
	}
	wantBalances(t, ctx, s, "m_1", []ledger.Balance{})
	wantJournals(t, ctx, s, "pay_1")
	// Nothing was written, so the corrected journal with the same id posts.
	mustPost(t, ctx, s, Capture("ev_1", "m_1", "pay_1", "KRW", 100, at))
	wantBalances(t, ctx, s, "m_1", []ledger.Balance{{Currency: "KRW", Pending: 100}})
}

func testConcurrentSameJournal(t *testing.T, s Store) {
	ctx := ctxOf(t)
	const posters = 20
	j := Capture("ev_race", "m_1", "pay_1", "KRW", 7_000, at)
	errs := make([]error, posters)
	var wg sync.WaitGroup
	for i := range posters {
		wg.Go(func() { errs[i] = s.Post(ctx, j) })
	}
	wg.Wait()
	var ok, dup int
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, ledger.ErrAlreadyPosted):
			dup++
		default:
			t.Errorf("concurrent Post: %v", err)
		}
	}
	if ok != 1 || dup != posters-1 {
		t.Errorf("%d posts succeeded and %d found the journal posted, want 1 and %d", ok, dup, posters-1)
	}
	wantBalances(t, ctx, s, "m_1", []ledger.Balance{{Currency: "KRW", Pending: 7_000}})
	wantJournals(t, ctx, s, "pay_1", j)
}

// testBalancesMix posts enough journals to land on every shard a store may keep, in two
// currencies and for two merchants, with refunds, a settlement and a payout.
func testBalancesMix(t *testing.T, s Store) {
	ctx := ctxOf(t)
	var capturedKRW int64
	for i := range 60 {
		amount := int64(1000 + i)
		capturedKRW += amount
		mustPost(t, ctx, s, Capture(fmt.Sprintf("ev_c%d", i), "m_1", fmt.Sprintf("pay_%d", i), "KRW", amount, at))
	}
	var refundedKRW int64
	for i := range 10 {
		refundedKRW += 500
		mustPost(t, ctx, s, Refund(fmt.Sprintf("ev_r%d", i), "m_1", fmt.Sprintf("pay_%d", i), "KRW", 500, at.Add(time.Minute)))
	}
	mustPost(t, ctx, s, Capture("ev_usd", "m_1", "pay_usd", "USD", 1999, at))
	mustPost(t, ctx, s, Capture("ev_other", "m_2", "pay_other", "KRW", 123_456, at))
	settle, err := ledger.ForSettlement("stl_m_1_KRW", "m_1", "KRW", 1_500, 40_000, at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	mustPost(t, ctx, s, settle)
	mustPost(t, ctx, s, Payout("po_1", "m_1", "KRW", 30_000, at.Add(2*time.Hour)))
	wantBalances(t, ctx, s, "m_1", []ledger.Balance{
		{Currency: "KRW", Pending: capturedKRW - refundedKRW - 1_500 - 40_000, Payable: 10_000, PaidOut: 30_000},
		{Currency: "USD", Pending: 1999},
	})
	wantBalances(t, ctx, s, "m_2", []ledger.Balance{{Currency: "KRW", Pending: 123_456}})
	fees, err := s.AccountTotals(ctx, ledger.FeeRevenue)
	if err != nil || !slices.Equal(fees, []ledger.Total{{Account: ledger.FeeRevenue, Currency: "KRW", Credit: 1_500}}) {
		t.Errorf("AccountTotals(fee_revenue) = %+v, %v", fees, err)
	}
	pg, err := s.AccountTotals(ctx, ledger.PGReceivable)
	want := []ledger.Total{
		{Account: ledger.PGReceivable, Currency: "KRW", Debit: capturedKRW + 123_456, Credit: refundedKRW},
		{Account: ledger.PGReceivable, Currency: "USD", Debit: 1999},
	}
	if err != nil || !slices.Equal(pg, want) {
		t.Errorf("AccountTotals(pg_receivable) = %+v, %v; want %+v", pg, err, want)
	}
}

func testPaymentJournalsOrder(t *testing.T, s Store) {
	ctx := ctxOf(t)
	capture := Capture("ev_b", "m_1", "pay_1", "KRW", 10_000, at)
	refundLater := Refund("ev_a", "m_1", "pay_1", "KRW", 3_000, at.Add(time.Second))
	refundSameTime := Refund("ev_c", "m_1", "pay_1", "KRW", 1_000, at.Add(time.Second))
	// Delivered out of order, as the queue may.
	for _, j := range []ledger.Journal{refundSameTime, refundLater, capture, Capture("ev_x", "m_1", "pay_2", "KRW", 5, at)} {
		mustPost(t, ctx, s, j)
	}
	wantJournals(t, ctx, s, "pay_1", capture, refundLater, refundSameTime)
	wantJournals(t, ctx, s, "pay_2", Capture("ev_x", "m_1", "pay_2", "KRW", 5, at))
}

// testRandomHistories replays one random history: the trial balance covers the system
// accounts, which histories sharing a store would share, so one store holds one history.
func testRandomHistories(t *testing.T, s Store) {
	ctx := ctxOf(t)
	h := NewHistory(t, rand.New(rand.NewPCG(7, 0x1ed9e5)), "h_", 60)
	if err := Replay(ctx, s, h); err != nil {
		t.Fatal(err)
	}
	Check(t, ctx, s, h)
}
