package settlement_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/ledger"
	"github.com/paylane/paylane/shared/merchant"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/settlement"
)

// A day of two merchants with captures, partial refunds and a late event: each movement
// is in exactly one batch, the amounts are the day's, and the ledger books them.
func TestSettler_CloseDay(t *testing.T) {
	t.Parallel()
	r := newRig(nil, merchantWith("m_a", 250), merchantWith("m_b", 180))
	day1 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	pa, capA := captured(t, "pay_a", "m_a", "KRW", 50_001, day1)
	pb, capB := captured(t, "pay_b", "m_a", "USD", 1999, day1)
	_, capC := captured(t, "pay_c", "m_b", "USD", 10_000, day1)
	rfA1 := refunded(t, pa, "rf_a1", 1_000, day1.Add(time.Hour))
	rfB1 := refunded(t, pb, "rf_b1", 999, day1.Add(2*time.Hour))
	r.record(t, capA, capB, capC, rfA1, rfB1)
	postJournals(t, r, capA, capB, capC, rfA1, rfB1)

	r.setNow(time.Date(2026, 3, 2, 0, 30, 0, 0, time.UTC))
	sum := r.closeDay(t, "2026-03-01", "")
	at := r.clock().UTC()
	want := []settlement.Batch{
		{ID: "stl_20260301_krw", MerchantID: "m_a", Date: "2026-03-01", Currency: "KRW", Gross: 50_001, Refunded: 1_000, Fee: 1_250, Net: 47_751, PaymentCount: 2, Status: "CLOSED", CreatedAt: at},
		{ID: "stl_20260301_usd", MerchantID: "m_a", Date: "2026-03-01", Currency: "USD", Gross: 1999, Refunded: 999, Fee: 50, Net: 950, PaymentCount: 2, Status: "CLOSED", CreatedAt: at},
		{ID: "stl_20260301_usd", MerchantID: "m_b", Date: "2026-03-01", Currency: "USD", Gross: 10_000, Refunded: 0, Fee: 180, Net: 9_820, PaymentCount: 1, Status: "CLOSED", CreatedAt: at},
	}
	if !slices.Equal(sum.Batches, want) {
		t.Errorf("batches\n%+v\nwant\n%+v", sum.Batches, want)
	}
	if sum.Day != "2026-03-01" || sum.Merchants != 2 || sum.Posted != 3 || len(sum.Failed) != 0 {
		t.Errorf("summary %+v, want 2 merchants and 3 journals", sum)
	}
	// Merchants are settled in parallel: the events may go out in any order.
	if got := ids(r.pub.all()); !slices.Equal(sorted(got), sorted(ids(want))) {
		t.Errorf("published %v, want %v in any order", got, ids(want))
	}
	for _, b := range want {
		stored, err := r.store.Batch(context.Background(), b.MerchantID, b.ID)
		if err != nil || *stored != b {
			t.Errorf("stored %s of %s: %+v, %v", b.ID, b.MerchantID, stored, err)
		}
	}
	checkLedger(t, r, "m_a", "KRW", 0, 47_751, 1_250)
	checkLedger(t, r, "m_a", "USD", 0, 950, 50)
	checkLedger(t, r, "m_b", "USD", 0, 9_820, 180)

	// Late: a refund on the 1st that arrives after the close lands in the 2nd's batch, with
	// a capture of the 2nd; the 1st's batches do not change.
	rfA2 := refunded(t, pa, "rf_a2", 2_000, day1.Add(3*time.Hour))
	_, capD := captured(t, "pay_d", "m_a", "KRW", 20_000, day1.Add(24*time.Hour))
	r.record(t, rfA2, capD)
	postJournals(t, r, rfA2, capD)
	r.setNow(time.Date(2026, 3, 3, 0, 30, 0, 0, time.UTC))
	sum2 := r.closeDay(t, "2026-03-02", "")
	want2 := []settlement.Batch{{ID: "stl_20260302_krw", MerchantID: "m_a", Date: "2026-03-02", Currency: "KRW",
		Gross: 20_000, Refunded: 2_000, Fee: 500, Net: 17_500, PaymentCount: 2, Status: "CLOSED", CreatedAt: r.clock()}}
	if !slices.Equal(sum2.Batches, want2) {
		t.Errorf("the 2nd's batches\n%+v\nwant\n%+v", sum2.Batches, want2)
	}
	again := r.closeDay(t, "2026-03-01", "")
	if !slices.Equal(again.Batches, want) || again.Posted != 0 {
		t.Errorf("the 1st re-run: %+v, posted %d; want the first batches, nothing posted", again.Batches, again.Posted)
	}
	checkLedger(t, r, "m_a", "KRW", 0, 47_751+17_500, 1_250+500)
}

