package pgworker_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/pgclient"
)

// refundRig is a rig whose worker serves the refund queue, with pay_1 captured (10000).
func refundRig(t *testing.T) *rig {
	t.Helper()
	r := newRig(t)
	r.captured(t, "pay_1", 10000)
	r.worker.Queue = "paylane-refund"
	return r
}

func TestHandleRefunds_Outcomes(t *testing.T) {
	t.Parallel()
	refused := func(int, string, string, int64) (pgclient.Result, error) {
		return pgclient.Result{}, &pgclient.Refusal{Status: 409, Code: "amount_exceeds_captured", Message: "too much"}
	}
	tests := []struct {
		name           string
		receiveCount   int
		refund         func(n int, key, pgTx string, amount int64) (pgclient.Result, error)
		lookup         func(n int, key, op string) (pgclient.Outcome, error)
		wantRefund     payment.RefundStatus
		wantStatus     payment.Status
		wantRefunded   int64
		wantRefundable int64
		wantEvent      payment.EventType
		wantReason     string
		wantCalls      []string
	}{
		{
			name: "Approved", receiveCount: 1,
			wantRefund: payment.RefundSucceeded, wantStatus: payment.PartiallyRefunded, wantRefunded: 3000, wantRefundable: 7000,
			wantEvent: payment.EventRefunded, wantCalls: []string{"refund refund:ref_1 pgtx_pay_1 3000"},
		},
		{
			name: "RefusedFreesItsAmount", receiveCount: 1, refund: refused,
			wantRefund: payment.RefundFailed, wantStatus: payment.Captured, wantRefunded: 0, wantRefundable: 10000,
			wantEvent: payment.EventRefundFailed, wantReason: "amount_exceeds_captured",
			wantCalls: []string{"refund refund:ref_1 pgtx_pay_1 3000"},
		},
		{
			name: "UnknownThenApproved", receiveCount: 1,
			refund: func(n int, key, _ string, amount int64) (pgclient.Result, error) {
				if n == 0 {
					return pgclient.Result{}, unavailable("refund")
				}
				return pgclient.Result{ID: "pgrf_1", Status: "REFUNDED", Amount: amount}, nil
			},
			wantRefund: payment.RefundSucceeded, wantStatus: payment.PartiallyRefunded, wantRefunded: 3000, wantRefundable: 7000,
			wantEvent: payment.EventRefunded,
			wantCalls: []string{"refund refund:ref_1 pgtx_pay_1 3000", "lookup refund:ref_1 refund", "refund refund:ref_1 pgtx_pay_1 3000"},
		},
		{
			name: "RedeliveryConfirmsWhatThePGRefunded", receiveCount: 2,
			lookup: func(_ int, _, op string) (pgclient.Outcome, error) {
				return performed(op, pgclient.Result{ID: "pgrf_1", Status: "REFUNDED", Amount: 3000}), nil
			},
			wantRefund: payment.RefundSucceeded, wantStatus: payment.PartiallyRefunded, wantRefunded: 3000, wantRefundable: 7000,
			wantEvent: payment.EventRefunded, wantCalls: []string{"lookup refund:ref_1 refund"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := refundRig(t)
			r.pg.RefundFn, r.pg.LookupFn = tc.refund, tc.lookup
			r.refundRequested(t, "pay_1", "ref_1", 3000)
			before := len(r.pg.Calls(""))

			resp, err := r.worker.HandleRefunds(ctxT(t), batch(r.message(t, "pay_1", payment.EventRefundRequested, "msg-1", tc.receiveCount)))
			if err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("HandleRefunds: %+v, %v; want no failure", resp, err)
			}
			p := r.get(t, "pay_1")
			ref, _ := p.Refund("ref_1")
			if ref.Status != tc.wantRefund || p.Status != tc.wantStatus || p.RefundedAmount != tc.wantRefunded || p.Refundable() != tc.wantRefundable {
				t.Errorf("refund %s, payment %s refunded %d refundable %d; want %s, %s, %d, %d",
					ref.Status, p.Status, p.RefundedAmount, p.Refundable(), tc.wantRefund, tc.wantStatus, tc.wantRefunded, tc.wantRefundable)
			}
			evs := r.outbox(t, "pay_1")
			last := evs[len(evs)-1]
			if last.Type != tc.wantEvent || last.Data.RefundID != "ref_1" || last.Data.Amount != 3000 || last.Data.Reason != tc.wantReason {
				t.Errorf("last event %+v, want %s of ref_1 for 3000 (reason %q)", last, tc.wantEvent, tc.wantReason)
			}
			if got := r.pg.Calls("")[before:]; !reflect.DeepEqual(got, tc.wantCalls) {
				t.Errorf("PG calls:\n got %q\nwant %q", got, tc.wantCalls)
			}
		})
	}
}

