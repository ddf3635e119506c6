package dynamostore

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/idempotency"
)

func record(owner, hash string, now time.Time) idempotency.Record {
	return idempotency.Record{
		MerchantID: "m_1", Key: "key-1", RequestHash: hash, Status: idempotency.InProgress, Owner: owner,
		LeaseUntil: now.Add(10 * time.Second), ExpiresAt: now.Add(idempotency.TTL),
	}
}

func TestPayments_Claim(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	completeA := func(t *testing.T, s *Payments) {
		err := s.Complete(ctxT(t), idempotency.Completion{
			MerchantID: "m_1", Key: "key-1", Owner: "a", ResponseStatus: 201, ResponseBody: []byte(`{"id":"pay_1"}`),
			ExpiresAt: t0.Add(idempotency.TTL),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		// first is claimed by owner "a" at t0 (then possibly completed); second by "b" at at.
		complete   bool
		secondHash string
		at         time.Time
		wantOwner  string // the record's owner afterwards
		wantClaim  bool   // b's claim succeeds
		wantStatus idempotency.Status
	}{
		{"LeaseAlive", false, "h1", t0.Add(9 * time.Second), "a", false, idempotency.InProgress},
		{"LeaseEndsThisMillisecond", false, "h1", t0.Add(10 * time.Second), "a", false, idempotency.InProgress},
		{"TakeoverAfterTheLease", false, "h1", t0.Add(10*time.Second + time.Millisecond), "b", true, idempotency.InProgress},
		{"NoTakeoverByAnotherRequest", false, "h2", t0.Add(time.Hour), "a", false, idempotency.InProgress},
		{"CompletedIsReturned", true, "h1", t0.Add(time.Hour), "a", false, idempotency.Completed},
		{"CompletedWithAnotherHashIsReturned", true, "h2", t0.Add(time.Hour), "a", false, idempotency.Completed},
		{"ExpiredCountsAsAbsent", true, "h2", t0.Add(idempotency.TTL + time.Second), "b", true, idempotency.InProgress},
		{"ExpiresAtItsSecond", true, "h2", t0.Add(idempotency.TTL), "a", false, idempotency.Completed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			s := e.paymentsStore(nil)
			if existing, err := s.Claim(ctxT(t), record("a", "h1", t0), t0); err != nil || existing != nil {
				t.Fatalf("first Claim: %+v, %v", existing, err)
			}
			if tc.complete {
				completeA(t, s)
			}
			existing, err := s.Claim(ctxT(t), record("b", tc.secondHash, tc.at), tc.at)
			if err != nil {
				t.Fatalf("second Claim: %v", err)
			}
			if (existing == nil) != tc.wantClaim {
				t.Fatalf("second Claim: existing %+v, want claimed=%v", existing, tc.wantClaim)
			}
			if existing != nil {
				if existing.Owner != "a" || existing.RequestHash != "h1" || existing.Status != tc.wantStatus ||
					existing.MerchantID != "m_1" || existing.Key != "key-1" {
					t.Errorf("existing record %+v, want a's %s record of h1", existing, tc.wantStatus)
				}
				if tc.complete && (existing.ResponseStatus != 201 || string(existing.ResponseBody) != `{"id":"pay_1"}`) {
					t.Errorf("existing response %d %q, want the stored one", existing.ResponseStatus, existing.ResponseBody)
				}
				if !tc.complete && !existing.LeaseUntil.Equal(t0.Add(10*time.Second)) {
					t.Errorf("existing lease %v, want %v", existing.LeaseUntil, t0.Add(10*time.Second))
				}
			}
			stored, err := recordFromItem("m_1", "key-1", e.rawItem(t, e.payments, idemKey("m_1", "key-1")))
			if err != nil {
				t.Fatal(err)
			}
			if stored.Owner != tc.wantOwner || stored.Status != tc.wantStatus {
				t.Errorf("stored record: owner %s status %s, want %s %s", stored.Owner, stored.Status, tc.wantOwner, tc.wantStatus)
			}
		})
	}

	t.Run("KeysAreScopedByMerchant", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.paymentsStore(nil)
		for _, m := range []string{"m_1", "m_2"} {
			r := record("a", "h1", t0)
			r.MerchantID = m
			if existing, err := s.Claim(ctxT(t), r, t0); err != nil || existing != nil {
				t.Fatalf("Claim for %s: %+v, %v", m, existing, err)
			}
		}
	})

	t.Run("ZeroExpiryStillKeepsTheKey", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.paymentsStore(nil)
		r := record("a", "h1", t0)
		r.ExpiresAt = time.Time{}
		if _, err := s.Claim(ctxT(t), r, t0); err != nil {
			t.Fatal(err)
		}
		existing, err := s.Claim(ctxT(t), record("b", "h2", t0), t0)
		if err != nil || existing == nil || existing.Owner != "a" {
			t.Fatalf("second Claim: %+v, %v; want a's record", existing, err)
		}
		if !existing.ExpiresAt.Equal(t0.Add(idempotency.TTL)) {
			t.Errorf("expiry %v, want %v", existing.ExpiresAt, t0.Add(idempotency.TTL))
		}
	})
}