// postJournals books the events' capture and refund journals, as the ledger writer does.
func postJournals(t testing.TB, r *rig, evs ...payment.Event) {
	t.Helper()
	for _, ev := range evs {
		j, ok, err := ledger.ForEvent(ev)
		if err != nil || !ok {
			t.Fatalf("journal of %s: %v %v", ev.ID, ok, err)
		}
		if err := r.ledger.Post(context.Background(), j); err != nil {
			t.Fatal(err)
		}
	}
}

// checkLedger checks a merchant's position after settlement and the trial balance: debits
// equal credits over every account in currency.
func checkLedger(t testing.TB, r *rig, merchantID, currency string, pending, payable, fees int64) {
	t.Helper()
	ctx := context.Background()
	bal, err := r.ledger.Balances(ctx, merchantID)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(bal, func(b ledger.Balance) bool { return b.Currency == currency })
	if i < 0 || bal[i].Pending != pending || bal[i].Payable != payable {
		t.Errorf("%s %s balance %+v, want pending %d payable %d", merchantID, currency, bal, pending, payable)
	}
	var net, feeRevenue int64
	for _, acct := range []string{ledger.PGReceivable, ledger.FeeRevenue, ledger.MerchantPayable("m_a"), ledger.PayoutClearing("m_a"),
		ledger.MerchantPayable("m_b"), ledger.PayoutClearing("m_b")} {
		totals, err := r.ledger.AccountTotals(ctx, acct)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range totals {
			if tt.Currency != currency {
				continue
			}
			net += tt.Debit - tt.Credit
			if acct == ledger.FeeRevenue {
				feeRevenue += tt.Credit - tt.Debit
			}
		}
	}
	if net != 0 {
		t.Errorf("trial balance in %s: debits - credits = %d, want 0", currency, net)
	}
	if merchantID == "m_a" && currency == "KRW" && feeRevenue != fees {
		t.Errorf("fee revenue in KRW %d, want %d", feeRevenue, fees)
	}
}

// Running a day again changes nothing: the same batches (same times), no second journal,
// and any settlement.closed it publishes again carries the same id and content.
func TestSettler_ReRunIsIdempotent(t *testing.T) {
	t.Parallel()
	r := newRig(nil, merchantWith("m_a", 250))
	p, capEv := captured(t, "pay_1", "m_a", "KRW", 50_000, t0)
	r.record(t, capEv, refunded(t, p, "rf_1", 10_000, t0))
	first := r.closeDay(t, "2026-03-01", "")
	r.setNow(r.clock().Add(5 * time.Hour))
	for range 3 {
		again := r.closeDay(t, "2026-03-01", "")
		if !slices.Equal(again.Batches, first.Batches) || again.Posted != 0 {
			t.Errorf("re-run %+v posted %d; want %+v, nothing posted", again.Batches, again.Posted, first.Batches)
		}
	}
	journals := 0
	totals, _ := r.ledger.AccountTotals(context.Background(), ledger.FeeRevenue)
	for _, tt := range totals {
		if tt.Credit != 1_250 {
			t.Errorf("fee revenue %+v, want one fee of 1,250", tt)
		}
		journals++
	}
	if journals != 1 {
		t.Errorf("fee revenue in %d currencies, want 1", journals)
	}
	for _, b := range r.pub.all() {
		if b != first.Batches[0] {
			t.Errorf("published %+v, want every publication the same as the first %+v", b, first.Batches[0])
		}
	}
	all, _ := r.store.Batches(context.Background(), "m_a", "", "")
	if len(all) != 1 {
		t.Errorf("%d batches stored, want 1", len(all))
	}
}