func TestHandleRefunds_RefusedAmountCanBeRefundedAgain(t *testing.T) {
	t.Parallel()
	r := refundRig(t)
	r.pg.RefundFn = func(n int, _, _ string, amount int64) (pgclient.Result, error) {
		if n == 0 {
			return pgclient.Result{}, &pgclient.Refusal{Status: 409, Code: "not_captured"}
		}
		return pgclient.Result{ID: "pgrf", Status: "REFUNDED", Amount: amount}, nil
	}
	r.refundRequested(t, "pay_1", "ref_1", 10000)
	if _, _, err := r.svc.Refund(ctxT(t), payment.RefundCommand{MerchantID: merchantID, PaymentID: "pay_1", RefundID: "ref_x", Amount: 1}, nil); !fault.Is(err, fault.AmountExceeds) {
		t.Fatalf("refund while all is reserved: %v, want amount_exceeds_available", err)
	}
	if resp, err := r.worker.HandleRefunds(ctxT(t), batch(r.message(t, "pay_1", payment.EventRefundRequested, "msg-1", 1))); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("HandleRefunds: %+v, %v", resp, err)
	}
	// The failed refund's 10000 are free again: a new refund of all of it is accepted
	// and settles.
	r.refundRequested(t, "pay_1", "ref_2", 10000)
	if resp, err := r.worker.HandleRefunds(ctxT(t), batch(r.message(t, "pay_1", payment.EventRefundRequested, "msg-2", 1))); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("HandleRefunds: %+v, %v", resp, err)
	}
	p := r.get(t, "pay_1")
	if p.Status != payment.Refunded || p.RefundedAmount != 10000 {
		t.Errorf("payment %s refunded %d, want REFUNDED 10000", p.Status, p.RefundedAmount)
	}
}

func TestHandleRefunds_TwoRefundsOfOnePaymentInOneBatch(t *testing.T) {
	t.Parallel()
	r := refundRig(t)
	r.refundRequested(t, "pay_1", "ref_1", 4000)
	m1 := r.message(t, "pay_1", payment.EventRefundRequested, "msg-1", 1)
	r.refundRequested(t, "pay_1", "ref_2", 6000)
	m2 := r.message(t, "pay_1", payment.EventRefundRequested, "msg-2", 1)
	// Delivered in the opposite order, and once more as a duplicate.
	resp, err := r.worker.HandleRefunds(ctxT(t), batch(m2, m1, m2))
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("HandleRefunds: %+v, %v", resp, err)
	}
	p := r.get(t, "pay_1")
	if p.Status != payment.Refunded || p.RefundedAmount != 10000 || p.RefundReserved != 10000 {
		t.Errorf("payment %s refunded %d reserved %d, want REFUNDED 10000/10000", p.Status, p.RefundedAmount, p.RefundReserved)
	}
	if got := r.pg.Calls("refund"); len(got) != 2 {
		t.Errorf("PG refunds %q, want one per refund", got)
	}
}

func TestHandleRefunds_SettledAlready(t *testing.T) {
	t.Parallel()
	r := refundRig(t)
	r.refundRequested(t, "pay_1", "ref_1", 3000)
	msg := r.message(t, "pay_1", payment.EventRefundRequested, "msg-1", 1)
	for i := range 2 {
		if resp, err := r.worker.HandleRefunds(ctxT(t), batch(msg)); err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("delivery %d: %+v, %v", i+1, resp, err)
		}
	}
	if got := r.pg.Calls("refund"); len(got) != 1 {
		t.Errorf("PG refunds %q, want one", got)
	}
	if n := len(r.outbox(t, "pay_1")); n != 5 {
		t.Errorf("%d events, want 5 (authorized, capture_requested, captured, refund_requested, refunded)", n)
	}
}

