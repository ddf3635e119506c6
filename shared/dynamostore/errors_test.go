package dynamostore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/idempotency"
	"github.com/paylane/paylane/shared/merchant"
	"github.com/paylane/paylane/shared/payment"
)

// Every DynamoDB failure that is not a condition the domain knows comes back wrapped with
// what was being done, still readable with errors.Is/As, and with no fault code: the
// client sees "internal", the log sees the cause.
func TestStores_DynamoDBErrorsAreWrapped(t *testing.T) {
	t.Parallel()
	throttled := &types.ProvisionedThroughputExceededException{Message: aws.String("slow down")}
	otherCancel := &types.TransactionCanceledException{CancellationReasons: []types.CancellationReason{
		{Code: aws.String("None")}, {Code: aws.String("ThrottlingError")},
	}}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	p, ev := authorized("pay_1", "m_1", 100, now)
	done := &idempotency.Completion{MerchantID: "m_1", Key: "k", Owner: "o"}

	tests := []struct {
		name     string
		failOp   string
		failWith error
		call     func(ctx context.Context, ps *Payments, ms *Merchants, rc *RateCounter) error
		wantMsg  string
	}{
		{"Insert", "TransactWriteItems", throttled, func(ctx context.Context, ps *Payments, _ *Merchants, _ *RateCounter) error {
			return ps.Insert(ctx, p, ev, done)
		}, "inserting payment pay_1"},
		{"InsertCancelledForAnotherReason", "TransactWriteItems", otherCancel, func(ctx context.Context, ps *Payments, _ *Merchants, _ *RateCounter) error {
			return ps.Insert(ctx, p, ev, nil)
		}, "inserting payment pay_1"},
		{"Update", "TransactWriteItems", throttled, func(ctx context.Context, ps *Payments, _ *Merchants, _ *RateCounter) error {
			return ps.Update(ctx, p, []payment.Event{ev}, nil)
		}, "updating payment pay_1"},
		{"ReserveRefund", "TransactWriteItems", throttled, func(ctx context.Context, ps *Payments, _ *Merchants, _ *RateCounter) error {
			return ps.ReserveRefund(ctx, p, payment.Refund{ID: "rf_1", Amount: 1}, ev, nil)
		}, "reserving refund rf_1"},
		{"Get", "GetItem", throttled, func(ctx context.Context, ps *Payments, _ *Merchants, _ *RateCounter) error {
			_, err := ps.Get(ctx, "m_1", "pay_1")
			return err
		}, "reading payment pay_1"},
		{"List", "Query", throttled, func(ctx context.Context, ps *Payments, _ *Merchants, _ *RateCounter) error {
			_, err := ps.List(ctx, "m_1", payment.ListQuery{})
			return err
		}, "listing payments of merchant m_1"},
		{"Claim", "PutItem", throttled, func(ctx context.Context, ps *Payments, _ *Merchants, _ *RateCounter) error {
			_, err := ps.Claim(ctx, idempotency.Record{MerchantID: "m_1", Key: "k"}, now)
			return err
		}, `claiming idempotency key "k" of merchant m_1`},
		{"Release", "DeleteItem", throttled, func(ctx context.Context, ps *Payments, _ *Merchants, _ *RateCounter) error {
			return ps.Release(ctx, "m_1", "k", "o")
		}, `releasing idempotency key "k" of merchant m_1`},
		{"Complete", "UpdateItem", throttled, func(ctx context.Context, ps *Payments, _ *Merchants, _ *RateCounter) error {
			return ps.Complete(ctx, *done)
		}, `completing idempotency key "k" of merchant m_1`},
		{"MerchantGet", "GetItem", throttled, func(ctx context.Context, _ *Payments, ms *Merchants, _ *RateCounter) error {
			_, err := ms.Get(ctx, "m_1")
			return err
		}, "reading merchant m_1"},
		{"MerchantCreate", "PutItem", throttled, func(ctx context.Context, _ *Payments, ms *Merchants, _ *RateCounter) error {
			return ms.Create(ctx, merchant.Merchant{ID: "m_1"})
		}, "creating merchant m_1"},
		{"MerchantUpdateRead", "GetItem", throttled, func(ctx context.Context, _ *Payments, ms *Merchants, _ *RateCounter) error {
			_, err := ms.Update(ctx, "m_1", func(*merchant.Merchant) error { return nil })
			return err
		}, "reading merchant m_1"},
		{"MerchantUpdateWrite", "PutItem", throttled, func(ctx context.Context, _ *Payments, ms *Merchants, _ *RateCounter) error {
			_, err := ms.Update(ctx, "m_1", func(*merchant.Merchant) error { return nil })
			return err
		}, "updating merchant m_1"},
		{"MerchantList", "Scan", throttled, func(ctx context.Context, _ *Payments, ms *Merchants, _ *RateCounter) error {
			_, err := ms.List(ctx)
			return err
		}, "listing merchants"},
		{"Incr", "UpdateItem", throttled, func(ctx context.Context, _ *Payments, _ *Merchants, rc *RateCounter) error {
			_, err := rc.Incr(ctx, "RL#k", now)
			return err
		}, "counting RL#k"},
	}
	e := newEnv(t)
	// Real data behind the failing calls, so each call reaches the step that fails.
	if err := e.merchantsStore(nil).Create(context.Background(), newMerchant("m_1")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := hookDB{DB: e.db, hook: func(op string, _ any) error {
				if op == tc.failOp {
					return tc.failWith
				}
				return nil
			}}
			ps := NewPayments(db, e.payments, Options{Now: e.clock.Now})
			ms := NewMerchants(db, e.merchants, Options{Now: e.clock.Now})
			rc := NewRateCounter(db, e.rateLimit, Options{})
			err := tc.call(ctxT(t), ps, ms, rc)
			if !errors.Is(err, tc.failWith) {
				t.Fatalf("got %v, want it to wrap %v", err, tc.failWith)
			}
			if !strings.HasPrefix(err.Error(), tc.wantMsg) {
				t.Errorf("message %q does not start with %q", err.Error(), tc.wantMsg)
			}
			if code := fault.CodeOf(err); code != fault.Internal {
				t.Errorf("code %s, want internal", code)
			}
			if errors.Is(err, payment.ErrConflict) {
				t.Errorf("%v reads as a conflict", err)
			}
		})
	}
}