// Fee and net both zero: a batch, announced, but no journal (there is nothing to move). A
// day whose refunds outweigh its captures settles a negative net.
func TestSettler_ZeroAndNegativeBatches(t *testing.T) {
	t.Parallel()
	r := newRig(nil, merchantWith("m_free", 0), merchantWith("m_a", 250))
	p, capEv := captured(t, "pay_1", "m_free", "USD", 500, t0)
	r.record(t, capEv, refunded(t, p, "rf_1", 500, t0))
	// m_a: a payment captured on an earlier (settled) day, refunded today.
	old, oldCap := captured(t, "pay_2", "m_a", "KRW", 30_000, t0.Add(-48*time.Hour))
	rf := refunded(t, old, "rf_2", 30_000, t0)
	_, small := captured(t, "pay_3", "m_a", "KRW", 10_000, t0)
	r.record(t, rf, small)
	postJournals(t, r, oldCap, rf, small)
	sum := r.closeDay(t, "2026-03-01", "")
	if len(sum.Batches) != 2 || sum.Posted != 1 {
		t.Fatalf("%+v: want two batches and one journal", sum)
	}
	neg, zero := sum.Batches[0], sum.Batches[1]
	if zero.MerchantID != "m_free" || zero.Fee != 0 || zero.Net != 0 {
		t.Errorf("m_free's batch %+v, want fee and net zero", zero)
	}
	if neg.Gross != 10_000 || neg.Refunded != 30_000 || neg.Fee != 250 || neg.Net != -20_250 {
		t.Errorf("m_a's batch %+v, want net -20,250", neg)
	}
	if len(r.pub.all()) != 2 {
		t.Errorf("published %d, want both batches", len(r.pub.all()))
	}
	// pay_2's capture (30,000) was never settled here, so m_a still has 30,000 - 30,000 +
	// 10,000 - (250 + -20,250) = 30,000 pending: the earlier day's, to settle then.
	checkLedger(t, r, "m_a", "KRW", 30_000, -20_250, 250)
}

func TestSettler_Refuses(t *testing.T) {
	t.Parallel()
	seoul := mustZone(t, "Asia/Seoul")
	r := newRig(seoul, merchantWith("m_a", 250))
	r.setNow(time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC)) // 01:00 on March 2nd in Seoul
	tests := []struct {
		day, merchant string
		want          fault.Code
	}{
		{"2026-03-02", "", fault.Invalid}, // today in Seoul
		{"2026-03-03", "", fault.Invalid}, // the future
		{"2026-3-1", "", fault.Invalid},
		{"", "", fault.Invalid},
		{"2026-03-01", "m_nobody", fault.NotFound},
	}
	for _, tc := range tests {
		sum, err := r.settler.CloseDay(context.Background(), tc.day, tc.merchant)
		if fault.CodeOf(err) != tc.want || len(sum.Batches) != 0 {
			t.Errorf("CloseDay(%q, %q) = %+v, %v; want %s", tc.day, tc.merchant, sum, err, tc.want)
		}
	}
	if _, err := r.settler.CloseDay(context.Background(), "2026-03-01", ""); err != nil {
		t.Errorf("yesterday in Seoul: %v", err)
	}
	for name, s := range map[string]*settlement.Settler{
		"no store":     {Ledger: r.ledger, Publisher: r.pub, Merchants: r.merchants},
		"no ledger":    {Store: r.store, Publisher: r.pub, Merchants: r.merchants},
		"no publisher": {Store: r.store, Ledger: r.ledger, Merchants: r.merchants},
		"no merchants": {Store: r.store, Ledger: r.ledger, Publisher: r.pub},
	} {
		if _, err := s.CloseDay(context.Background(), "2026-02-01", ""); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// One merchant's failure does not stop the others; running the day again finishes it,
// and the day is remembered as settled only once every merchant's day is.
func TestSettler_Failures(t *testing.T) {
	t.Parallel()
	type setup func(r *rig, fail *atomic.Bool)
	tests := []struct {
		name    string
		setup   setup
		wantErr string
	}{
		{"CloseDayFails", func(r *rig, fail *atomic.Bool) {
			r.store.closeDay = func(m, _ string) error {
				if m == "m_b" && fail.Load() {
					return errBoom
				}
				return nil
			}
		}, "closing the day"},
		{"SaveBatchFails", func(r *rig, fail *atomic.Bool) {
			r.store.saveBatch = func(b settlement.Batch) error {
				if b.MerchantID == "m_b" && fail.Load() {
					return errBoom
				}
				return nil
			}
		}, "saving"},
		{"ReadingTheBatchFails", func(r *rig, fail *atomic.Bool) {
			r.store.batch = func(m, _ string) (*settlement.Batch, error, bool) {
				if m == "m_b" && fail.Load() {
					return nil, errBoom, true
				}
				return nil, nil, false
			}
		}, "reading"},
		{"PostFails", func(r *rig, fail *atomic.Bool) {
			r.ledger.fail = func(j ledger.Journal) error {
				if j.MerchantID == "m_b" && fail.Load() {
					return errBoom
				}
				return nil
			}
		}, "posting the journal"},
		{"PublishFails", func(r *rig, fail *atomic.Bool) {
			r.pub.fail = func(b settlement.Batch) error {
				if b.MerchantID == "m_b" && fail.Load() {
					return errBoom
				}
				return nil
			}
		}, "publishing settlement.closed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(nil, merchantWith("m_a", 250), merchantWith("m_b", 250), merchantWith("m_c", 250))
			for _, m := range []string{"m_a", "m_b", "m_c"} {
				_, ev := captured(t, "pay_"+m, m, "USD", 1000, t0)
				r.record(t, ev)
			}
			var fail atomic.Bool
			fail.Store(true)
			tc.setup(r, &fail)
			sum, err := r.settler.CloseDay(context.Background(), "2026-03-01", "")
			if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "merchant m_b") || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v, want m_b's %q to wrap the cause", err, tc.wantErr)
			}
			if !slices.Equal(sum.Failed, []string{"m_b"}) || sum.Merchants != 2 {
				t.Errorf("summary %+v, want m_b failed and the 2 others settled", sum)
			}
			if !slices.Equal(ids(sum.Batches), []string{"m_a/stl_20260301_usd", "m_c/stl_20260301_usd"}) {
				t.Errorf("batches %v, want m_a's and m_c's", ids(sum.Batches))
			}
			if len(r.store.marked) != 0 {
				t.Errorf("the day was remembered as settled after a failure: %v", r.store.marked)
			}
			fail.Store(false)
			sum = r.closeDay(t, "2026-03-01", "")
			if len(sum.Batches) != 3 || sum.Merchants != 3 {
				t.Errorf("the re-run settled %+v, want all three", sum)
			}
			if !slices.Equal(r.store.marked, []string{"2026-03-01"}) {
				t.Errorf("settled days %v, want the day once every merchant settled", r.store.marked)
			}
			posted := 0
			for _, m := range []string{"m_a", "m_b", "m_c"} {
				bal, _ := r.ledger.Balances(context.Background(), m)
				if len(bal) == 1 && bal[0].Payable == 975 {
					posted++
				}
			}
			if posted != 3 {
				t.Errorf("%d merchants have their net payable, want 3", posted)
			}
		})
	}
}

