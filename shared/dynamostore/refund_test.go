package dynamostore

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/idempotency"
	"github.com/paylane/paylane/shared/payment"
)

// requestRefund reads the payment and asks the domain for a refund of amount, as the
// refund endpoint does.
func requestRefund(t testing.TB, s *Payments, merchantID, paymentID, refundID string, amount int64, now time.Time) (*payment.Payment, payment.Refund, payment.Event) {
	t.Helper()
	p, err := s.Get(ctxT(t), merchantID, paymentID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	r, ev, err := p.RequestRefund(refundID, amount, "reason "+refundID, "ev_"+refundID, now)
	if err != nil {
		t.Fatalf("RequestRefund: %v", err)
	}
	return p, r, ev
}

func TestPayments_ReserveRefund(t *testing.T) {
	t.Parallel()

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.paymentsStore(nil)
		captured(t, s, "pay_1", "m_1", 1000, e.clock.Now())
		done := claimed(t, e, s, "m_1", "key-rf", "owner-a")
		e.clock.Advance(time.Minute)
		p, r, ev := requestRefund(t, s, "m_1", "pay_1", "rf_1", 300, e.clock.Now())
		if err := s.ReserveRefund(ctxT(t), p, r, ev, done); err != nil {
			t.Fatalf("ReserveRefund: %v", err)
		}
		got, err := s.Get(ctxT(t), "m_1", "pay_1")
		if err != nil {
			t.Fatal(err)
		}
		assertPaymentEqual(t, got, p)
		if got.RefundReserved != 300 || got.Refundable() != 700 || got.Version != 4 {
			t.Errorf("stored: reserved %d refundable %d version %d, want 300 700 4", got.RefundReserved, got.Refundable(), got.Version)
		}
		outbox := e.outboxItems(t, "pay_1")
		assertOutbox(t, outbox[len(outbox)-1], ev, e.clock.Now())
		rec, _ := recordFromItem("m_1", "key-rf", e.rawItem(t, e.payments, idemKey("m_1", "key-rf")))
		if rec.Status != idempotency.Completed {
			t.Errorf("idempotency record %s, want COMPLETED", rec.Status)
		}
	})

	t.Run("SeveralPartialRefundsUpToTheCapturedAmount", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.paymentsStore(nil)
		captured(t, s, "pay_1", "m_1", 1000, e.clock.Now())
		for i, amount := range []int64{400, 400, 200} {
			p, r, ev := requestRefund(t, s, "m_1", "pay_1", fmt.Sprintf("rf_%d", i), amount, e.clock.Now())
			if err := s.ReserveRefund(ctxT(t), p, r, ev, nil); err != nil {
				t.Fatalf("refund %d of %d: %v", i, amount, err)
			}
		}
		// A stale read that still believes 200 remain: the store holds the line.
		p, _ := s.Get(ctxT(t), "m_1", "pay_1")
		p.RefundReserved = 800
		r, ev, err := p.RequestRefund("rf_late", 200, "", "ev_late", e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		err = s.ReserveRefund(ctxT(t), p, r, ev, nil)
		if !fault.Is(err, fault.AmountExceeds) {
			t.Fatalf("refund past the captured amount: got %v, want %s", err, fault.AmountExceeds)
		}
		got, _ := s.Get(ctxT(t), "m_1", "pay_1")
		if got.RefundReserved != 1000 || len(got.Refunds) != 3 {
			t.Errorf("stored: reserved %d with %d refunds, want 1000 with 3", got.RefundReserved, len(got.Refunds))
		}
	})

	// Refusals: the domain allowed the refund on what it read, the store refuses it on
	// what is stored now.
	refusals := []struct {
		name     string
		change   func(t *testing.T, e *env, s *Payments) // what happened after the read
		merchant string
		wantCode fault.Code
	}{
		{"AmountExceeds", func(t *testing.T, e *env, s *Payments) {
			p, r, ev := requestRefund(t, s, "m_1", "pay_1", "rf_other", 900, e.clock.Now())
			if err := s.ReserveRefund(ctxT(t), p, r, ev, nil); err != nil {
				t.Fatal(err)
			}
		}, "m_1", fault.AmountExceeds},
		{"FullyRefundedMeanwhile", func(t *testing.T, e *env, s *Payments) {
			p, r, ev := requestRefund(t, s, "m_1", "pay_1", "rf_other", 1000, e.clock.Now())
			if err := s.ReserveRefund(ctxT(t), p, r, ev, nil); err != nil {
				t.Fatal(err)
			}
			p, _ = s.Get(ctxT(t), "m_1", "pay_1")
			ev, err := p.RefundSucceeded("rf_other", "pgrf_other", "ev_done", e.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Update(ctxT(t), p, []payment.Event{ev}, nil); err != nil {
				t.Fatal(err)
			}
		}, "m_1", fault.InvalidState},
		{"AnotherMerchant", func(t *testing.T, e *env, s *Payments) {}, "m_2", fault.NotFound},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			s := e.paymentsStore(nil)
			captured(t, s, "pay_1", "m_1", 1000, e.clock.Now())
			p, r, ev := requestRefund(t, s, "m_1", "pay_1", "rf_1", 500, e.clock.Now())
			tc.change(t, e, s)
			before, _ := s.Get(ctxT(t), "m_1", "pay_1")
			p.MerchantID = tc.merchant
			err := s.ReserveRefund(ctxT(t), p, r, ev, nil)
			if !fault.Is(err, tc.wantCode) {
				t.Fatalf("ReserveRefund: got %v, want %s", err, tc.wantCode)
			}
			after, _ := s.Get(ctxT(t), "m_1", "pay_1")
			assertPaymentEqual(t, after, before)
			for _, it := range e.outboxItems(t, "pay_1") {
				if (&reader{item: it}).str("eventId") == ev.ID {
					t.Errorf("the refused refund's event was recorded")
				}
			}
		})
	}

	t.Run("InvalidStateWhenNotCaptured", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.paymentsStore(nil)
		p, ev := authorized("pay_1", "m_1", 1000, e.clock.Now())
		mustInsert(t, s, p, ev)
		// Bypass the domain's own check: the store must refuse on its own.
		p.Refunds = append(p.Refunds, payment.Refund{ID: "rf_1", Amount: 10, Status: payment.RefundRequested})
		err := s.ReserveRefund(ctxT(t), p, p.Refunds[0], payment.Event{ID: "ev_rf", PaymentID: "pay_1"}, nil)
		if !fault.Is(err, fault.InvalidState) {
			t.Fatalf("ReserveRefund of an AUTHORIZED payment: got %v, want %s", err, fault.InvalidState)
		}
	})

	t.Run("NotFoundWhenAbsent", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.paymentsStore(nil)
		p := &payment.Payment{ID: "pay_nope", MerchantID: "m_1", CapturedAmount: 100}
		err := s.ReserveRefund(ctxT(t), p, payment.Refund{ID: "rf_1", Amount: 10}, payment.Event{ID: "ev", PaymentID: "pay_nope"}, nil)
		if !fault.Is(err, fault.NotFound) {
			t.Fatalf("ReserveRefund of an absent payment: got %v, want %s", err, fault.NotFound)
		}
	})

	t.Run("InProgressWhenTheKeyWasTakenOver", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.paymentsStore(nil)
		captured(t, s, "pay_1", "m_1", 1000, e.clock.Now())
		done := claimed(t, e, s, "m_1", "key-rf", "owner-b")
		done.Owner = "owner-a"
		p, r, ev := requestRefund(t, s, "m_1", "pay_1", "rf_1", 100, e.clock.Now())
		if err := s.ReserveRefund(ctxT(t), p, r, ev, done); !fault.Is(err, fault.InProgress) {
			t.Fatalf("ReserveRefund: got %v, want %s", err, fault.InProgress)
		}
		got, _ := s.Get(ctxT(t), "m_1", "pay_1")
		if got.RefundReserved != 0 || len(got.Refunds) != 0 {
			t.Errorf("refund reserved despite the failed completion: %d, %d refunds", got.RefundReserved, len(got.Refunds))
		}
	})
}

