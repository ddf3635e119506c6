package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/ledger"
	"github.com/paylane/paylane/shared/ledger/ledgertest"
)

// The ledger adapter passes the contract every ledger.Store passes, against the local
// cloud's DynamoDB through the real SDK.
func TestLedger_Contract(t *testing.T) {
	t.Parallel()
	ledgertest.TestStore(t, func(t *testing.T) ledgertest.Store { return newLedgerEnv(t).ledgerStore(nil, Options{}) })
}

// recordedTx keeps the transactions a store sent.
type recordedTx struct {
	mu  sync.Mutex
	txs []*dynamodb.TransactWriteItemsInput
}

func (r *recordedTx) hook(op string, in any) error {
	if tx, ok := in.(*dynamodb.TransactWriteItemsInput); ok {
		r.mu.Lock()
		r.txs = append(r.txs, tx)
		r.mu.Unlock()
	}
	return nil
}

// keysOf lists the pk and sk of every action of a transaction, and its kind.
func keysOf(tx *dynamodb.TransactWriteItemsInput) []string {
	var out []string
	for _, a := range tx.TransactItems {
		switch {
		case a.Put != nil:
			out = append(out, "Put "+keyOf(a.Put.Item, attrPK)+" "+keyOf(a.Put.Item, attrSK))
		case a.Update != nil:
			out = append(out, "Update "+keyOf(a.Update.Key, attrPK)+" "+keyOf(a.Update.Key, attrSK))
		default:
			out = append(out, "other")
		}
	}
	return out
}