// A transaction's conflict with another transaction means the payment is being changed:
// Insert and Update report it as ErrConflict, so the caller reads again.
func TestPayments_TransactionConflictIsErrConflict(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conflict := &types.TransactionCanceledException{CancellationReasons: []types.CancellationReason{
		{Code: aws.String("None")}, {Code: aws.String(reasonConflict)},
	}}
	s := e.paymentsStore(hookDB{DB: e.db, hook: func(op string, _ any) error {
		if op == "TransactWriteItems" {
			return conflict
		}
		return nil
	}})
	p, ev := authorized("pay_1", "m_1", 100, e.clock.Now())
	for name, err := range map[string]error{
		"Insert": s.Insert(ctxT(t), p, ev, nil),
		"Update": s.Update(ctxT(t), p, []payment.Event{ev}, nil),
	} {
		if !errors.Is(err, payment.ErrConflict) {
			t.Errorf("%s: got %v, want ErrConflict", name, err)
		}
	}
}

// A stored item that does not decode is reported, never returned half-read.
func TestPayments_CorruptItemIsAnError(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.paymentsStore(nil)
	p, ev := authorized("pay_1", "m_1", 100, e.clock.Now())
	mustInsert(t, s, p, ev)
	it := e.rawItem(t, e.payments, paymentKey("pay_1"))
	it["amount"] = avS("a lot")
	if _, err := e.db.PutItem(ctxT(t), putInput(e.payments, it)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctxT(t), "m_1", "pay_1"); err == nil || fault.CodeOf(err) != fault.Internal {
		t.Errorf("Get: got %+v, %v; want an internal error", got, err)
	}
	if page, err := s.List(ctxT(t), "m_1", payment.ListQuery{}); err == nil || fault.CodeOf(err) != fault.Internal {
		t.Errorf("List: got %+v, %v; want an internal error", page, err)
	}
}

// Claim can only answer "not claimed" with the record in the way; without it, or with one
// that does not decode, it fails rather than let the request run or guess a response.
func TestPayments_Claim_UnreadableExisting(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		err  error
	}{
		{"NoItem", &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}},
		{"CorruptItem", &types.ConditionalCheckFailedException{Item: item{"pk": avS("IDEM#m_1#k"), "status": avN(1)}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			s := e.paymentsStore(hookDB{DB: e.db, hook: func(string, any) error { return tc.err }})
			existing, err := s.Claim(ctxT(t), idempotency.Record{MerchantID: "m_1", Key: "k", RequestHash: "h", Owner: "o"}, now)
			if err == nil || existing != nil || fault.CodeOf(err) != fault.Internal {
				t.Fatalf("Claim: got %+v, %v; want an internal error", existing, err)
			}
			if !strings.HasPrefix(err.Error(), `claiming idempotency key "k" of merchant m_1`) {
				t.Errorf("message %q says not what was being done", err)
			}
		})
	}
}
