package dynamostore

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/settlement"
)

// costMeter adds up what the stores report while it is on.
type costMeter struct {
	on        atomic.Bool
	mu        sync.Mutex
	wcu, rcu  float64
	calls     int
	callsByOp map[string]int
}

func (m *costMeter) meter(op string, wcu, rcu float64) {
	if !m.on.Load() {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wcu += wcu
	m.rcu += rcu
	m.calls++
	if m.callsByOp == nil {
		m.callsByOp = map[string]int{}
	}
	m.callsByOp[op]++
}

// dayVolume is a generated day of movements, folded as the settlement store folds them:
// per merchant and shard, the per-currency sums a Record of each adds. want is what the
// batches must say.
type dayVolume struct {
	shards map[[2]int]map[string]int64 // (merchant, shard) -> aggregate attribute -> sum
	want   map[[2]string]settlement.Totals
}

// generateDay makes n movements of day spread over the merchants: 70% in KRW, 85%
// captures, each with its own event id. Its first movements are a capture in each currency
// for each merchant, so every day of the same merchants settles the same batches and the
// costs of days compare. Only the folded sums are kept: a million movements fit in a few
// megabytes.
func generateDay(day string, merchants []string, n int, seed uint64) dayVolume {
	v := dayVolume{shards: map[[2]int]map[string]int64{}, want: map[[2]string]settlement.Totals{}}
	eachMovement(day, merchants, n, seed, func(mi int, m settlement.Movement) {
		k := [2]int{mi, settlementShard(m.EventID)}
		if v.shards[k] == nil {
			v.shards[k] = map[string]int64{}
		}
		amountAttr, countAttr := aggregateAttributes(m)
		v.shards[k][amountAttr] += m.Amount
		v.shards[k][countAttr]++
		t := v.want[[2]string{m.MerchantID, m.Currency}]
		t.Currency = m.Currency
		t.Add(m)
		v.want[[2]string{m.MerchantID, m.Currency}] = t
	})
	return v
}

// eachMovement calls fn with the n movements generateDay folds, and their merchant's index.
func eachMovement(day string, merchants []string, n int, seed uint64, fn func(int, settlement.Movement)) {
	r := rand.New(rand.NewPCG(seed, 99))
	at, _ := settlement.ParseDay(day)
	for i := range n {
		mi := r.IntN(len(merchants))
		m := settlement.Movement{
			EventID: fmt.Sprintf("ev_%s_%d", day, i), MerchantID: merchants[mi], PaymentID: fmt.Sprintf("pay_%d", i),
			Currency: "KRW", Kind: settlement.Capture, Amount: 1000 + r.Int64N(1_000_000),
			OccurredAt: at.Add(time.Duration(r.IntN(86400)) * time.Second),
		}
		switch {
		case i < 2*len(merchants):
			mi = i / 2
			m.MerchantID = merchants[mi]
			if i%2 == 1 {
				m.Currency = "USD"
			}
		default:
			if r.IntN(10) >= 7 {
				m.Currency = "USD"
			}
			if r.IntN(100) < 15 {
				m.Kind = settlement.Refund
			}
		}
		fn(mi, m)
	}
}

// seed writes the day's aggregate shards as the Records of its movements would have left
// them, one UpdateItem per shard with the same ADDs; the movement records are left out,
// as settling never reads them. TestSettleDay_SeedIsWhatRecordWrites holds the two equal.
func (v dayVolume) seed(tb testing.TB, db DB, day string, merchants []string) {
	tb.Helper()
	ctx := context.Background()
	keys := slices.SortedFunc(maps.Keys(v.shards), func(a, b [2]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	})
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	var failed atomic.Value
	for _, k := range keys {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			names := map[string]string{"#merchant": attrMerchantID, "#day": attrSettleDay}
			values := item{":merchant": avS(merchants[k[0]]), ":day": avS(day)}
			expr := "SET #merchant = :merchant, #day = :day ADD "
			i := 0
			for _, attr := range slices.Sorted(maps.Keys(v.shards[k])) {
				if i > 0 {
					expr += ", "
				}
				names[fmt.Sprintf("#a%d", i)] = attr
				values[fmt.Sprintf(":v%d", i)] = avN(v.shards[k][attr])
				expr += fmt.Sprintf("#a%d :v%d", i, i)
				i++
			}
			_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName:        aws.String(settlementsTable),
				Key:              item{attrPK: avS(aggregatePK(merchants[k[0]], day)), attrSK: avS(aggregateSK(k[1]))},
				UpdateExpression: aws.String(expr), ExpressionAttributeNames: names, ExpressionAttributeValues: values,
			})
			if err != nil {
				failed.Store(err)
			}
		})
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		tb.Fatalf("seeding %s: %v", day, err)
	}
}

// settleBench is a stack of merchants ready to settle generated days, metered.
type settleBench struct {
	rig       *settlementRig
	meter     *costMeter
	merchants []string
}

func newSettleBench(tb testing.TB, merchants int) *settleBench {
	tb.Helper()
	m := &costMeter{}
	r := newSettlementRig(tb, Options{Meter: m.meter})
	ids := make([]string, merchants)
	for i := range ids {
		ids[i] = fmt.Sprintf("m_%05d", i)
		if err := r.merchants.Create(context.Background(), settledMerchant(ids[i], 250)); err != nil {
			tb.Fatal(err)
		}
	}
	return &settleBench{rig: r, meter: m, merchants: ids}
}