func TestLedger_PostIsOneTransaction(t *testing.T) {
	t.Parallel()
	e := newLedgerEnv(t)
	rec := &recordedTx{}
	s := e.ledgerStore(hookDB{DB: e.db, hook: rec.hook}, Options{})
	ctx := ctxT(t)
	capture := ledgertest.Capture("ev_1", "m_1", "pay_1", "KRW", 1000, e.clock.Now())
	settle, err := ledger.ForSettlement("stl_1", "m_1", "KRW", 25, 975, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range []ledger.Journal{capture, settle} {
		if err := s.Post(ctx, j); err != nil {
			t.Fatalf("Post(%s): %v", j.ID, err)
		}
	}
	if len(rec.txs) != 2 {
		t.Fatalf("%d transactions for two journals", len(rec.txs))
	}
	mShard := func(id string) string { return fmt.Sprintf("%02d", ledgerShard(id, merchantBalanceShards)) }
	sShard := func(id string) string { return fmt.Sprintf("%02d", ledgerShard(id, systemBalanceShards)) }
	wantCapture := []string{
		"Put JOURNAL#ev_1 JOURNAL",
		"Put PAYJ#pay_1 2026-03-01T12:00:00.000000000Z#ev_1",
		"Update BALANCE#MERCHANT#m_1#" + mShard("ev_1") + " merchant_payable:m_1#KRW",
		"Update BALANCE#SYSTEM#pg_receivable#" + sShard("ev_1") + " KRW",
	}
	// The settlement debits merchant_payable twice (fee and net): one update carries both,
	// as a transaction may touch an item only once. It is about no payment: no line.
	wantSettle := []string{
		"Put JOURNAL#stl_1 JOURNAL",
		"Update BALANCE#MERCHANT#m_1#" + mShard("stl_1") + " merchant_payable:m_1#KRW",
		"Update BALANCE#MERCHANT#m_1#" + mShard("stl_1") + " payout_clearing:m_1#KRW",
		"Update BALANCE#SYSTEM#fee_revenue#" + sShard("stl_1") + " KRW",
	}
	for i, want := range [][]string{wantCapture, wantSettle} {
		tx := rec.txs[i]
		if got := keysOf(tx); !slices.Equal(got, want) {
			t.Errorf("transaction %d:\n got %q\nwant %q", i, got, want)
		}
		if c := aws.ToString(tx.TransactItems[0].Put.ConditionExpression); c != "attribute_not_exists(#pk)" {
			t.Errorf("transaction %d: the journal's condition is %q", i, c)
		}
	}
	// A token derived from the journal would make DynamoDB answer a redelivery with
	// success, without writing: each Post must send its own.
	if err := s.Post(ctx, capture); !errors.Is(err, ledger.ErrAlreadyPosted) {
		t.Fatalf("second Post = %v, want ErrAlreadyPosted", err)
	}
	if a, b := aws.ToString(rec.txs[0].ClientRequestToken), aws.ToString(rec.txs[2].ClientRequestToken); a == b {
		t.Errorf("two Posts of one journal sent the same client request token %q", a)
	}
	payable := rec.txs[1].TransactItems[1].Update.ExpressionAttributeValues
	if d := payable[":debit"].(*types.AttributeValueMemberN).Value; d != "1000" {
		t.Errorf("settlement debits merchant_payable %s, want fee + net = 1000", d)
	}
}

// A hot merchant: 1,000 captures in a second put no more than ~300 writes on any key of
// its balances, and far fewer on any shard of pg_receivable, which every merchant shares.
func TestLedger_HotMerchantSpread(t *testing.T) {
	t.Parallel()
	perKey := map[string]int{}
	db := stubTxDB{fn: func(tx *dynamodb.TransactWriteItemsInput) {
		for _, k := range keysOf(tx) {
			perKey[strings.Fields(k)[1]]++
		}
	}}
	s := NewLedger(db, ledgerTable, Options{})
	r := rand.New(rand.NewPCG(4, 2))
	for range 1000 {
		id := fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", r.Uint32(), r.Uint32N(1<<16), r.Uint32N(1<<12), r.Uint32N(1<<16), r.Uint64N(1<<48))
		if err := s.Post(context.Background(), ledgertest.Capture(id, "m_hot", "pay_"+id, "KRW", 100, at0)); err != nil {
			t.Fatal(err)
		}
	}
	var merchantKeys, systemKeys, merchantMax, systemMax int
	for k, n := range perKey {
		switch {
		case strings.HasPrefix(k, "BALANCE#MERCHANT#m_hot#"):
			merchantKeys++
			merchantMax = max(merchantMax, n)
		case strings.HasPrefix(k, "BALANCE#SYSTEM#pg_receivable#"):
			systemKeys++
			systemMax = max(systemMax, n)
		default:
			if n != 1 {
				t.Errorf("key %s written %d times: journals and payment lines should spread by id", k, n)
			}
		}
	}
	t.Logf("busiest merchant shard %d, busiest pg_receivable shard %d", merchantMax, systemMax)
	if merchantKeys != merchantBalanceShards || merchantMax > 300 {
		t.Errorf("merchant balance: %d keys, busiest written %d times/s; want %d keys, at most 300", merchantKeys, merchantMax, merchantBalanceShards)
	}
	if systemKeys != systemBalanceShards || systemMax > 60 {
		t.Errorf("pg_receivable: %d keys, busiest written %d times/s; want %d keys, at most 60", systemKeys, systemMax, systemBalanceShards)
	}
}

// stubTxDB accepts every transaction without storing it: for tests of request shapes only.
type stubTxDB struct {
	DB
	fn func(*dynamodb.TransactWriteItemsInput)
}

func (s stubTxDB) TransactWriteItems(_ context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	s.fn(in)
	return &dynamodb.TransactWriteItemsOutput{}, nil
}

func conflictCancel(n int) error {
	reasons := make([]types.CancellationReason, n)
	for i := range reasons {
		reasons[i].Code = aws.String("None")
	}
	reasons[n-1].Code = aws.String(reasonConflict)
	return &types.TransactionCanceledException{Message: aws.String("conflict"), CancellationReasons: reasons}
}

func TestLedger_PostFailures(t *testing.T) {
	t.Parallel()
	throttled := &types.ProvisionedThroughputExceededException{Message: aws.String("slow down")}
	tests := []struct {
		name      string
		failFirst int   // how many transactions fail
		failWith  error // with this
		cancelCtx bool  // the caller gives up after the first failure
		ok        bool
		calls     int
		wantIs    error
	}{
		{"ConflictThenSuccess", 2, conflictCancel(4), false, true, 3, nil},
		{"ConflictEveryTime", 100, conflictCancel(4), false, false, ledgerPostAttempts, nil},
		{"Throttled", 1, throttled, false, false, 1, throttled},
		{"CallerGivesUpWhileWaiting", 100, conflictCancel(4), true, false, 1, context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newLedgerEnv(t)
			ctx, cancel := context.WithCancel(ctxT(t))
			defer cancel()
			var calls atomic.Int32
			s := e.ledgerStore(hookDB{DB: e.db, hook: func(op string, in any) error {
				if op != "TransactWriteItems" {
					return nil
				}
				if n := calls.Add(1); int(n) <= tc.failFirst {
					if tc.cancelCtx {
						cancel()
					}
					return tc.failWith
				}
				return nil
			}}, Options{})
			j := ledgertest.Capture("ev_1", "m_1", "pay_1", "KRW", 500, at0)
			err := s.Post(ctx, j)
			if tc.ok != (err == nil) || int(calls.Load()) != tc.calls {
				t.Fatalf("Post = %v after %d transactions; want ok %v after %d", err, calls.Load(), tc.ok, tc.calls)
			}
			if err != nil && errors.Is(err, ledger.ErrAlreadyPosted) {
				t.Errorf("a failed Post reads as already posted: %v", err)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("Post = %v, want it to wrap %v", err, tc.wantIs)
			}
			if err != nil && !strings.Contains(err.Error(), "posting journal ev_1") {
				t.Errorf("error %q does not say what was being done", err)
			}
			want := []ledger.Balance{}
			if tc.ok {
				want = []ledger.Balance{{Currency: "KRW", Pending: 500}}
			}
			got, err := e.ledgerStore(nil, Options{}).Balances(ctxT(t), "m_1")
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("Balances = %+v, %v; want %+v", got, err, want)
			}
		})
	}
}

