package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/ledger"
	"github.com/paylane/paylane/shared/merchant"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/settlement"
)

// settlementRig is the daily settlement over the local DynamoDB: the settlements store, the
// ledger and the merchants table, with a publisher that keeps what it was given.
type settlementRig struct {
	e         *env
	store     *Settlements
	ledger    *Ledger
	merchants *Merchants
	settler   *settlement.Settler
	recorder  *settlement.Recorder
	published *closedLog
}

// closedLog is a settlement.Publisher that keeps the batches it was given.
type closedLog struct {
	mu      sync.Mutex
	batches []settlement.Batch
}

func (l *closedLog) PublishClosed(_ context.Context, b settlement.Batch) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.batches = append(l.batches, b)
	return nil
}

func newSettlementRig(t testing.TB, opts Options, merchants ...merchant.Merchant) *settlementRig {
	t.Helper()
	e := newSettlementEnv(t)
	if opts.Now == nil {
		opts.Now = e.clock.Now
	}
	r := &settlementRig{
		e: e, store: NewSettlements(e.db, settlementsTable, opts), ledger: NewLedger(e.db, ledgerTable, opts),
		merchants: NewMerchants(e.db, e.merchants, opts), published: &closedLog{},
	}
	for _, m := range merchants {
		if err := r.merchants.Create(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	r.settler = &settlement.Settler{Store: r.store, Ledger: r.ledger, Publisher: r.published, Merchants: r.merchants, Now: e.clock.Now}
	r.recorder = &settlement.Recorder{Store: r.store}
	return r
}

func settledMerchant(id string, bps int) merchant.Merchant {
	return merchant.Merchant{ID: id, Secret: "s", Status: merchant.Active, RateLimitPerSecond: 100, FeeRateBps: bps}
}

// capturedEvent captures a payment through the domain and returns it with its event.
func capturedEvent(t testing.TB, id, merchantID, currency string, amount int64, at time.Time) (*payment.Payment, payment.Event) {
	t.Helper()
	p, _ := payment.Authorize(payment.NewPayment{ID: id, MerchantID: merchantID, OrderID: "o-" + id, Amount: amount, Currency: currency},
		payment.Authorization{Approved: true, PGTransactionID: "pgtx_" + id}, "ev_auth_"+id, at)
	if _, err := p.RequestCapture(0, "ev_capreq_"+id, at); err != nil {
		t.Fatal(err)
	}
	ev, err := p.CaptureSucceeded("pgcap_"+id, "ev_cap_"+id, at)
	if err != nil {
		t.Fatal(err)
	}
	return p, ev
}

func refundedEvent(t testing.TB, p *payment.Payment, refundID string, amount int64, at time.Time) payment.Event {
	t.Helper()
	if _, _, err := p.RequestRefund(refundID, amount, "", "ev_rfreq_"+refundID, at); err != nil {
		t.Fatal(err)
	}
	ev, err := p.RefundSucceeded(refundID, "pgrf_"+refundID, "ev_rf_"+refundID, at)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// deliver does what the bus's consumers do with payment events: the settlement recorder
// records each and the ledger writer posts its journal.
func (r *settlementRig) deliver(t testing.TB, evs ...payment.Event) {
	t.Helper()
	for _, ev := range evs {
		if err := r.deliverOne(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
}

func (r *settlementRig) deliverOne(ctx context.Context, ev payment.Event) error {
	if err := r.recorder.RecordEvent(ctx, ev); err != nil {
		return err
	}
	j, ok, err := ledger.ForEvent(ev)
	if err != nil || !ok {
		return fmt.Errorf("journal of %s: %v %w", ev.ID, ok, err)
	}
	return r.ledger.Post(ctx, j)
}

// trialBalance checks that, over every account of the merchants, debits equal credits in
// each currency, and returns the fee revenue per currency.
func (r *settlementRig) trialBalance(t testing.TB, merchantIDs ...string) map[string]int64 {
	t.Helper()
	accounts := []string{ledger.PGReceivable, ledger.FeeRevenue}
	for _, m := range merchantIDs {
		accounts = append(accounts, ledger.MerchantPayable(m), ledger.PayoutClearing(m), ledger.PayoutPaid(m))
	}
	net, fees := map[string]int64{}, map[string]int64{}
	for _, a := range accounts {
		totals, err := r.ledger.AccountTotals(context.Background(), a)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range totals {
			net[tt.Currency] += tt.Debit - tt.Credit
			if a == ledger.FeeRevenue {
				fees[tt.Currency] += tt.Credit - tt.Debit
			}
		}
	}
	for c, n := range net {
		if n != 0 {
			t.Errorf("trial balance in %s: debits - credits = %d, want 0", c, n)
		}
	}
	return fees
}

func balanceOf(t testing.TB, l *Ledger, merchantID, currency string) ledger.Balance {
	t.Helper()
	bal, err := l.Balances(context.Background(), merchantID)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bal {
		if b.Currency == currency {
			return b
		}
	}
	return ledger.Balance{Currency: currency}
}

// A day of captures and partial refunds, then a late refund, settled through DynamoDB: the
// batches hold every movement once, the ledger is balanced and shows each merchant's net
// as payable, and running the day again changes nothing.
func TestSettlementFlow(t *testing.T) {
	t.Parallel()
	r := newSettlementRig(t, Options{}, settledMerchant("m_a", 250), settledMerchant("m_b", 300))
	ctx := ctxT(t)
	day1 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	p1, cap1 := capturedEvent(t, "pay_1", "m_a", "KRW", 50_001, day1)
	p2, cap2 := capturedEvent(t, "pay_2", "m_a", "USD", 1999, day1)
	_, cap3 := capturedEvent(t, "pay_3", "m_b", "KRW", 100_000, day1)
	r.deliver(t, cap1, cap2, cap3, refundedEvent(t, p1, "rf_1", 10_000, day1), refundedEvent(t, p2, "rf_2", 999, day1))
	r.e.clock.Advance(13 * time.Hour) // 01:00 on March 2nd

	sum, err := r.settler.CloseDay(ctx, "2026-03-01", "")
	if err != nil {
		t.Fatal(err)
	}
	at := r.e.clock.Now().UTC()
	want := []settlement.Batch{
		{ID: "stl_20260301_krw", MerchantID: "m_a", Date: "2026-03-01", Currency: "KRW", Gross: 50_001, Refunded: 10_000, Fee: 1_250, Net: 38_751, PaymentCount: 2, Status: "CLOSED", CreatedAt: at},
		{ID: "stl_20260301_usd", MerchantID: "m_a", Date: "2026-03-01", Currency: "USD", Gross: 1999, Refunded: 999, Fee: 50, Net: 950, PaymentCount: 2, Status: "CLOSED", CreatedAt: at},
		{ID: "stl_20260301_krw", MerchantID: "m_b", Date: "2026-03-01", Currency: "KRW", Gross: 100_000, Fee: 3_000, Net: 97_000, PaymentCount: 1, Status: "CLOSED", CreatedAt: at},
	}
	if !slices.Equal(sum.Batches, want) || sum.Posted != 3 || sum.Merchants != 2 {
		t.Fatalf("summary %+v\nwant batches %+v", sum, want)
	}
	stored, err := r.store.Batches(ctx, "m_a", "2026-03-01", "2026-03-01")
	if err != nil || !slices.Equal(stored, want[:2]) {
		t.Errorf("m_a's stored batches %+v, %v", stored, err)
	}
	if b, err := r.store.Batch(ctx, "m_b", "stl_20260301_krw"); err != nil || *b != want[2] {
		t.Errorf("m_b's batch %+v, %v", b, err)
	}
	if fees := r.trialBalance(t, "m_a", "m_b"); fees["KRW"] != 4_250 || fees["USD"] != 50 {
		t.Errorf("fee revenue %v, want KRW 4,250 and USD 50", fees)
	}
	for _, c := range []struct {
		m, cur  string
		payable int64
	}{{"m_a", "KRW", 38_751}, {"m_a", "USD", 950}, {"m_b", "KRW", 97_000}} {
		if b := balanceOf(t, r.ledger, c.m, c.cur); b.Pending != 0 || b.Payable != c.payable {
			t.Errorf("%s %s: %+v, want nothing pending and %d payable", c.m, c.cur, b, c.payable)
		}
	}

	// A refund of the 1st, late, lands in the 2nd's batch.
	late := refundedEvent(t, p1, "rf_late", 1_001, day1.Add(2*time.Hour))
	r.deliver(t, late)
	r.e.clock.Advance(24 * time.Hour)
	sum2, err := r.settler.CloseDay(ctx, "2026-03-02", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(sum2.Batches) != 1 || sum2.Batches[0].MerchantID != "m_a" || sum2.Batches[0].Refunded != 1_001 || sum2.Batches[0].Net != -1_001 {
		t.Errorf("the 2nd: %+v, want m_a's late refund, net -1,001", sum2.Batches)
	}

	// Re-running the 1st: the same batches, no journal posted, the ledger unchanged.
	again, err := r.settler.CloseDay(ctx, "2026-03-01", "")
	if err != nil || !slices.Equal(again.Batches, want) || again.Posted != 0 {
		t.Errorf("re-run: %+v, %v; want the same batches, nothing posted", again, err)
	}
	if fees := r.trialBalance(t, "m_a", "m_b"); fees["KRW"] != 4_250 {
		t.Errorf("fee revenue after the re-run %v, want KRW 4,250 still", fees)
	}
	if err := r.ledger.Post(ctx, mustSettlementJournal(t, want[0])); !errors.Is(err, ledger.ErrAlreadyPosted) {
		t.Errorf("posting the batch's journal again: %v, want ErrAlreadyPosted", err)
	}
	if b := balanceOf(t, r.ledger, "m_a", "KRW"); b.Pending != 0 || b.Payable != 38_751-1_001 {
		t.Errorf("m_a KRW after both days: %+v", b)
	}
	days, err := r.store.SettledDays(ctx, "2026-02-01", "2026-03-31")
	if err != nil || !slices.Equal(days, []string{"2026-03-01", "2026-03-02"}) {
		t.Errorf("settled days %v, %v", days, err)
	}
}

func mustSettlementJournal(t testing.TB, b settlement.Batch) ledger.Journal {
	t.Helper()
	j, err := ledger.ForSettlement(b.GlobalID(), b.MerchantID, b.Currency, b.Fee, b.Net, b.CreatedAt)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// 20 recorders deliver one hot merchant's captures of a day while the Settler closes it:
// each capture is in exactly one of the day's and the next day's batches, the batches add
// up to everything captured, and the ledger balances.
func TestSettlementFlow_RecordersRaceTheClose(t *testing.T) {
	t.Parallel()
	r := newSettlementRig(t, Options{}, settledMerchant("m_hot", 250))
	ctx := ctxT(t)
	day1 := time.Date(2026, 3, 1, 23, 59, 0, 0, time.UTC)
	r.e.clock.Advance(13 * time.Hour)
	const recorders, each = 20, 10
	var total int64
	evs := make([][]payment.Event, recorders)
	for w := range recorders {
		for i := range each {
			_, ev := capturedEvent(t, fmt.Sprintf("pay_%02d_%02d", w, i), "m_hot", "KRW", int64(1000+w*each+i), day1)
			evs[w] = append(evs[w], ev)
			total += ev.Data.Amount
		}
	}
	var delivered atomic.Int32
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := range recorders {
		wg.Go(func() {
			for _, ev := range evs[w] {
				if err := r.deliverOne(ctx, ev); err != nil {
					t.Error(err)
					failed.Store(true)
					return
				}
				delivered.Add(1)
			}
		})
	}
	for delivered.Load() < recorders*each/3 && !failed.Load() {
		time.Sleep(200 * time.Microsecond)
	}
	first, err := r.settler.CloseDay(ctx, "2026-03-01", "")
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	r.e.clock.Advance(24 * time.Hour)
	second, err := r.settler.CloseDay(ctx, "2026-03-02", "")
	if err != nil {
		t.Fatal(err)
	}
	var gross int64
	count := 0
	for _, b := range slices.Concat(first.Batches, second.Batches) {
		gross += b.Gross
		count += b.PaymentCount
	}
	if gross != total || count != recorders*each {
		t.Errorf("batches hold %d in %d captures, want %d in %d", gross, count, total, recorders*each)
	}
	if len(first.Batches) == 1 {
		t.Logf("the day: %d captures, the next: %d", first.Batches[0].PaymentCount, count-first.Batches[0].PaymentCount)
	}
	r.trialBalance(t, "m_hot")
	if b := balanceOf(t, r.ledger, "m_hot", "KRW"); b.Pending != 0 {
		t.Errorf("pending after both days settled: %+v, want 0", b)
	}
}