// Every merchant settled, but the day could not be remembered: the run fails, so the
// schedule retries it (and finds every batch done).
func TestSettler_MarkSettledFails(t *testing.T) {
	t.Parallel()
	r := newRig(nil, merchantWith("m_a", 250))
	_, ev := captured(t, "pay_1", "m_a", "USD", 1000, t0)
	r.record(t, ev)
	r.store.markErr = errBoom
	sum, err := r.settler.CloseDay(context.Background(), "2026-03-01", "")
	if !errors.Is(err, errBoom) || len(sum.Batches) != 1 || sum.Merchants != 1 {
		t.Errorf("CloseDay = %+v, %v; want the batch settled and the error", sum, err)
	}
}

func TestSettler_MerchantsFail(t *testing.T) {
	t.Parallel()
	r := newRig(nil)
	r.merchants.listErr = errBoom
	if _, err := r.settler.CloseDay(context.Background(), "2026-03-01", ""); !errors.Is(err, errBoom) {
		t.Errorf("listing fails: %v", err)
	}
}

// A merchant whose fee rate cannot be right is not closed: its day stays open for the
// operator to fix the rate and run the day again.
func TestSettler_BadFeeRateLeavesTheDayOpen(t *testing.T) {
	t.Parallel()
	for _, bps := range []int{-1, 10_001} {
		r := newRig(nil, merchantWith("m_a", bps))
		_, ev := captured(t, "pay_1", "m_a", "USD", 1000, t0)
		r.record(t, ev)
		if _, err := r.settler.CloseDay(context.Background(), "2026-03-01", ""); err == nil || !strings.Contains(err.Error(), "fee rate") {
			t.Errorf("%d bps: %v, want a fee rate error", bps, err)
		}
		_, late := captured(t, "pay_2", "m_a", "USD", 1, t0)
		r.record(t, late)
		totals, _ := r.store.CloseDay(context.Background(), "m_a", "2026-03-01")
		if len(totals) != 1 || totals[0].Captures != 2 {
			t.Errorf("%d bps: the day took %+v, want both captures (it stayed open)", bps, totals)
		}
	}
}

// When the day was settled before with another fee (the rate changed between runs), the
// stored batch stands: it is what is booked and announced again.
func TestSettler_StoredBatchStands(t *testing.T) {
	t.Parallel()
	r := newRig(nil, merchantWith("m_a", 250))
	_, ev := captured(t, "pay_1", "m_a", "USD", 10_000, t0)
	r.record(t, ev)
	first := r.closeDay(t, "2026-03-01", "")
	r.merchants.list[0].FeeRateBps = 300
	again := r.closeDay(t, "2026-03-01", "")
	if !slices.Equal(again.Batches, first.Batches) || again.Batches[0].Fee != 250 {
		t.Errorf("after a rate change: %+v, want the stored %+v", again.Batches, first.Batches)
	}
	checkLedger(t, r, "m_a", "USD", -10_000, 9_750, 0)
}