// An invalid journal never reaches DynamoDB.
func TestLedger_PostInvalid(t *testing.T) {
	t.Parallel()
	called := false
	s := NewLedger(stubTxDB{fn: func(*dynamodb.TransactWriteItemsInput) { called = true }}, ledgerTable, Options{})
	j := ledgertest.Capture("ev_1", "m_1", "pay_1", "KRW", 500, at0)
	j.Postings[0].Account = ledger.MerchantPayable("m_2")
	if err := s.Post(context.Background(), j); !errors.Is(err, ledger.ErrInvalidJournal) || called {
		t.Errorf("Post = %v (DynamoDB called: %v), want ErrInvalidJournal without a call", err, called)
	}
}

// Reads page through results, whatever the page size, and fail as a whole when one shard
// or page fails.
func TestLedger_Reads(t *testing.T) {
	t.Parallel()
	e := newLedgerEnv(t)
	ctx := ctxT(t)
	s := e.ledgerStore(nil, Options{})
	var want []ledger.Journal
	for i := range 30 {
		j := ledgertest.Capture(fmt.Sprintf("ev_%02d", i), "m_1", "pay_1", []string{"KRW", "USD", "JPY"}[i%3], int64(100+i), at0)
		want = append(want, j)
		if err := s.Post(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Post(ctx, ledgertest.Payout("po_1", "m_1", "KRW", 7, at0)); err != nil {
		t.Fatal(err)
	}
	full, err := s.Balances(ctx, "m_1")
	if err != nil {
		t.Fatal(err)
	}
	// One item per page.
	var queries atomic.Int32
	paged := e.ledgerStore(hookDB{DB: e.db, hook: func(op string, in any) error {
		if q, ok := in.(*dynamodb.QueryInput); ok {
			queries.Add(1)
			q.Limit = aws.Int32(1)
		}
		return nil
	}}, Options{})
	got, err := paged.PaymentJournals(ctx, "pay_1")
	if err != nil || len(got) != len(want) {
		t.Fatalf("PaymentJournals one item a page = %d journals, %v; want %d", len(got), err, len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID || !slices.Equal(got[i].Postings, want[i].Postings) {
			t.Errorf("journal %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if q := queries.Swap(0); q < int32(len(want)) {
		t.Errorf("%d queries for %d journals a page at a time", q, len(want))
	}
	pagedBalances, err := paged.Balances(ctx, "m_1")
	if err != nil || !slices.Equal(pagedBalances, full) {
		t.Errorf("Balances one item a page = %+v, %v; want %+v", pagedBalances, err, full)
	}
	if q := queries.Load(); q <= merchantBalanceShards {
		t.Errorf("%d queries: Balances did not page", q)
	}

	down := errors.New("shard unavailable")
	for _, tc := range []struct {
		name string
		call func(s *Ledger) error
	}{
		{"Balances", func(s *Ledger) error { _, err := s.Balances(ctx, "m_1"); return err }},
		{"PaymentJournals", func(s *Ledger) error { _, err := s.PaymentJournals(ctx, "pay_1"); return err }},
		{"AccountTotals", func(s *Ledger) error { _, err := s.AccountTotals(ctx, ledger.PGReceivable); return err }},
	} {
		var n atomic.Int32
		failing := e.ledgerStore(hookDB{DB: e.db, hook: func(op string, in any) error {
			if q, ok := in.(*dynamodb.QueryInput); ok {
				q.Limit = aws.Int32(1)
				if n.Add(1) == 3 { // not the first query: a later shard, or a later page
					return down
				}
			}
			return nil
		}}, Options{})
		if err := tc.call(failing); !errors.Is(err, down) {
			t.Errorf("%s with a failing query = %v, want it to wrap the cause", tc.name, err)
		}
	}
	if _, err := s.AccountTotals(ctx, "cash"); err == nil {
		t.Error("AccountTotals of no account succeeded")
	}
	totals, err := s.AccountTotals(ctx, ledger.PayoutPaid("m_1"))
	if err != nil || !slices.Equal(totals, []ledger.Total{{Account: ledger.PayoutPaid("m_1"), Currency: "KRW", Credit: 7}}) {
		t.Errorf("AccountTotals(payout_paid) = %+v, %v", totals, err)
	}
}

// A stored item that does not decode is reported, never read as zero.
func TestLedger_CorruptItems(t *testing.T) {
	t.Parallel()
	e := newLedgerEnv(t)
	ctx := ctxT(t)
	s := e.ledgerStore(nil, Options{})
	j := ledgertest.Capture("ev_1", "m_1", "pay_1", "KRW", 100, at0)
	if err := s.Post(ctx, j); err != nil {
		t.Fatal(err)
	}
	balanceKey := item{attrPK: avS(merchantBalancePK("m_1", ledgerShard("ev_1", merchantBalanceShards))), attrSK: avS("merchant_payable:m_1#KRW")}
	lineKey := item{attrPK: avS(paymentJournalsPK("pay_1")), attrSK: avS(paymentJournalSK(j))}
	for _, tc := range []struct {
		name string
		key  item
		set  string
		val  types.AttributeValue
		read func() error
	}{
		{"BalanceCreditNotNumber", balanceKey, attrCredit, avS("lots"), func() error { _, err := s.Balances(ctx, "m_1"); return err }},
		{"BalanceNoAccount", balanceKey, attrAccount, nil, func() error { _, err := s.Balances(ctx, "m_1"); return err }},
		{"LinePostingsNotList", lineKey, attrPostings, avS("[]"), func() error { _, err := s.PaymentJournals(ctx, "pay_1"); return err }},
		{"LinePostingNotMap", lineKey, attrPostings, &types.AttributeValueMemberL{Value: []types.AttributeValue{avS("x")}}, func() error { _, err := s.PaymentJournals(ctx, "pay_1"); return err }},
		{"LinePostingAmountFraction", lineKey, attrPostings, &types.AttributeValueMemberL{Value: []types.AttributeValue{
			&types.AttributeValueMemberM{Value: item{attrAccount: avS(ledger.PGReceivable), attrDebit: &types.AttributeValueMemberN{Value: "1.5"}, attrCredit: avN(0)}},
		}}, func() error { _, err := s.PaymentJournals(ctx, "pay_1"); return err }},
		{"LineBadTime", lineKey, attrOccurredAt, avS("yesterday"), func() error { _, err := s.PaymentJournals(ctx, "pay_1"); return err }},
	} {
		old := e.rawItem(t, ledgerTable, tc.key)
		corrupt := item{}
		for k, v := range old {
			corrupt[k] = v
		}
		if tc.val == nil {
			delete(corrupt, tc.set)
		} else {
			corrupt[tc.set] = tc.val
		}
		if _, err := e.db.PutItem(ctx, putInput(ledgerTable, corrupt)); err != nil {
			t.Fatal(err)
		}
		if err := tc.read(); !errors.Is(err, errCorruptJournal) {
			t.Errorf("%s: read = %v, want a corrupt item error", tc.name, err)
		}
		if _, err := e.db.PutItem(ctx, putInput(ledgerTable, old)); err != nil {
			t.Fatal(err)
		}
	}
}

// Post asks for and reports its capacity when metered: a capture is one transaction of
// four small items, two write units each.
func TestLedger_Meter(t *testing.T) {
	t.Parallel()
	e := newLedgerEnv(t)
	rec := &recorder{}
	s := e.ledgerStore(nil, Options{Meter: rec.meter})
	ctx := ctxT(t)
	if err := s.Post(ctx, ledgertest.Capture("ev_1", "m_1", "pay_1", "KRW", 100, at0)); err != nil {
		t.Fatal(err)
	}
	if len(rec.calls) != 1 || rec.calls[0].op != "TransactWriteItems" || rec.calls[0].wcu != 8 {
		t.Errorf("meter calls %+v, want one TransactWriteItems of 8 WCU", rec.calls)
	}
	rec.calls = nil
	if _, err := s.Balances(ctx, "m_1"); err != nil {
		t.Fatal(err)
	}
	if len(rec.calls) != merchantBalanceShards {
		t.Errorf("Balances made %d metered calls, want one Query per shard (%d)", len(rec.calls), merchantBalanceShards)
	}
}

// BenchmarkLedgerPost reports the round trips and write units of posting one capture.
func BenchmarkLedgerPost(b *testing.B) {
	e := newLedgerEnv(b)
	var mu sync.Mutex
	var wcu float64
	var trips int
	s := e.ledgerStore(nil, Options{Meter: func(_ string, w, _ float64) {
		mu.Lock()
		wcu += w
		trips++
		mu.Unlock()
	}})
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		if err := s.Post(ctx, ledgertest.Capture(fmt.Sprintf("ev_%d", i), "m_1", fmt.Sprintf("pay_%d", i), "KRW", 50_000, at0)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(wcu/float64(b.N), "WCU/op")
	b.ReportMetric(float64(trips)/float64(b.N), "roundtrips/op")
}