// Twenty refunds of one payment at once, summing to more than was captured: those
// accepted never exceed the captured amount, and the stored list is exactly them.
func TestPayments_ReserveRefund_Concurrent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.paymentsStore(nil)
	const capturedAmount = 10_000
	captured(t, s, "pay_1", "m_1", capturedAmount, e.clock.Now())

	amounts := make([]int64, 20)
	for i := range amounts {
		amounts[i] = int64(700 + 37*i) // 20 refunds, 21,030 in all
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		accepted = map[string]int64{}
	)
	for i, amount := range amounts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("rf_%02d", i)
			// Every request reads the payment before any refund lands.
			p, err := s.Get(ctxT(t), "m_1", "pay_1")
			if err != nil {
				t.Error(err)
				return
			}
			p.RefundReserved, p.Refunds = 0, nil
			r, ev, err := p.RequestRefund(id, amount, "", "ev_"+id, e.clock.Now())
			if err != nil {
				t.Error(err)
				return
			}
			err = s.ReserveRefund(ctxT(t), p, r, ev, nil)
			switch {
			case err == nil:
				mu.Lock()
				accepted[id] = amount
				mu.Unlock()
			case !fault.Is(err, fault.AmountExceeds):
				t.Errorf("refund %s: %v, want success or %s", id, err, fault.AmountExceeds)
			}
		}()
	}
	wg.Wait()

	var sum int64
	for _, a := range accepted {
		sum += a
	}
	if sum > capturedAmount {
		t.Fatalf("accepted refunds sum to %d, more than the %d captured", sum, capturedAmount)
	}
	if len(accepted) == 0 || len(accepted) == len(amounts) {
		t.Fatalf("accepted %d of %d refunds: the test proves nothing", len(accepted), len(amounts))
	}
	got, _ := s.Get(ctxT(t), "m_1", "pay_1")
	if got.RefundReserved != sum {
		t.Errorf("stored refundReserved %d, want the accepted sum %d", got.RefundReserved, sum)
	}
	stored := map[string]int64{}
	for _, r := range got.Refunds {
		if _, dup := stored[r.ID]; dup {
			t.Errorf("refund %s stored twice", r.ID)
		}
		stored[r.ID] = r.Amount
	}
	if fmt.Sprint(stored) != fmt.Sprint(accepted) {
		t.Errorf("stored refunds %v, want exactly the accepted %v", stored, accepted)
	}
	if got.Version != 3+int64(len(accepted)) {
		t.Errorf("version %d, want %d: one per accepted refund", got.Version, 3+len(accepted))
	}
	// Whatever remains must still be refundable, so the next refund knows the truth.
	if rem := capturedAmount - sum; rem > 0 {
		p, r, ev := requestRefund(t, s, "m_1", "pay_1", "rf_rest", rem, e.clock.Now())
		if err := s.ReserveRefund(ctxT(t), p, r, ev, nil); err != nil {
			t.Errorf("refunding the remaining %d: %v", rem, err)
		}
	}
}

