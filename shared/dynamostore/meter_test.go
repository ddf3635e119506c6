package dynamostore

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/idempotency"
	"github.com/paylane/paylane/shared/payment"
)

type meterCall struct {
	op       string
	wcu, rcu float64
}

type recorder struct {
	mu    sync.Mutex
	calls []meterCall
}

func (r *recorder) meter(op string, wcu, rcu float64) {
	r.mu.Lock()
	r.calls = append(r.calls, meterCall{op, wcu, rcu})
	r.mu.Unlock()
}

// requestedCapacity reads ReturnConsumedCapacity from any request the stores send.
func requestedCapacity(in any) types.ReturnConsumedCapacity {
	switch in := in.(type) {
	case *dynamodb.GetItemInput:
		return in.ReturnConsumedCapacity
	case *dynamodb.PutItemInput:
		return in.ReturnConsumedCapacity
	case *dynamodb.UpdateItemInput:
		return in.ReturnConsumedCapacity
	case *dynamodb.DeleteItemInput:
		return in.ReturnConsumedCapacity
	case *dynamodb.QueryInput:
		return in.ReturnConsumedCapacity
	case *dynamodb.ScanInput:
		return in.ReturnConsumedCapacity
	case *dynamodb.TransactWriteItemsInput:
		return in.ReturnConsumedCapacity
	}
	return "unknown"
}

func TestOptions_Meter(t *testing.T) {
	t.Parallel()
	for _, metered := range []bool{true, false} {
		t.Run(fmt.Sprint("metered=", metered), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			rec := &recorder{}
			opts := Options{Now: e.clock.Now}
			if metered {
				opts.Meter = rec.meter
			}
			want := types.ReturnConsumedCapacityNone
			if metered {
				want = types.ReturnConsumedCapacityTotal
			}
			db := hookDB{DB: e.db, hook: func(op string, in any) error {
				if got := requestedCapacity(in); got != want {
					t.Errorf("%s asked for capacity %q, want %q", op, got, want)
				}
				return nil
			}}
			ps := NewPayments(db, e.payments, opts)
			ms := NewMerchants(db, e.merchants, opts)
			rc := NewRateCounter(db, e.rateLimit, opts)
			ctx := ctxT(t)
			now := e.clock.Now()
			steps := []func() error{
				func() error {
					_, err := ps.Claim(ctx, idempotency.Record{MerchantID: "m_1", Key: "k", RequestHash: "h", Owner: "o", LeaseUntil: now.Add(time.Second)}, now)
					return err
				},
				func() error {
					p, ev := authorized("pay_1", "m_1", 100, now)
					return ps.Insert(ctx, p, ev, &idempotency.Completion{MerchantID: "m_1", Key: "k", Owner: "o", ResponseStatus: 201})
				},
				func() error { _, err := ps.Get(ctx, "m_1", "pay_1"); return err },
				func() error { _, err := ps.List(ctx, "m_1", payment.ListQuery{}); return err },
				func() error {
					_, err := ps.Claim(ctx, idempotency.Record{MerchantID: "m_1", Key: "k2", RequestHash: "h", Owner: "o", LeaseUntil: now.Add(time.Second)}, now)
					return err
				},
				func() error { return ps.Release(ctx, "m_1", "k2", "o") },
				func() error { return ms.Create(ctx, newMerchant("m_1")) },
				func() error { _, err := ms.List(ctx); return err },
				func() error { _, err := rc.Incr(ctx, "k", now); return err },
			}
			for i, step := range steps {
				if err := step(); err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
			}
			if !metered {
				if len(rec.calls) != 0 {
					t.Errorf("meter called without being set: %v", rec.calls)
				}
				return
			}
			wantOps := []string{"PutItem", "TransactWriteItems", "GetItem", "Query", "PutItem", "DeleteItem", "PutItem", "Scan", "UpdateItem"}
			if len(rec.calls) != len(wantOps) {
				t.Fatalf("meter calls %v, want one per request %v", rec.calls, wantOps)
			}
			for i, c := range rec.calls {
				if c.op != wantOps[i] {
					t.Errorf("call %d: op %s, want %s", i, c.op, wantOps[i])
				}
				isWrite := c.op != "GetItem" && c.op != "Query" && c.op != "Scan"
				if isWrite && (c.wcu <= 0 || c.rcu != 0) || !isWrite && (c.rcu <= 0 || c.wcu != 0) {
					t.Errorf("call %d (%s): wcu %v rcu %v", i, c.op, c.wcu, c.rcu)
				}
			}
			insert := rec.calls[1]
			// A request refused by its condition is still a round trip.
			rec.calls = nil
			if existing, err := ps.Claim(ctx, idempotency.Record{MerchantID: "m_1", Key: "k", RequestHash: "h", Owner: "x"}, now); err != nil || existing == nil {
				t.Fatalf("Claim of a completed key: %+v, %v", existing, err)
			}
			if len(rec.calls) != 1 || rec.calls[0] != (meterCall{"PutItem", 0, 0}) {
				t.Errorf("meter calls of a refused Claim: %v, want one PutItem with no units", rec.calls)
			}
			// The Insert writes three items transactionally (twice the units each) plus the
			// payment's gsi1 entry: at least 6 write units.
			if c := insert; c.wcu < 6 {
				t.Errorf("Insert consumed %v write units, want at least 6", c.wcu)
			}
		})
	}
}

