package settlementtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/settlement"
)

// Day0 is the day the contract's movements happen on, and At0 a time in it.
const Day0 = "2026-03-01"

var At0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// Capture is a capture movement of amount in currency.
func Capture(eventID, merchantID, currency string, amount int64, at time.Time) settlement.Movement {
	return settlement.Movement{
		EventID: eventID, MerchantID: merchantID, PaymentID: "pay_" + eventID, Currency: currency,
		Kind: settlement.Capture, Amount: amount, PGOperationID: "pgcap_" + eventID, OccurredAt: at,
	}
}

// Refund is a refund movement of amount in currency.
func Refund(eventID, merchantID, currency string, amount int64, at time.Time) settlement.Movement {
	m := Capture(eventID, merchantID, currency, amount, at)
	m.Kind, m.PGOperationID = settlement.Refund, "pgrf_"+eventID
	return m
}

// TestStore runs the contract of settlement.Store against the stores newStore returns, a
// new empty one for each subtest.
func TestStore(t *testing.T, newStore func(t *testing.T) settlement.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s settlement.Store)
	}{
		{"TotalsAreTheSumOfTheMovements", testTotals},
		{"Duplicate", testDuplicate},
		{"ClosedDayRollsForward", testRollForward},
		{"CloseAgain", testCloseAgain},
		{"MerchantsAreApart", testMerchantsApart},
		{"Invalid", testInvalid},
		{"SaveBatch", testSaveBatch},
		{"Batches", testBatches},
		{"SettledDays", testSettledDays},
		{"ConcurrentRecordersWhileClosing", testConcurrentClose},
		{"RandomHistories", testRandomHistories},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newStore(t))
		})
	}
}

