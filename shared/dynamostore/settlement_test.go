package dynamostore

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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/settlement"
	"github.com/paylane/paylane/shared/settlement/settlementtest"
)

// The DynamoDB store passes the contract every settlement.Store passes, against the local
// cloud's DynamoDB through the real SDK.
func TestSettlements_Contract(t *testing.T) {
	t.Parallel()
	settlementtest.TestStore(t, func(t *testing.T) settlement.Store {
		return newSettlementEnv(t).settlementsStore(nil, Options{})
	})
}

// Recording a movement is one transaction: the movement record, conditioned on the event
// being new, and its shard's ADDs, conditioned on the shard being open.
func TestSettlements_RecordIsOneTransaction(t *testing.T) {
	t.Parallel()
	e := newSettlementEnv(t)
	rec := &recordedTx{}
	s := e.settlementsStore(hookDB{DB: e.db, hook: rec.hook}, Options{})
	m := settlementtest.Capture("ev_1", "m_a", "KRW", 5000, settlementtest.At0)
	if _, err := s.Record(ctxT(t), m, settlementtest.Day0); err != nil {
		t.Fatal(err)
	}
	if len(rec.txs) != 1 {
		t.Fatalf("%d transactions, want 1", len(rec.txs))
	}
	shard := fmt.Sprintf("%02d", settlementShard("ev_1"))
	want := []string{"Put MOVE#ev_1 MOVE", "Update AGG#m_a#2026-03-01 " + shard}
	if got := keysOf(rec.txs[0]); !slices.Equal(got, want) {
		t.Errorf("transaction %v, want %v", got, want)
	}
	upd := rec.txs[0].TransactItems[1].Update
	if got := aws.ToString(upd.ConditionExpression); !strings.Contains(got, "attribute_not_exists") || upd.ExpressionAttributeNames["#closed"] != "closed" {
		t.Errorf("shard condition %q %v, want attribute_not_exists(closed)", got, upd.ExpressionAttributeNames)
	}
	stored := e.rawItem(t, settlementsTable, item{attrPK: avS("MOVE#ev_1"), attrSK: avS("MOVE")})
	r := reader{item: stored}
	if r.str(attrSettleDay) != "2026-03-01" || r.str(attrPGOperationID) != "pgcap_ev_1" || r.int(attrAmount) != 5000 ||
		r.int(attrExpiresAt) != e.clock.Now().Add(400*24*time.Hour).Unix() || r.err != nil {
		t.Errorf("movement record %v (%v): want its day, PG id, amount and a 400-day TTL", stored, r.err)
	}
	agg := e.rawItem(t, settlementsTable, item{attrPK: avS("AGG#m_a#2026-03-01"), attrSK: avS(shard)})
	r = reader{item: agg}
	if r.int("gross_KRW") != 5000 || r.int("captures_KRW") != 1 || r.err != nil {
		t.Errorf("shard %v (%v), want gross_KRW 5000 and captures_KRW 1", agg, r.err)
	}
}

// A hot merchant's day spreads over the 8 shards: no shard takes much more than its share.
func TestSettlements_HotMerchantSpread(t *testing.T) {
	t.Parallel()
	const n = 8000
	counts := make([]int, settlementShards)
	for i := range n {
		counts[settlementShard(fmt.Sprintf("%08x-5d1e-4c2a-9f00-%012d", i*7919, i))]++
	}
	for s, c := range counts {
		if c < n/settlementShards*8/10 || c > n/settlementShards*12/10 {
			t.Errorf("shard %d got %d of %d movements, want within 20%% of %d", s, c, n, n/settlementShards)
		}
	}
}

// Closing a merchant-day writes all 8 shards, creating the ones no movement reached, and
// each reads closed afterwards.
func TestSettlements_CloseWritesEveryShard(t *testing.T) {
	t.Parallel()
	e := newSettlementEnv(t)
	rc := &recorder{}
	s := e.settlementsStore(nil, Options{Meter: rc.meter})
	ctx := ctxT(t)
	if _, err := s.Record(ctx, settlementtest.Capture("ev_1", "m_a", "KRW", 10, settlementtest.At0), settlementtest.Day0); err != nil {
		t.Fatal(err)
	}
	rc.calls = nil
	if _, err := s.CloseDay(ctx, "m_a", settlementtest.Day0); err != nil {
		t.Fatal(err)
	}
	if len(rc.calls) != settlementShards {
		t.Errorf("close made %d calls, want one UpdateItem per shard (%d)", len(rc.calls), settlementShards)
	}
	for _, c := range rc.calls {
		if c.op != "UpdateItem" || c.wcu != 1 {
			t.Errorf("close call %+v, want an UpdateItem of 1 WCU", c)
		}
	}
	for shard := range settlementShards {
		it := e.rawItem(t, settlementsTable, item{attrPK: avS("AGG#m_a#2026-03-01"), attrSK: avS(aggregateSK(shard))})
		if v, ok := it[attrClosed].(*types.AttributeValueMemberBOOL); !ok || !v.Value {
			t.Errorf("shard %d after the close: %v, want closed", shard, it)
		}
	}
}