// Fifty requests with one key at once: exactly one runs, every other sees its record.
func TestPayments_Claim_Concurrent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.paymentsStore(nil)
	now := e.clock.Now()
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			existing, err := s.Claim(ctxT(t), record(fmt.Sprintf("owner-%d", i), "h1", now), now)
			switch {
			case err != nil:
				t.Errorf("Claim %d: %v", i, err)
			case existing == nil:
				wins.Add(1)
			case existing.Status != idempotency.InProgress || existing.RequestHash != "h1":
				t.Errorf("Claim %d saw %+v", i, existing)
			}
		}()
	}
	wg.Wait()
	if n := wins.Load(); n != 1 {
		t.Fatalf("%d claims won, want exactly 1", n)
	}
}

func TestPayments_Release(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		complete   bool
		releasedBy string
		wantGone   bool
	}{
		{"ByItsOwner", false, "a", true},
		{"ByAnotherOwner", false, "b", false},
		{"CompletedStays", true, "a", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			s := e.paymentsStore(nil)
			if _, err := s.Claim(ctxT(t), record("a", "h1", t0), t0); err != nil {
				t.Fatal(err)
			}
			if tc.complete {
				if err := s.Complete(ctxT(t), idempotency.Completion{MerchantID: "m_1", Key: "key-1", Owner: "a", ResponseStatus: 200}); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Release(ctxT(t), "m_1", "key-1", tc.releasedBy); err != nil {
				t.Fatalf("Release: %v", err)
			}
			gone := e.rawItem(t, e.payments, idemKey("m_1", "key-1")) == nil
			if gone != tc.wantGone {
				t.Errorf("record gone: %v, want %v", gone, tc.wantGone)
			}
			if tc.wantGone {
				// The client may retry with the same key, even with another body.
				if existing, err := s.Claim(ctxT(t), record("c", "h2", t0), t0); err != nil || existing != nil {
					t.Errorf("Claim after Release: %+v, %v", existing, err)
				}
			}
		})
	}

	t.Run("Absent", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		if err := e.paymentsStore(nil).Release(ctxT(t), "m_1", "nope", "a"); err != nil {
			t.Fatalf("Release of an absent record: %v", err)
		}
	})
}

func TestPayments_Complete(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		owner    string
		body     []byte
		before   func(t *testing.T, s *Payments)
		wantCode fault.Code
	}{
		{"OK", "a", []byte(`{"ok":true}`), nil, ""},
		{"EmptyBody", "a", nil, nil, ""},
		{"NotTheOwner", "b", []byte(`{}`), nil, fault.InProgress},
		{"TwiceIsRefused", "a", []byte(`{}`), func(t *testing.T, s *Payments) {
			if err := s.Complete(ctxT(t), idempotency.Completion{MerchantID: "m_1", Key: "key-1", Owner: "a", ResponseStatus: 200}); err != nil {
				t.Fatal(err)
			}
		}, fault.InProgress},
		{"Released", "a", []byte(`{}`), func(t *testing.T, s *Payments) {
			if err := s.Release(ctxT(t), "m_1", "key-1", "a"); err != nil {
				t.Fatal(err)
			}
		}, fault.InProgress},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			s := e.paymentsStore(nil)
			if _, err := s.Claim(ctxT(t), record("a", "h1", t0), t0); err != nil {
				t.Fatal(err)
			}
			if tc.before != nil {
				tc.before(t, s)
			}
			err := s.Complete(ctxT(t), idempotency.Completion{
				MerchantID: "m_1", Key: "key-1", Owner: tc.owner, ResponseStatus: 402, ResponseBody: tc.body,
				ExpiresAt: t0.Add(idempotency.TTL),
			})
			if tc.wantCode != "" {
				if !fault.Is(err, tc.wantCode) {
					t.Fatalf("Complete: got %v, want %s", err, tc.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatalf("Complete: %v", err)
			}
			// What the next request with the key sees.
			existing, err := s.Claim(ctxT(t), record("c", "h1", t0.Add(time.Hour)), t0.Add(time.Hour))
			if err != nil || existing == nil {
				t.Fatalf("Claim after Complete: %+v, %v", existing, err)
			}
			if existing.Status != idempotency.Completed || existing.ResponseStatus != 402 ||
				string(existing.ResponseBody) != string(tc.body) || !existing.LeaseUntil.IsZero() {
				t.Errorf("record %+v, want COMPLETED 402 %q without a lease", existing, tc.body)
			}
		})
	}
}
