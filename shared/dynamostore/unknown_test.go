package dynamostore

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/payment"
)

func pendingAuth(id string, at time.Time) payment.PendingAuthorization {
	return payment.PendingAuthorization{
		PaymentID: id, MerchantID: "m_1", Amount: 12500, Currency: "KRW", PGKey: "authorize:" + id, At: at,
	}
}

func mustRecord(t testing.TB, s *Payments, a payment.PendingAuthorization) {
	t.Helper()
	if err := s.RecordAuthorization(ctxT(t), a); err != nil {
		t.Fatalf("RecordAuthorization %s: %v", a.PaymentID, err)
	}
}

func pendingIDs(as []payment.PendingAuthorization) []string {
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.PaymentID
	}
	return ids
}

// idsInShard returns n payment ids that hash to shard.
func idsInShard(shard, n int, prefix string) []string {
	var ids []string
	for i := 0; len(ids) < n; i++ {
		id := fmt.Sprintf("%s%d", prefix, i)
		if pendingShard(id) == shard {
			ids = append(ids, id)
		}
	}
	return ids
}

func TestPayments_RecordAuthorization(t *testing.T) {
	t.Parallel()

	t.Run("ItemLayout", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.paymentsStore(nil)
		at := time.Date(2026, 3, 1, 11, 59, 0, 5, time.FixedZone("KST", 9*3600))
		a := pendingAuth("pay_1", at)
		mustRecord(t, s, a)

		shard := pendingShard("pay_1")
		raw := e.rawItem(t, e.payments, item{
			attrPK: avS(fmt.Sprintf("UNKNOWN#AUTH#%d", shard)),
			attrSK: avS("2026-03-01T02:59:00.000000005Z#pay_1"),
		})
		if raw == nil {
			t.Fatalf("no item at UNKNOWN#AUTH#%d / 2026-03-01T02:59:00.000000005Z#pay_1", shard)
		}
		r := reader{item: raw}
		if got, want := r.int(attrExpiresAt), at.Add(30*24*time.Hour).Unix(); got != want {
			t.Errorf("expiresAt: got %d, want %d (30 days after the timeout)", got, want)
		}
		got, err := pendingFromItem(raw)
		if err != nil {
			t.Fatal(err)
		}
		if !got.At.Equal(at) {
			t.Errorf("at: got %s, want %s", got.At, at)
		}
		got.At = at
		if !reflect.DeepEqual(got, a) {
			t.Errorf("stored: got %+v, want %+v", got, a)
		}
	})

	t.Run("ShardsSpreadTheKeys", func(t *testing.T) {
		t.Parallel()
		seen := map[int]int{}
		for i := range 800 {
			sh := pendingShard(fmt.Sprintf("pay_%d", i))
			if sh < 0 || sh >= pendingShards {
				t.Fatalf("shard %d out of range", sh)
			}
			seen[sh]++
		}
		for sh := range pendingShards {
			if seen[sh] < 50 {
				t.Errorf("shard %d got %d of 800 ids: the hash does not spread", sh, seen[sh])
			}
		}
	})

	t.Run("RecordingAgainOverwrites", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.paymentsStore(nil)
		a := pendingAuth("pay_1", e.clock.Now().Add(-time.Hour))
		mustRecord(t, s, a)
		mustRecord(t, s, a)
		got, err := s.ListPending(ctxT(t), e.clock.Now(), 10)
		if err != nil || len(got) != 1 {
			t.Fatalf("ListPending: %v, %v; want the one authorization", pendingIDs(got), err)
		}
	})

	t.Run("ErrFromDynamoDB", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		boom := errors.New("boom")
		s := e.paymentsStore(hookDB{DB: e.db, hook: func(string, any) error { return boom }})
		err := s.RecordAuthorization(ctxT(t), pendingAuth("pay_1", e.clock.Now()))
		if !errors.Is(err, boom) || !strings.Contains(err.Error(), "pay_1") {
			t.Errorf("got %v, want the DynamoDB error, naming the payment", err)
		}
	})
}