// Two runs at once: one saves the batch between the other's read and write. The loser
// settles the stored batch.
func TestSettler_ConcurrentSave(t *testing.T) {
	t.Parallel()
	r := newRig(nil, merchantWith("m_a", 300))
	_, ev := captured(t, "pay_1", "m_a", "USD", 10_000, t0)
	r.record(t, ev)
	winner := settlement.NewBatch("m_a", "2026-03-01", settlement.Totals{Currency: "USD", Gross: 10_000, Captures: 1}, 250, t0)
	r.store.saveBatch = func(b settlement.Batch) error {
		if err := r.store.Memory.SaveBatch(context.Background(), winner); err != nil {
			t.Fatal(err)
		}
		return nil // the Memory save that follows finds the winner's batch
	}
	sum := r.closeDay(t, "2026-03-01", "")
	if len(sum.Batches) != 1 || sum.Batches[0] != winner {
		t.Errorf("settled %+v, want the winner's %+v", sum.Batches, winner)
	}
	if got := r.pub.all(); len(got) != 1 || got[0] != winner {
		t.Errorf("published %+v, want the winner's", got)
	}
	r2 := newRig(nil, merchantWith("m_a", 300))
	r2.record(t, ev)
	r2.store.saveBatch = func(settlement.Batch) error { return fmt.Errorf("racing: %w", settlement.ErrBatchExists) }
	r2.store.batch = func(string, string) (*settlement.Batch, error, bool) {
		return nil, fault.New(fault.NotFound, "gone"), true
	}
	if _, err := r2.settler.CloseDay(context.Background(), "2026-03-01", ""); err == nil || !strings.Contains(err.Error(), "saved concurrently") {
		t.Errorf("the concurrent batch cannot be read: %v", err)
	}
}

// At most Parallel merchants are closed at once, and every merchant is closed once.
func TestSettler_BoundedParallelism(t *testing.T) {
	t.Parallel()
	var ms []merchant.Merchant
	for i := range 40 {
		ms = append(ms, merchantWith(fmt.Sprintf("m_%02d", i), 250))
	}
	r := newRig(nil, ms...)
	r.settler.Parallel = 4
	var running, peak atomic.Int32
	var mu sync.Mutex
	seen := map[string]int{}
	r.store.closeDay = func(m, _ string) error {
		n := running.Add(1)
		defer running.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(2 * time.Millisecond)
		mu.Lock()
		seen[m]++
		mu.Unlock()
		return nil
	}
	sum := r.closeDay(t, "2026-03-01", "")
	if sum.Merchants != 40 || len(seen) != 40 {
		t.Errorf("closed %d merchants (%d seen), want 40", sum.Merchants, len(seen))
	}
	for m, n := range seen {
		if n != 1 {
			t.Errorf("%s closed %d times", m, n)
		}
	}
	if p := peak.Load(); p > 4 || p < 2 {
		t.Errorf("at most %d merchants at once, want 2 to 4", p)
	}
}

// One merchant's run settles that merchant only and does not mark the day settled.
func TestSettler_OneMerchant(t *testing.T) {
	t.Parallel()
	r := newRig(nil, merchantWith("m_a", 250), merchantWith("m_b", 250))
	for _, m := range []string{"m_a", "m_b"} {
		_, ev := captured(t, "pay_"+m, m, "KRW", 1000, t0)
		r.record(t, ev)
	}
	sum := r.closeDay(t, "2026-03-01", "m_b")
	if !slices.Equal(ids(sum.Batches), []string{"m_b/stl_20260301_krw"}) || len(r.store.marked) != 0 {
		t.Errorf("batches %v, marked %v; want m_b's only, the day not marked", ids(sum.Batches), r.store.marked)
	}
}

// A caller out of time leaves the merchants not yet closed open, and says so.
func TestSettler_Canceled(t *testing.T) {
	t.Parallel()
	r := newRig(nil, merchantWith("m_a", 250))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sum, err := r.settler.CloseDay(ctx, "2026-03-01", "")
	if !errors.Is(err, context.Canceled) || sum.Merchants != 0 {
		t.Errorf("CloseDay = %+v, %v; want context.Canceled", sum, err)
	}
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