// DynamoDB cancels a transaction that touches an item another transaction holds
// (TransactionConflict). The local cloud serialises transactions, so the conflict is
// injected.
func TestPayments_ReserveRefund_TransactionConflict(t *testing.T) {
	t.Parallel()
	conflict := &types.TransactionCanceledException{
		Message: aws.String("Transaction cancelled"),
		CancellationReasons: []types.CancellationReason{
			{Code: aws.String(reasonConflict)}, {Code: aws.String("None")},
		},
	}
	tests := []struct {
		name      string
		conflicts int
		wantErr   error
		wantCalls int
	}{
		{"RetriedUntilItGoesThrough", 2, nil, 3},
		{"ErrConflictAfterThreeAttempts", 10, payment.ErrConflict, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			base := e.paymentsStore(nil)
			captured(t, base, "pay_1", "m_1", 1000, e.clock.Now())
			var calls int
			var tokens []string
			s := e.paymentsStore(hookDB{DB: e.db, hook: func(op string, in any) error {
				if op != "TransactWriteItems" {
					return nil
				}
				calls++
				tokens = append(tokens, aws.ToString(in.(*dynamodb.TransactWriteItemsInput).ClientRequestToken))
				if calls <= tc.conflicts {
					return conflict
				}
				return nil
			}})
			p, r, ev := requestRefund(t, s, "m_1", "pay_1", "rf_1", 100, e.clock.Now())
			err := s.ReserveRefund(ctxT(t), p, r, ev, nil)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("ReserveRefund: got %v, want %v", err, tc.wantErr)
			}
			if calls != tc.wantCalls {
				t.Errorf("transactions sent: %d, want %d", calls, tc.wantCalls)
			}
			for _, tok := range tokens {
				if tok == "" || tok != tokens[0] {
					t.Errorf("client tokens %q: a retry must resend the same token", tokens)
					break
				}
			}
			got, _ := base.Get(ctxT(t), "m_1", "pay_1")
			if want := map[bool]int{true: 1, false: 0}[err == nil]; len(got.Refunds) != want {
				t.Errorf("stored refunds %d, want %d", len(got.Refunds), want)
			}
		})
	}
}