// BenchmarkInsert reports the round trips and write units of one Insert with its
// idempotency completion, the write on the authorize path.
func BenchmarkInsert(b *testing.B) {
	e := newEnv(b)
	rec := &recorder{}
	s := NewPayments(e.db, e.payments, Options{Now: e.clock.Now, Meter: rec.meter})
	ctx := context.Background()
	now := e.clock.Now()
	var wcu float64
	var trips int
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		key := fmt.Sprintf("k%d", i)
		if _, err := s.Claim(ctx, idempotency.Record{MerchantID: "m_1", Key: key, RequestHash: "h", Owner: "o", LeaseUntil: now.Add(time.Minute)}, now); err != nil {
			b.Fatal(err)
		}
		rec.mu.Lock()
		rec.calls = rec.calls[:0]
		rec.mu.Unlock()
		p, ev := authorized(fmt.Sprintf("pay_%d", i), "m_1", 50000, now)
		b.StartTimer()
		if err := s.Insert(ctx, p, ev, &idempotency.Completion{MerchantID: "m_1", Key: key, Owner: "o", ResponseStatus: 201, ResponseBody: []byte(`{"id":"x"}`)}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		rec.mu.Lock()
		for _, c := range rec.calls {
			wcu += c.wcu
		}
		trips += len(rec.calls)
		rec.mu.Unlock()
		b.StartTimer()
	}
	b.ReportMetric(wcu/float64(b.N), "WCU/op")
	b.ReportMetric(float64(trips)/float64(b.N), "roundtrips/op")
}

// With TOTAL, DynamoDB may give only CapacityUnits; they count as the operation's kind.
func TestClient_Report(t *testing.T) {
	t.Parallel()
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name     string
		write    bool
		caps     []*types.ConsumedCapacity
		wcu, rcu float64
	}{
		{"SplitUnits", true, []*types.ConsumedCapacity{{CapacityUnits: f(3), WriteCapacityUnits: f(2), ReadCapacityUnits: f(1)}}, 2, 1},
		{"TotalOnlyWrite", true, []*types.ConsumedCapacity{{CapacityUnits: f(4)}, {CapacityUnits: f(2)}}, 6, 0},
		{"TotalOnlyRead", false, []*types.ConsumedCapacity{{CapacityUnits: f(0.5)}}, 0, 0.5},
		{"Nothing", true, []*types.ConsumedCapacity{nil}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			client{meter: rec.meter}.report("Op", tc.write, tc.caps...)
			if len(rec.calls) != 1 || rec.calls[0] != (meterCall{"Op", tc.wcu, tc.rcu}) {
				t.Errorf("got %v, want Op %v %v", rec.calls, tc.wcu, tc.rcu)
			}
		})
	}
}