func TestPayments_ListPending(t *testing.T) {
	t.Parallel()

	t.Run("OldestFirstAcrossShardsBeforeTheCut", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.paymentsStore(nil)
		now := e.clock.Now()
		// pay_i is i+1 minutes old; recorded newest first, so the order of the answer
		// cannot come from the order of the writes.
		for i := range 24 {
			mustRecord(t, s, pendingAuth(fmt.Sprintf("pay_%02d", i), now.Add(-time.Duration(i+1)*time.Minute)))
		}
		// The cut is exclusive: pay_09, exactly 10 minutes old, is not listed.
		got, err := s.ListPending(ctxT(t), now.Add(-10*time.Minute), 100)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for i := 23; i >= 10; i-- {
			want = append(want, fmt.Sprintf("pay_%02d", i))
		}
		if ids := pendingIDs(got); !reflect.DeepEqual(ids, want) {
			t.Errorf("got %v\nwant %v", ids, want)
		}
		for i := 1; i < len(got); i++ {
			if got[i].At.Before(got[i-1].At) {
				t.Errorf("%s (%s) listed after %s (%s)", got[i].PaymentID, got[i].At, got[i-1].PaymentID, got[i-1].At)
			}
		}
		shards := map[int]bool{}
		for _, a := range got {
			shards[pendingShard(a.PaymentID)] = true
		}
		if len(shards) < 2 {
			t.Errorf("the test's ids fell in %d shard: it proves nothing about merging", len(shards))
		}
	})

	t.Run("LimitKeepsTheOldestOverall", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.paymentsStore(nil)
		now := e.clock.Now()
		for i := range 30 {
			mustRecord(t, s, pendingAuth(fmt.Sprintf("pay_%02d", i), now.Add(-time.Duration(i+1)*time.Second)))
		}
		got, err := s.ListPending(ctxT(t), now, 4)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"pay_29", "pay_28", "pay_27", "pay_26"}; !reflect.DeepEqual(pendingIDs(got), want) {
			t.Errorf("got %v, want %v", pendingIDs(got), want)
		}
	})

	t.Run("ExpiredAreLeftOutAndPagesAreFollowed", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.paymentsStore(nil)
		now := e.clock.Now()
		// One shard: five expired items sort before the two live ones, so the first
		// pages hold nothing that passes the filter.
		ids := idsInShard(3, 7, "pay_")
		for i, id := range ids[:5] {
			mustRecord(t, s, pendingAuth(id, now.Add(-31*24*time.Hour+time.Duration(i)*time.Second)))
		}
		for i, id := range ids[5:] {
			mustRecord(t, s, pendingAuth(id, now.Add(-time.Hour+time.Duration(i)*time.Second)))
		}
		got, err := s.ListPending(ctxT(t), now, 2)
		if err != nil {
			t.Fatal(err)
		}
		if want := ids[5:]; !reflect.DeepEqual(pendingIDs(got), want) {
			t.Errorf("got %v, want the live ones %v", pendingIDs(got), want)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		got, err := e.paymentsStore(nil).ListPending(ctxT(t), e.clock.Now(), 10)
		if err != nil || len(got) != 0 {
			t.Errorf("got %v, %v; want nothing", got, err)
		}
	})

	t.Run("ErrInvalidLimit", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		for _, limit := range []int{0, -1} {
			_, err := e.paymentsStore(nil).ListPending(ctxT(t), e.clock.Now(), limit)
			if !fault.Is(err, fault.Invalid) {
				t.Errorf("limit %d: got %v, want invalid_request", limit, err)
			}
		}
	})

	t.Run("ErrFromDynamoDB", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		boom := errors.New("boom")
		s := e.paymentsStore(hookDB{DB: e.db, hook: func(op string, _ any) error {
			if op == "Query" {
				return boom
			}
			return nil
		}})
		if _, err := s.ListPending(ctxT(t), e.clock.Now(), 10); !errors.Is(err, boom) {
			t.Errorf("got %v, want the DynamoDB error", err)
		}
	})

	t.Run("ErrCorruptItem", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.paymentsStore(nil)
		a := pendingAuth("pay_1", e.clock.Now().Add(-time.Hour))
		it := pendingKey(a)
		it[attrID] = avS("pay_1")
		it[attrExpiresAt] = avN(e.clock.Now().Add(time.Hour).Unix())
		if _, err := e.db.PutItem(ctxT(t), putInput(e.payments, it)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ListPending(ctxT(t), e.clock.Now(), 10); err == nil || !strings.Contains(err.Error(), "merchantId") {
			t.Errorf("got %v, want an error naming the missing attribute", err)
		}
	})
}