func ctxOf(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustRecord(t *testing.T, s settlement.Store, m settlement.Movement, day, wantDay string) {
	t.Helper()
	got, err := s.Record(ctxOf(t), m, day)
	if err != nil {
		t.Fatalf("Record(%s, %s): %v", m.EventID, day, err)
	}
	if got != wantDay {
		t.Fatalf("Record(%s, %s) landed in %s, want %s", m.EventID, day, got, wantDay)
	}
}

func mustClose(t *testing.T, s settlement.Store, merchantID, day string) []settlement.Totals {
	t.Helper()
	got, err := s.CloseDay(ctxOf(t), merchantID, day)
	if err != nil {
		t.Fatalf("CloseDay(%s, %s): %v", merchantID, day, err)
	}
	return got
}

func wantTotals(t *testing.T, what string, got []settlement.Totals, want ...settlement.Totals) {
	t.Helper()
	if want == nil {
		want = []settlement.Totals{}
	}
	if got == nil {
		got = []settlement.Totals{}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: totals %+v, want %+v", what, got, want)
	}
}

func testTotals(t *testing.T, s settlement.Store) {
	mustRecord(t, s, Capture("ev_1", "m_a", "USD", 1999, At0), Day0, Day0)
	mustRecord(t, s, Capture("ev_2", "m_a", "USD", 1, At0), Day0, Day0)
	mustRecord(t, s, Refund("ev_3", "m_a", "USD", 500, At0), Day0, Day0)
	mustRecord(t, s, Capture("ev_4", "m_a", "KRW", 50_001, At0), Day0, Day0)
	mustRecord(t, s, Refund("ev_5", "m_a", "JPY", 300, At0), Day0, Day0)
	wantTotals(t, "the day", mustClose(t, s, "m_a", Day0),
		settlement.Totals{Currency: "JPY", Refunded: 300, Refunds: 1},
		settlement.Totals{Currency: "KRW", Gross: 50_001, Captures: 1},
		settlement.Totals{Currency: "USD", Gross: 2000, Refunded: 500, Captures: 2, Refunds: 1},
	)
	wantTotals(t, "a day without movements", mustClose(t, s, "m_a", "2026-03-02"))
}

func testDuplicate(t *testing.T, s settlement.Store) {
	ctx := ctxOf(t)
	m := Capture("ev_dup", "m_a", "KRW", 1000, At0)
	mustRecord(t, s, m, Day0, Day0)
	for _, day := range []string{Day0, "2026-03-05"} {
		got, err := s.Record(ctx, m, day)
		if !errors.Is(err, settlement.ErrAlreadyRecorded) {
			t.Fatalf("recording again for %s: %v, want ErrAlreadyRecorded", day, err)
		}
		if got != Day0 {
			t.Errorf("recording again for %s: reported day %q, want the first one, %s", day, got, Day0)
		}
	}
	// A duplicate of an event whose day has since closed is still a duplicate, not a late
	// movement for the next day.
	mustClose(t, s, "m_a", Day0)
	if _, err := s.Record(ctx, m, Day0); !errors.Is(err, settlement.ErrAlreadyRecorded) {
		t.Fatalf("recording again after the close: %v, want ErrAlreadyRecorded", err)
	}
	wantTotals(t, "the day", mustClose(t, s, "m_a", Day0), settlement.Totals{Currency: "KRW", Gross: 1000, Captures: 1})
	wantTotals(t, "the next day", mustClose(t, s, "m_a", "2026-03-02"))
}

func testRollForward(t *testing.T, s settlement.Store) {
	mustRecord(t, s, Capture("ev_on_time", "m_a", "KRW", 100, At0), Day0, Day0)
	wantTotals(t, "day 1", mustClose(t, s, "m_a", Day0), settlement.Totals{Currency: "KRW", Gross: 100, Captures: 1})
	// Late: its day closed, it goes to the next open day.
	mustRecord(t, s, Capture("ev_late", "m_a", "KRW", 20, At0), Day0, "2026-03-02")
	mustRecord(t, s, Refund("ev_late_refund", "m_a", "KRW", 7, At0), Day0, "2026-03-02")
	wantTotals(t, "day 1 again", mustClose(t, s, "m_a", Day0), settlement.Totals{Currency: "KRW", Gross: 100, Captures: 1})
	wantTotals(t, "day 2", mustClose(t, s, "m_a", "2026-03-02"), settlement.Totals{Currency: "KRW", Gross: 20, Refunded: 7, Captures: 1, Refunds: 1})
	// Two days closed: it skips both, across a month's end.
	mustClose(t, s, "m_a", "2026-03-31")
	mustRecord(t, s, Capture("ev_later", "m_a", "KRW", 3, At0), Day0, "2026-03-03")
	mustRecord(t, s, Capture("ev_month_end", "m_a", "KRW", 4, At0), "2026-03-31", "2026-04-01")
	wantTotals(t, "day 3", mustClose(t, s, "m_a", "2026-03-03"), settlement.Totals{Currency: "KRW", Gross: 3, Captures: 1})
	wantTotals(t, "April 1", mustClose(t, s, "m_a", "2026-04-01"), settlement.Totals{Currency: "KRW", Gross: 4, Captures: 1})
}

func testCloseAgain(t *testing.T, s settlement.Store) {
	mustRecord(t, s, Capture("ev_1", "m_a", "EUR", 250, At0), Day0, Day0)
	first := mustClose(t, s, "m_a", Day0)
	for i := range 3 {
		wantTotals(t, fmt.Sprintf("close %d", i+2), mustClose(t, s, "m_a", Day0), first...)
	}
}

func testMerchantsApart(t *testing.T, s settlement.Store) {
	mustRecord(t, s, Capture("ev_a", "m_a", "KRW", 100, At0), Day0, Day0)
	mustClose(t, s, "m_a", Day0)
	// m_b's day is still open, and m_a's totals are not m_b's.
	mustRecord(t, s, Capture("ev_b", "m_b", "KRW", 200, At0), Day0, Day0)
	wantTotals(t, "m_b", mustClose(t, s, "m_b", Day0), settlement.Totals{Currency: "KRW", Gross: 200, Captures: 1})
	wantTotals(t, "m_a", mustClose(t, s, "m_a", Day0), settlement.Totals{Currency: "KRW", Gross: 100, Captures: 1})
}

func testInvalid(t *testing.T, s settlement.Store) {
	ctx := ctxOf(t)
	good := Capture("ev_ok", "m_a", "KRW", 100, At0)
	bad := []struct {
		name string
		edit func(*settlement.Movement)
	}{
		{"no event id", func(m *settlement.Movement) { m.EventID = "" }},
		{"no merchant", func(m *settlement.Movement) { m.MerchantID = "" }},
		{"zero amount", func(m *settlement.Movement) { m.Amount = 0 }},
		{"unknown currency", func(m *settlement.Movement) { m.Currency = "XXX" }},
		{"attribute-name injection", func(m *settlement.Movement) { m.Currency = "KRW, closed" }},
		{"unknown kind", func(m *settlement.Movement) { m.Kind = "chargeback" }},
	}
	for _, tc := range bad {
		m := good
		tc.edit(&m)
		if _, err := s.Record(ctx, m, Day0); !errors.Is(err, settlement.ErrInvalidMovement) {
			t.Errorf("%s: %v, want ErrInvalidMovement", tc.name, err)
		}
	}
	for _, day := range []string{"", "2026-3-1", "2026-02-30", "01/03/2026"} {
		if _, err := s.Record(ctx, good, day); !fault.Is(err, fault.Invalid) {
			t.Errorf("Record on day %q: %v, want fault.Invalid", day, err)
		}
	}
	// Nothing of the refused movements was recorded.
	wantTotals(t, "the day", mustClose(t, s, "m_a", Day0))
	mustRecord(t, s, good, Day0, "2026-03-02")
}

// BatchOf is the batch of a merchant-day in one currency, as a Settler makes it.
func BatchOf(merchantID, day, currency string, gross, refunded int64, at time.Time) settlement.Batch {
	return settlement.NewBatch(merchantID, day, settlement.Totals{Currency: currency, Gross: gross, Refunded: refunded, Captures: 1, Refunds: 1}, 250, at)
}

func testSaveBatch(t *testing.T, s settlement.Store) {
	ctx := ctxOf(t)
	at := time.Date(2026, 3, 2, 0, 5, 0, 123_456_789, time.UTC)
	b := BatchOf("m_a", Day0, "KRW", 50_000, 1_000, at)
	if err := s.SaveBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	again := b
	again.CreatedAt = at.Add(time.Hour) // a re-run makes it later
	if err := s.SaveBatch(ctx, again); err != nil {
		t.Errorf("saving the same settlement again: %v, want nil", err)
	}
	other := b
	other.Fee, other.Net = 0, b.Gross-b.Refunded
	if err := s.SaveBatch(ctx, other); !errors.Is(err, settlement.ErrBatchExists) {
		t.Errorf("saving other amounts under the id: %v, want ErrBatchExists", err)
	}
	got, err := s.Batch(ctx, "m_a", b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if *got != b {
		t.Errorf("Batch = %+v, want the first saved %+v", *got, b)
	}
	// The same id of another merchant is another batch.
	if _, err := s.Batch(ctx, "m_b", b.ID); !fault.Is(err, fault.NotFound) {
		t.Errorf("another merchant's batch: %v, want fault.NotFound", err)
	}
	if err := s.SaveBatch(ctx, BatchOf("m_b", Day0, "KRW", 7, 0, at)); err != nil {
		t.Errorf("the same id for another merchant: %v", err)
	}
	for _, id := range []string{"", "stl_", "stl_20260301_KRW", "stl_20260301_usd", "stl_20260230_krw", "pay_1", "stl_20260301_krw_x"} {
		if _, err := s.Batch(ctx, "m_a", id); !fault.Is(err, fault.NotFound) {
			t.Errorf("Batch(%q): %v, want fault.NotFound", id, err)
		}
	}
	wrongID := b
	wrongID.ID = "stl_20260302_krw"
	if err := s.SaveBatch(ctx, wrongID); err == nil {
		t.Error("saving a batch whose id does not name its day: nil error")
	}
}

func testBatches(t *testing.T, s settlement.Store) {
	ctx := ctxOf(t)
	var all []settlement.Batch // in the order Batches returns them
	for _, day := range []string{"2026-02-28", "2026-03-01", "2026-03-02", "2026-03-10"} {
		for _, cur := range []string{"KRW", "USD"} {
			all = append(all, BatchOf("m_a", day, cur, 1000, 0, At0))
		}
	}
	for _, i := range rand.Perm(len(all)) { // saved in any order
		if err := s.SaveBatch(ctx, all[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveBatch(ctx, BatchOf("m_b", "2026-03-01", "KRW", 5, 0, At0)); err != nil {
		t.Fatal(err)
	}
	ids := func(bs []settlement.Batch) []string {
		out := []string{}
		for _, b := range bs {
			out = append(out, b.ID)
		}
		return out
	}
	tests := []struct {
		from, to string
		want     []string
	}{
		{"2026-03-01", "2026-03-02", []string{"stl_20260301_krw", "stl_20260301_usd", "stl_20260302_krw", "stl_20260302_usd"}},
		{"2026-03-01", "2026-03-01", []string{"stl_20260301_krw", "stl_20260301_usd"}},
		{"", "2026-02-28", []string{"stl_20260228_krw", "stl_20260228_usd"}},
		{"2026-03-03", "", []string{"stl_20260310_krw", "stl_20260310_usd"}},
		{"", "", ids(all)},
		{"2026-03-03", "2026-03-09", []string{}},
		{"2026-03-02", "2026-03-01", []string{}},
	}
	for _, tc := range tests {
		got, err := s.Batches(ctx, "m_a", tc.from, tc.to)
		if err != nil {
			t.Fatalf("Batches(%q, %q): %v", tc.from, tc.to, err)
		}
		if got == nil {
			t.Errorf("Batches(%q, %q) = nil, want a non-nil slice", tc.from, tc.to)
		}
		if !slices.Equal(ids(got), tc.want) {
			t.Errorf("Batches(%q, %q) = %v, want %v", tc.from, tc.to, ids(got), tc.want)
		}
		for _, b := range got {
			if b.MerchantID != "m_a" {
				t.Errorf("Batches of m_a returned %s's batch", b.MerchantID)
			}
		}
	}
	if got, err := s.Batches(ctx, "m_b", "", ""); err != nil || len(got) != 1 || got[0].Gross != 5 {
		t.Errorf("m_b's batches: %+v, %v", got, err)
	}
	for _, bad := range [][2]string{{"2026-3-1", ""}, {"", "tomorrow"}} {
		if _, err := s.Batches(ctx, "m_a", bad[0], bad[1]); !fault.Is(err, fault.Invalid) {
			t.Errorf("Batches(%q, %q): %v, want fault.Invalid", bad[0], bad[1], err)
		}
	}
}

func testSettledDays(t *testing.T, s settlement.Store) {
	ctx := ctxOf(t)
	if got, err := s.SettledDays(ctx, "2026-02-01", "2026-03-31"); err != nil || len(got) != 0 {
		t.Fatalf("SettledDays of a new store: %v, %v", got, err)
	}
	for _, d := range []string{"2026-03-02", "2026-02-27", "2026-03-01", "2026-03-09", "2026-03-01"} {
		if err := s.MarkSettled(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.SettledDays(ctx, "2026-02-27", "2026-03-02")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"2026-02-27", "2026-03-01", "2026-03-02"}; !slices.Equal(got, want) {
		t.Errorf("SettledDays = %v, want %v", got, want)
	}
	if err := s.MarkSettled(ctx, "yesterday"); !fault.Is(err, fault.Invalid) {
		t.Errorf("MarkSettled(yesterday): %v, want fault.Invalid", err)
	}
	if _, err := s.SettledDays(ctx, "2026-02-27", "soon"); !fault.Is(err, fault.Invalid) {
		t.Errorf("SettledDays to soon: %v, want fault.Invalid", err)
	}
}

// testConcurrentClose records from 20 goroutines into one merchant-day while the day
// closes: every movement lands in exactly one of the day and the next, and each day's
// totals are exactly the sum of the movements that landed in it.
func testConcurrentClose(t *testing.T, s settlement.Store) {
	const recorders, each = 20, 15
	ctx := ctxOf(t)
	type landed struct {
		m   settlement.Movement
		day string
	}
	results := make(chan landed, recorders*each)
	var landedSoFar atomic.Int32
	var failed atomic.Bool
	var wg sync.WaitGroup
	start := make(chan struct{})
	for r := range recorders {
		wg.Go(func() {
			<-start
			for i := range each {
				m := Capture(fmt.Sprintf("ev_%d_%d", r, i), "m_hot", "KRW", int64(1+r*each+i), At0)
				if i%4 == 3 {
					m = Refund(m.EventID, m.MerchantID, m.Currency, m.Amount, m.OccurredAt)
				}
				day, err := s.Record(ctx, m, Day0)
				if err != nil {
					t.Errorf("Record %s: %v", m.EventID, err)
					failed.Store(true)
					return
				}
				results <- landed{m, day}
				landedSoFar.Add(1)
			}
		})
	}
	closed := make(chan []settlement.Totals, 1)
	wg.Go(func() {
		// Close while the recorders are in full flow: a third of the movements in.
		for landedSoFar.Load() < recorders*each/3 && !failed.Load() {
			time.Sleep(100 * time.Microsecond)
		}
		got, err := s.CloseDay(ctx, "m_hot", Day0)
		if err != nil {
			t.Errorf("CloseDay: %v", err)
		}
		closed <- got
	})
	close(start)
	wg.Wait()
	close(results)
	want := map[string]*settlement.Totals{Day0: {Currency: "KRW"}, "2026-03-02": {Currency: "KRW"}}
	n := 0
	for r := range results {
		n++
		w, ok := want[r.day]
		if !ok {
			t.Fatalf("%s landed in %s, want %s or the day after", r.m.EventID, r.day, Day0)
		}
		w.Add(r.m)
	}
	if n != recorders*each {
		t.Fatalf("%d movements recorded, want %d", n, recorders*each)
	}
	atClose := <-closed
	for _, day := range []string{Day0, "2026-03-02"} {
		var wantDay []settlement.Totals
		if w := want[day]; w.Captures+w.Refunds > 0 {
			wantDay = append(wantDay, *w)
		}
		got := mustClose(t, s, "m_hot", day)
		wantTotals(t, day, got, wantDay...)
		if day == Day0 {
			wantTotals(t, "the totals the closing call returned", atClose, wantDay...)
		}
	}
}

// testRandomHistories interleaves movements (some duplicated, some late) with closes of
// random merchant-days, then checks against a model: each movement lands in the first open
// day from its own, once, and each day's totals are the sum of what landed in it.
func testRandomHistories(t *testing.T, s settlement.Store) {
	r := rand.New(rand.NewPCG(7, 11))
	days := []string{"2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"}
	merchants := []string{"m_a", "m_b"}
	currencies := []string{"KRW", "USD"}
	closed := map[[2]string]bool{}
	landedIn := map[string]string{}
	totals := map[[3]string]*settlement.Totals{}
	var recorded []settlement.Movement
	ctx := ctxOf(t)
	for i := range 300 {
		if r.IntN(12) == 0 {
			md := [2]string{merchants[r.IntN(2)], days[r.IntN(3)]} // the last day stays open
			mustClose(t, s, md[0], md[1])
			closed[md] = true
			continue
		}
		if len(recorded) > 0 && r.IntN(10) == 0 {
			dup := recorded[r.IntN(len(recorded))]
			got, err := s.Record(ctx, dup, days[r.IntN(len(days))])
			if !errors.Is(err, settlement.ErrAlreadyRecorded) || got != landedIn[dup.EventID] {
				t.Fatalf("duplicate %s: (%q, %v), want (%q, ErrAlreadyRecorded)", dup.EventID, got, err, landedIn[dup.EventID])
			}
			continue
		}
		m := Capture(fmt.Sprintf("ev_%d", i), merchants[r.IntN(2)], currencies[r.IntN(2)], 1+r.Int64N(100_000), At0)
		if r.IntN(3) == 0 {
			m = Refund(m.EventID, m.MerchantID, m.Currency, m.Amount, m.OccurredAt)
		}
		day := days[r.IntN(len(days))]
		want := day
		for closed[[2]string{m.MerchantID, want}] {
			want, _ = settlement.NextDay(want)
		}
		mustRecord(t, s, m, day, want)
		landedIn[m.EventID] = want
		recorded = append(recorded, m)
		k := [3]string{m.MerchantID, want, m.Currency}
		if totals[k] == nil {
			totals[k] = &settlement.Totals{Currency: m.Currency}
		}
		totals[k].Add(m)
	}
	for _, m := range merchants {
		for _, d := range days {
			var want []settlement.Totals
			for _, c := range currencies {
				if tt := totals[[3]string{m, d, c}]; tt != nil {
					want = append(want, *tt)
				}
			}
			wantTotals(t, m+" "+d, mustClose(t, s, m, d), want...)
		}
	}
}