func TestHandleRefunds_Failures(t *testing.T) {
	t.Parallel()

	t.Run("UnknownPastTheBudget", func(t *testing.T) {
		t.Parallel()
		r := refundRig(t)
		r.pg.RefundFn = func(int, string, string, int64) (pgclient.Result, error) {
			return pgclient.Result{}, unavailable("refund")
		}
		r.refundRequested(t, "pay_1", "ref_1", 3000)
		ctx, cancel := context.WithTimeout(ctxT(t), 200*time.Millisecond)
		defer cancel()
		resp, err := r.worker.HandleRefunds(ctx, batch(r.message(t, "pay_1", payment.EventRefundRequested, "msg-1", 1)))
		if err != nil || !reflect.DeepEqual(failedIDs(resp), []string{"msg-1"}) {
			t.Fatalf("HandleRefunds: %+v, %v", resp, err)
		}
		if reasons := r.failures.of("paylane-refund", "msg-1"); len(reasons) != 1 || !strings.Contains(reasons[0], "refund outcome is still unknown") {
			t.Errorf("reasons %q", reasons)
		}
		p := r.get(t, "pay_1")
		if ref, _ := p.Refund("ref_1"); ref.Status != payment.RefundRequested || p.RefundReserved != 3000 {
			t.Errorf("refund %s, reserved %d: want it still requested and reserved", ref.Status, p.RefundReserved)
		}
	})

	t.Run("RefundNotInThePayment", func(t *testing.T) {
		t.Parallel()
		r := refundRig(t)
		r.refundRequested(t, "pay_1", "ref_1", 3000)
		evs := r.outbox(t, "pay_1")
		ev := evs[len(evs)-1]
		ev.Data.RefundID = "ref_ghost"
		resp, err := r.worker.HandleRefunds(ctxT(t), batch(sqsMessage(t, "msg-1", ev, 1)))
		if err != nil || len(resp.BatchItemFailures) != 1 {
			t.Fatalf("HandleRefunds: %+v, %v", resp, err)
		}
		if reasons := r.failures.of("paylane-refund", "msg-1"); len(reasons) != 1 || !strings.Contains(reasons[0], "no refund ref_ghost") {
			t.Errorf("reasons %q", reasons)
		}
		if got := r.pg.Calls("refund"); len(got) != 0 {
			t.Errorf("PG refunds %q", got)
		}
	})

	t.Run("RefundGoneAfterAConflict", func(t *testing.T) {
		t.Parallel()
		r := refundRig(t)
		r.refundRequested(t, "pay_1", "ref_1", 3000)
		h := &hookPayments{Payments: r.store}
		h.updateErr = func(int, *payment.Payment) error { return fmt.Errorf("updating: %w", payment.ErrConflict) }
		r.worker.Payments = &dropRefundOnReread{hookPayments: h}
		resp, err := r.worker.HandleRefunds(ctxT(t), batch(r.message(t, "pay_1", payment.EventRefundRequested, "msg-1", 1)))
		if err != nil || len(resp.BatchItemFailures) != 1 {
			t.Fatalf("HandleRefunds: %+v, %v", resp, err)
		}
		if reasons := r.failures.of("paylane-refund", "msg-1"); len(reasons) != 1 || !strings.Contains(reasons[0], "no refund ref_1") {
			t.Errorf("reasons %q", reasons)
		}
	})

	t.Run("ErrWritingThePayment", func(t *testing.T) {
		t.Parallel()
		r := refundRig(t)
		r.refundRequested(t, "pay_1", "ref_1", 3000)
		r.worker.Payments = &hookPayments{Payments: r.store, updateErr: func(int, *payment.Payment) error { return errBoom }}
		resp, err := r.worker.HandleRefunds(ctxT(t), batch(r.message(t, "pay_1", payment.EventRefundRequested, "msg-1", 1)))
		if err != nil || len(resp.BatchItemFailures) != 1 {
			t.Fatalf("HandleRefunds: %+v, %v", resp, err)
		}
		if reasons := r.failures.of("paylane-refund", "msg-1"); len(reasons) != 1 || !strings.Contains(reasons[0], "boom") {
			t.Errorf("reasons %q", reasons)
		}
	})

	t.Run("ErrReadingThePayment", func(t *testing.T) {
		t.Parallel()
		r := refundRig(t)
		r.refundRequested(t, "pay_1", "ref_1", 3000)
		r.worker.Payments = &hookPayments{Payments: r.store, getErr: func(int) error { return errBoom }}
		resp, err := r.worker.HandleRefunds(ctxT(t), batch(r.message(t, "pay_1", payment.EventRefundRequested, "msg-1", 1)))
		if err != nil || len(resp.BatchItemFailures) != 1 {
			t.Fatalf("HandleRefunds: %+v, %v", resp, err)
		}
		if got := r.pg.Calls("refund"); len(got) != 0 {
			t.Errorf("PG refunds %q", got)
		}
	})
}

// dropRefundOnReread answers re-reads (after the first) with the payment stripped of its
// refunds: a refund that vanished, which only a corrupt store could produce.
type dropRefundOnReread struct {
	*hookPayments
	reads int
}

func (d *dropRefundOnReread) Get(ctx context.Context, m, id string) (*payment.Payment, error) {
	d.reads++
	p, err := d.hookPayments.Get(ctx, m, id)
	if err == nil && d.reads > 1 {
		p.Refunds = nil
	}
	return p, err
}