// A movement whose shard is closed is tried on the next day, in a new transaction, and the
// movement record keeps the day it landed in.
func TestSettlements_LateMovementRecordsItsDay(t *testing.T) {
	t.Parallel()
	e := newSettlementEnv(t)
	rec := &recordedTx{}
	s := e.settlementsStore(hookDB{DB: e.db, hook: rec.hook}, Options{})
	ctx := ctxT(t)
	for _, day := range []string{"2026-03-01", "2026-03-02"} {
		if _, err := s.CloseDay(ctx, "m_a", day); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Record(ctx, settlementtest.Refund("ev_late", "m_a", "USD", 99, settlementtest.At0), "2026-03-01")
	if err != nil || got != "2026-03-03" {
		t.Fatalf("Record = %q, %v; want 2026-03-03", got, err)
	}
	if len(rec.txs) != 3 {
		t.Errorf("%d transactions, want one per day tried (3)", len(rec.txs))
	}
	r := reader{item: e.rawItem(t, settlementsTable, item{attrPK: avS("MOVE#ev_late"), attrSK: avS("MOVE")})}
	if r.str(attrSettleDay) != "2026-03-03" || r.str(attrKind) != "refund" {
		t.Errorf("movement record: day %q kind %q, want 2026-03-03 refund", r.str(attrSettleDay), r.str(attrKind))
	}
}

// canceled is a TransactionCanceledException with one reason per action.
func canceled(codes ...string) error {
	reasons := make([]types.CancellationReason, len(codes))
	for i, c := range codes {
		reasons[i].Code = aws.String(c)
	}
	return &types.TransactionCanceledException{Message: aws.String("canceled"), CancellationReasons: reasons}
}

func TestSettlements_RecordFailures(t *testing.T) {
	t.Parallel()
	throttled := &types.ProvisionedThroughputExceededException{Message: aws.String("slow down")}
	tests := []struct {
		name      string
		failFirst int
		failWith  error
		cancelCtx bool
		ok        bool
		calls     int
		wantIs    error
	}{
		{"ConflictThenSuccess", 2, canceled("None", reasonConflict), false, true, 3, nil},
		{"ConflictEveryTime", 100, canceled(reasonConflict, "None"), false, false, settlementAttempts, nil},
		{"Throttled", 1, throttled, false, false, 1, throttled},
		{"CallerGivesUpWhileWaiting", 100, canceled("None", reasonConflict), true, false, 1, context.Canceled},
		{"CanceledWithoutReasons", 1, canceled(), false, false, 1, nil},
		{"RolledTooFar", 1000, canceled("None", reasonConditionFailed), false, false, maxRollDays + 1, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newSettlementEnv(t)
			ctx, cancel := context.WithCancel(ctxT(t))
			defer cancel()
			var calls atomic.Int32
			s := e.settlementsStore(hookDB{DB: e.db, hook: func(op string, in any) error {
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
			day, err := s.Record(ctx, settlementtest.Capture("ev_1", "m_a", "KRW", 700, settlementtest.At0), settlementtest.Day0)
			if tc.ok != (err == nil) || int(calls.Load()) != tc.calls {
				t.Fatalf("Record = (%q, %v) after %d transactions; want ok %v after %d", day, err, calls.Load(), tc.ok, tc.calls)
			}
			if err != nil && (errors.Is(err, settlement.ErrAlreadyRecorded) || day != "") {
				t.Errorf("a failed Record reads as (%q, %v)", day, err)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("Record = %v, want it to wrap %v", err, tc.wantIs)
			}
			if err != nil && !strings.Contains(err.Error(), "ev_1") {
				t.Errorf("error %q does not name the event", err)
			}
			var want []settlement.Totals
			if tc.ok {
				want = []settlement.Totals{{Currency: "KRW", Gross: 700, Captures: 1}}
			}
			got, err := e.settlementsStore(nil, Options{}).CloseDay(ctxT(t), "m_a", settlementtest.Day0)
			if err != nil || len(got) != len(want) || (len(want) > 0 && got[0] != want[0]) {
				t.Errorf("the day after: %+v, %v; want %+v", got, err, want)
			}
		})
	}
}

func TestSettlements_CloseFailures(t *testing.T) {
	t.Parallel()
	conflict := &types.TransactionConflictException{Message: aws.String("busy")}
	throttled := &types.ProvisionedThroughputExceededException{Message: aws.String("slow down")}
	tests := []struct {
		name      string
		failFirst int // UpdateItem calls that fail
		failWith  error
		ok        bool
		wantIs    error
	}{
		{"ConflictThenSuccess", 3, conflict, true, nil},
		{"ConflictEveryTime", 1000, conflict, false, nil},
		{"OneShardThrottled", 1, throttled, false, throttled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newSettlementEnv(t)
			var calls atomic.Int32
			s := e.settlementsStore(hookDB{DB: e.db, hook: func(op string, _ any) error {
				if op == "UpdateItem" && int(calls.Add(1)) <= tc.failFirst {
					return tc.failWith
				}
				return nil
			}}, Options{})
			_, err := s.CloseDay(ctxT(t), "m_a", settlementtest.Day0)
			if tc.ok != (err == nil) {
				t.Fatalf("CloseDay = %v, want ok %v", err, tc.ok)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("CloseDay = %v, want it to wrap %v", err, tc.wantIs)
			}
			if err != nil && !strings.Contains(err.Error(), "closing 2026-03-01 of merchant m_a") {
				t.Errorf("error %q does not say what was being done", err)
			}
		})
	}
	e := newSettlementEnv(t)
	if _, err := e.settlementsStore(nil, Options{}).CloseDay(ctxT(t), "", settlementtest.Day0); err == nil {
		t.Error("closing the day of no merchant: nil error")
	}
}

// Every read and write error of the store comes back wrapped with what was being done,
// and nothing reads as a domain answer it is not.
func TestSettlements_DynamoDBErrorsAreWrapped(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	e := newSettlementEnv(t)
	ctx := ctxT(t)
	b := settlementtest.BatchOf("m_a", settlementtest.Day0, "KRW", 1000, 0, settlementtest.At0)
	if err := e.settlementsStore(nil, Options{}).SaveBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	s := e.settlementsStore(hookDB{DB: e.db, hook: func(string, any) error { return boom }}, Options{})
	calls := map[string]func() error{
		"Record": func() error {
			_, err := s.Record(ctx, settlementtest.Capture("ev_1", "m_a", "KRW", 1, settlementtest.At0), settlementtest.Day0)
			return err
		},
		"CloseDay":    func() error { _, err := s.CloseDay(ctx, "m_a", settlementtest.Day0); return err },
		"SaveBatch":   func() error { return s.SaveBatch(ctx, b) },
		"Batch":       func() error { _, err := s.Batch(ctx, "m_a", b.ID); return err },
		"Batches":     func() error { _, err := s.Batches(ctx, "m_a", "", ""); return err },
		"MarkSettled": func() error { return s.MarkSettled(ctx, settlementtest.Day0) },
		"SettledDays": func() error { _, err := s.SettledDays(ctx, settlementtest.Day0, settlementtest.Day0); return err },
	}
	for name, call := range calls {
		err := call()
		if !errors.Is(err, boom) {
			t.Errorf("%s = %v, want it to wrap the DynamoDB error", name, err)
		}
		if errors.Is(err, settlement.ErrAlreadyRecorded) || errors.Is(err, settlement.ErrBatchExists) {
			t.Errorf("%s = %v reads as a domain answer", name, err)
		}
		if err != nil && err.Error() == boom.Error() {
			t.Errorf("%s returned the bare error", name)
		}
	}
}

// A stored item that does not decode is an error, not a zero.
func TestSettlements_CorruptItems(t *testing.T) {
	t.Parallel()
	e := newSettlementEnv(t)
	ctx := ctxT(t)
	s := e.settlementsStore(nil, Options{})
	puts := []item{
		{attrPK: avS("AGG#m_a#2026-03-01"), attrSK: avS("03"), "gross_KRW": avS("a lot")},
		{attrPK: avS("BATCH#m_a"), attrSK: avS("2026-03-01#KRW"), attrBatchID: avS("stl_20260301_krw")},
		{attrPK: avS("AGG#m_a#2026-03-02"), attrSK: avS("01"), "gross_KRW": avN(1), "captures_KRW": &types.AttributeValueMemberN{Value: "99999999999999999999999"}},
	}
	for _, it := range puts {
		if _, err := e.db.PutItem(ctx, putInput(settlementsTable, it)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CloseDay(ctx, "m_a", "2026-03-01"); !errors.Is(err, errCorruptSettlement) {
		t.Errorf("CloseDay over a corrupt shard: %v, want errCorruptSettlement", err)
	}
	if _, err := s.CloseDay(ctx, "m_a", "2026-03-02"); !errors.Is(err, errCorruptSettlement) {
		t.Errorf("CloseDay over an overflowing count: %v, want errCorruptSettlement", err)
	}
	if _, err := s.Batch(ctx, "m_a", "stl_20260301_krw"); !errors.Is(err, errCorruptSettlement) {
		t.Errorf("Batch of a corrupt item: %v, want errCorruptSettlement", err)
	}
	if _, err := s.Batches(ctx, "m_a", "", ""); !errors.Is(err, errCorruptSettlement) {
		t.Errorf("Batches over a corrupt item: %v, want errCorruptSettlement", err)
	}
	b := settlementtest.BatchOf("m_a", "2026-03-01", "KRW", 10, 0, settlementtest.At0)
	if err := s.SaveBatch(ctx, b); !errors.Is(err, errCorruptSettlement) {
		t.Errorf("SaveBatch over a corrupt batch: %v, want errCorruptSettlement", err)
	}
}

// SaveBatch decides on the batch its refused write returns, or reads it when DynamoDB
// returned none.
func TestSettlements_SaveBatchWithoutReturnedItem(t *testing.T) {
	t.Parallel()
	e := newSettlementEnv(t)
	ctx := ctxT(t)
	b := settlementtest.BatchOf("m_a", settlementtest.Day0, "USD", 1999, 0, settlementtest.At0)
	if err := e.settlementsStore(nil, Options{}).SaveBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	// A DynamoDB that ignores ReturnValuesOnConditionCheckFailure.
	s := e.settlementsStore(hookDB{DB: e.db, hook: func(op string, in any) error {
		if put, ok := in.(*dynamodb.PutItemInput); ok {
			put.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureNone
		}
		return nil
	}}, Options{})
	if err := s.SaveBatch(ctx, b); err != nil {
		t.Errorf("the same batch again: %v", err)
	}
	other := b
	other.Fee++
	other.Net--
	if err := s.SaveBatch(ctx, other); !errors.Is(err, settlement.ErrBatchExists) {
		t.Errorf("another settlement: %v, want ErrBatchExists", err)
	}
}

// 20 recorders of one hot merchant-day race its close through the real SDK: each movement
// lands in exactly one day, and the two days' totals add up to everything recorded.
func TestSettlements_ConcurrentRecordersWhileClosing(t *testing.T) {
	t.Parallel()
	e := newSettlementEnv(t)
	s := e.settlementsStore(nil, Options{})
	ctx := ctxT(t)
	const recorders, each = 20, 20
	var mu sync.Mutex
	byDay := map[string]int64{}
	var wg sync.WaitGroup
	var landed atomic.Int32
	for r := range recorders {
		wg.Go(func() {
			for i := range each {
				m := settlementtest.Capture(fmt.Sprintf("ev_%02d_%02d", r, i), "m_hot", "KRW", 1000+int64(r), settlementtest.At0)
				day, err := s.Record(ctx, m, settlementtest.Day0)
				if err != nil {
					t.Error(err)
					return
				}
				landed.Add(1)
				mu.Lock()
				byDay[day] += m.Amount
				mu.Unlock()
			}
		})
	}
	for landed.Load() < recorders*each/4 && ctx.Err() == nil {
		time.Sleep(200 * time.Microsecond)
	}
	atClose, err := s.CloseDay(ctx, "m_hot", settlementtest.Day0)
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	var total int64
	for day, sum := range byDay {
		got, err := s.CloseDay(ctx, "m_hot", day)
		if err != nil || len(got) != 1 || got[0].Gross != sum {
			t.Errorf("day %s: %+v, %v; want gross %d", day, got, err, sum)
		}
		if day == settlementtest.Day0 && (len(atClose) != 1 || atClose[0].Gross != sum) {
			t.Errorf("the close returned %+v, want gross %d", atClose, sum)
		}
		total += sum
	}
	if want := int64(each) * (1000*recorders + recorders*(recorders-1)/2); total != want {
		t.Errorf("recorded %d in all, want %d", total, want)
	}
	if len(byDay) > 2 {
		t.Errorf("movements landed in %d days, want the day and the next", len(byDay))
	}
	t.Logf("gross by day: %v", byDay)
}
