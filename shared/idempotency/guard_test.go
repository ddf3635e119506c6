package idempotency

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/fault"
)

// storeFuncs is a Store made of functions, so each test says only what it needs.
type storeFuncs struct {
	claim   func(ctx context.Context, r Record, now time.Time) (*Record, error)
	release func(ctx context.Context, merchantID, key, owner string) error
}

func (s storeFuncs) Claim(ctx context.Context, r Record, now time.Time) (*Record, error) {
	return s.claim(ctx, r, now)
}
func (s storeFuncs) Release(ctx context.Context, m, k, o string) error {
	return s.release(ctx, m, k, o)
}
func (s storeFuncs) Complete(ctx context.Context, c Completion) error { return errors.New("unused") }

func TestGuardBegin(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	hash := RequestHash("POST", "/v1/payments", []byte(`{"a":1}`))
	tests := []struct {
		name       string
		key        string
		existing   *Record
		storeErr   error
		wantCode   fault.Code
		wantReplay bool
		wantTicket bool
	}{
		{name: "claimed", key: "k1", wantTicket: true},
		{name: "completed is replayed", key: "k1", existing: &Record{RequestHash: hash, Status: Completed, ResponseStatus: 201, ResponseBody: []byte("{}")}, wantReplay: true},
		{name: "other request", key: "k1", existing: &Record{RequestHash: "other", Status: Completed}, wantCode: fault.KeyReused},
		{name: "other request in progress", key: "k1", existing: &Record{RequestHash: "other", Status: InProgress}, wantCode: fault.KeyReused},
		{name: "in progress", key: "k1", existing: &Record{RequestHash: hash, Status: InProgress, LeaseUntil: now.Add(time.Second)}, wantCode: fault.InProgress},
		{name: "empty key", key: "", wantCode: fault.KeyMissing},
		{name: "key too long", key: string(make([]byte, 256)), wantCode: fault.KeyMissing},
		{name: "key with control character", key: "a\nb", wantCode: fault.KeyMissing},
		{name: "store down", key: "k1", storeErr: errors.New("throttled"), wantCode: fault.Internal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var claimed Record
			g := &Guard{Now: func() time.Time { return now }, DefaultLease: 30 * time.Second, Store: storeFuncs{
				claim: func(ctx context.Context, r Record, at time.Time) (*Record, error) {
					claimed = r
					return tc.existing, tc.storeErr
				},
			}}
			ticket, replay, err := g.Begin(context.Background(), "m_demo", tc.key, "POST", "/v1/payments", []byte(`{"a":1}`))
			if tc.wantCode != "" {
				if fault.CodeOf(err) != tc.wantCode {
					t.Fatalf("err = %v, want %s", err, tc.wantCode)
				}
				return
			}
			if err != nil || (ticket != nil) != tc.wantTicket || (replay != nil) != tc.wantReplay {
				t.Fatalf("ticket %v replay %v err %v", ticket, replay, err)
			}
			if tc.wantReplay && (replay.Status != 201 || string(replay.Body) != "{}") {
				t.Errorf("replay %+v", replay)
			}
			if tc.wantTicket {
				if claimed.Status != InProgress || claimed.RequestHash != hash || claimed.Owner == "" ||
					!claimed.LeaseUntil.Equal(now.Add(30*time.Second)) || !claimed.ExpiresAt.Equal(now.Add(TTL)) {
					t.Errorf("claimed %+v", claimed)
				}
				c := ticket.Complete(201, []byte("body"))
				if c.Owner != claimed.Owner || c.ResponseStatus != 201 || c.Key != "k1" || c.MerchantID != "m_demo" {
					t.Errorf("completion %+v", c)
				}
			}
		})
	}
}

func TestLeaseFollowsTheInvocationDeadline(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	deadline := now.Add(7 * time.Second)
	var lease time.Time
	g := &Guard{Now: func() time.Time { return now }, DefaultLease: time.Minute, Store: storeFuncs{
		claim: func(ctx context.Context, r Record, at time.Time) (*Record, error) {
			lease = r.LeaseUntil
			return nil, nil
		},
	}}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if _, _, err := g.Begin(ctx, "m", "k", "POST", "/", nil); err != nil {
		t.Fatal(err)
	}
	if !lease.Equal(deadline) {
		t.Errorf("lease until %s, want the invocation's deadline %s", lease, deadline)
	}
}

func TestRequestHash(t *testing.T) {
	t.Parallel()
	a := RequestHash("POST", "/v1/payments", []byte("x"))
	for _, other := range []string{
		RequestHash("PUT", "/v1/payments", []byte("x")),
		RequestHash("POST", "/v1/payment", []byte("x")),
		RequestHash("POST", "/v1/payments", []byte("y")),
		RequestHash("POST", "/v1/paymentsx", nil), // the separator keeps fields apart
	} {
		if other == a {
			t.Errorf("different requests share hash %s", a)
		}
	}
	if a != RequestHash("POST", "/v1/payments", []byte("x")) {
		t.Error("hash is not stable")
	}
}