func TestPayments_Resolve(t *testing.T) {
	t.Parallel()

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.paymentsStore(nil)
		now := e.clock.Now()
		a, b := pendingAuth("pay_a", now.Add(-2*time.Hour)), pendingAuth("pay_b", now.Add(-time.Hour))
		mustRecord(t, s, a)
		mustRecord(t, s, b)
		listed, err := s.ListPending(ctxT(t), now, 10)
		if err != nil {
			t.Fatal(err)
		}
		// Resolve what ListPending returned, as the janitor does: its At must name the
		// stored item exactly.
		if err := s.Resolve(ctxT(t), listed[0]); err != nil {
			t.Fatalf("Resolve: %v", err)
		}
		got, err := s.ListPending(ctxT(t), now, 10)
		if err != nil || !reflect.DeepEqual(pendingIDs(got), []string{"pay_b"}) {
			t.Errorf("after resolving pay_a: %v, %v; want [pay_b]", pendingIDs(got), err)
		}
		if err := s.Resolve(ctxT(t), listed[0]); err != nil {
			t.Errorf("resolving again: %v, want nil", err)
		}
	})

	t.Run("ErrFromDynamoDB", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		boom := errors.New("boom")
		s := e.paymentsStore(hookDB{DB: e.db, hook: func(string, any) error { return boom }})
		if err := s.Resolve(ctxT(t), pendingAuth("pay_1", e.clock.Now())); !errors.Is(err, boom) {
			t.Errorf("got %v, want the DynamoDB error", err)
		}
	})
}

// FuzzPendingSKOrder: string order of the sort keys is time order, whatever the zone of
// the times given, which is what the sk < olderThan condition relies on.
func FuzzPendingSKOrder(f *testing.F) {
	f.Add(int64(0), int64(1), int32(0), "a", "b")
	f.Add(int64(1_700_000_000_000_000_000), int64(-5), int32(9*3600), "pay_1", "pay_0")
	f.Fuzz(func(t *testing.T, base, delta int64, zone int32, id1, id2 string) {
		// Years 1970..2262 are what UnixNano can hold: the fixed width needs 4-digit years.
		if base < 0 || delta == 0 || base+delta < 0 || (delta > 0 && base+delta < base) {
			return
		}
		loc := time.FixedZone("z", int(zone%(18*3600)))
		t1 := time.Unix(0, base).In(loc)
		t2 := time.Unix(0, base+delta).In(time.UTC)
		k1, k2 := pendingSK(t1, id1), pendingSK(t2, id2)
		cut := t2.UTC().Format(gsi1Time)
		if t1.Before(t2) != (k1 < cut) {
			t.Errorf("%s before %s is %v, but key %q < cut %q is %v", t1, t2, t1.Before(t2), k1, cut, k1 < cut)
		}
		if t1.Before(t2) && k1 >= k2 {
			t.Errorf("key %q of %s does not sort before %q of %s", k1, t1, k2, t2)
		}
	})
}