// settle closes day for every merchant with the meter on, and checks each batch against
// the generated movements.
func (s *settleBench) settle(tb testing.TB, day string, v dayVolume) settlement.Summary {
	tb.Helper()
	s.meter.on.Store(true)
	sum, err := s.rig.settler.CloseDay(context.Background(), day, "")
	s.meter.on.Store(false)
	if err != nil {
		tb.Fatal(err)
	}
	if len(sum.Batches) != len(v.want) {
		tb.Fatalf("%d batches, want %d", len(sum.Batches), len(v.want))
	}
	for _, b := range sum.Batches {
		w := v.want[[2]string{b.MerchantID, b.Currency}]
		if b.Gross != w.Gross || b.Refunded != w.Refunded || b.PaymentCount != w.Captures+w.Refunds {
			tb.Fatalf("batch %s of %s: %+v, want the movements' %+v", b.ID, b.MerchantID, b, w)
		}
	}
	return sum
}

// benchDay is the i-th day a benchmark settles: all long over by the env clock's time.
func benchDay(i int) string {
	return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format("2006-01-02")
}

// BenchmarkSettleDay settles a day of N movements across M merchants through the local
// cloud's DynamoDB, in process, and reports the DynamoDB cost of the settle run alone
// (seeding the day is not timed): its write and read units and calls, per run and per
// merchant. They are the same for 100,000 and 1,000,000 movements, because a close reads
// and writes a fixed number of items per merchant:
//
//	go test -run '^$' -bench BenchmarkSettleDay -benchtime 1x ./shared/dynamostore/
func BenchmarkSettleDay(b *testing.B) {
	for _, c := range []struct{ movements, merchants int }{{10_000, 1_000}, {100_000, 1_000}, {1_000_000, 1_000}} {
		b.Run(fmt.Sprintf("movements=%d/merchants=%d", c.movements, c.merchants), func(b *testing.B) {
			s := newSettleBench(b, c.merchants)
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				day := benchDay(i)
				v := generateDay(day, s.merchants, c.movements, uint64(i))
				v.seed(b, s.rig.e.db, day, s.merchants)
				b.StartTimer()
				s.settle(b, day, v)
			}
			b.StopTimer()
			n := float64(b.N)
			b.ReportMetric(s.meter.wcu/n, "WCU/op")
			b.ReportMetric(s.meter.rcu/n, "RCU/op")
			b.ReportMetric(float64(s.meter.calls)/n, "calls/op")
			b.ReportMetric(s.meter.wcu/n/float64(c.merchants), "WCU/merchant")
			b.ReportMetric(s.meter.rcu/n/float64(c.merchants), "RCU/merchant")
		})
	}
}

// The cost of settling a day does not depend on how many movements it holds: the same
// merchants' days of 200 and of 20,000 movements cost the same units and calls.
func TestSettleDay_CostDoesNotGrowWithMovements(t *testing.T) {
	t.Parallel()
	s := newSettleBench(t, 20)
	type cost struct {
		wcu, rcu float64
		calls    int
	}
	var costs []cost
	for i, n := range []int{200, 20_000} {
		day := benchDay(i)
		v := generateDay(day, s.merchants, n, uint64(i))
		v.seed(t, s.rig.e.db, day, s.merchants)
		*s.meter = costMeter{}
		s.settle(t, day, v)
		costs = append(costs, cost{s.meter.wcu, s.meter.rcu, s.meter.calls})
	}
	if costs[0] != costs[1] {
		t.Errorf("settling 200 movements cost %+v, 20,000 cost %+v; want the same", costs[0], costs[1])
	}
	if costs[0].calls == 0 || costs[0].wcu == 0 {
		t.Errorf("nothing was metered: %+v", costs[0])
	}
	// Per merchant with both currencies: the merchant list's share, 8 shard closes, and
	// per currency a read, a save, a journal and nothing else.
	if perMerchant := float64(costs[0].calls) / 20; perMerchant > 8+2*3+1 {
		t.Errorf("%.1f calls per merchant, want at most %d", perMerchant, 8+2*3+1)
	}
}

// The benchmark's seeding leaves exactly the aggregate shards that recording each movement
// with Record leaves.
func TestSettleDay_SeedIsWhatRecordWrites(t *testing.T) {
	t.Parallel()
	merchants := []string{"m_a", "m_b", "m_c"}
	const day, n = "2025-01-01", 400
	seeded, recorded := newSettlementEnv(t), newSettlementEnv(t)
	v := generateDay(day, merchants, n, 5)
	v.seed(t, seeded.db, day, merchants)
	// The same movements, one Record each.
	store := recorded.settlementsStore(nil, Options{})
	eachMovement(day, merchants, n, 5, func(_ int, m settlement.Movement) {
		if _, err := store.Record(ctxT(t), m, day); err != nil {
			t.Fatal(err)
		}
	})
	for _, m := range merchants {
		for shard := range settlementShards {
			key := item{attrPK: avS(aggregatePK(m, day)), attrSK: avS(aggregateSK(shard))}
			a, b := seeded.rawItem(t, settlementsTable, key), recorded.rawItem(t, settlementsTable, key)
			if len(a) == 0 || !maps.EqualFunc(a, b, sameValue) {
				t.Errorf("%s shard %d: seeded %v, recorded %v", m, shard, a, b)
			}
		}
	}
}

// sameValue compares the attribute values the aggregates hold.
func sameValue(a, b types.AttributeValue) bool {
	switch a := a.(type) {
	case *types.AttributeValueMemberS:
		b, ok := b.(*types.AttributeValueMemberS)
		return ok && a.Value == b.Value
	case *types.AttributeValueMemberN:
		b, ok := b.(*types.AttributeValueMemberN)
		return ok && a.Value == b.Value
	}
	return false
}
