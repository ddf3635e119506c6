package pgworker_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/pgclient"
	"github.com/paylane/paylane/shared/pgworker"
)

func TestHandleCaptures_Outcomes(t *testing.T) {
	t.Parallel()
	captured := func(n int, key, _ string, amount int64) (pgclient.Result, error) {
		return pgclient.Result{ID: "pgcap_1", Status: "CAPTURED", Amount: amount}, nil
	}
	tests := []struct {
		name         string
		receiveCount int
		capture      func(n int, key, pgTx string, amount int64) (pgclient.Result, error)
		lookup       func(n int, key, op string) (pgclient.Outcome, error)
		wantStatus   payment.Status
		wantCaptured int64
		wantEvent    payment.EventType
		wantReason   string
		wantCalls    []string
	}{
		{
			name: "Approved", receiveCount: 1, capture: captured,
			wantStatus: payment.Captured, wantCaptured: 7000, wantEvent: payment.EventCaptured,
			wantCalls: []string{"capture capture:pay_1 pgtx_pay_1 7000"},
		},
		{
			name: "Refused", receiveCount: 1,
			capture: func(int, string, string, int64) (pgclient.Result, error) {
				return pgclient.Result{}, &pgclient.Refusal{Status: http.StatusConflict, Code: "authorization_voided", Message: "voided"}
			},
			wantStatus: payment.CaptureFailed, wantCaptured: 0, wantEvent: payment.EventCaptureFailed, wantReason: "authorization_voided",
			wantCalls: []string{"capture capture:pay_1 pgtx_pay_1 7000"},
		},
		{
			name: "RefusedWithoutCode", receiveCount: 1,
			capture: func(int, string, string, int64) (pgclient.Result, error) {
				return pgclient.Result{}, &pgclient.Refusal{Status: http.StatusNotFound, Message: "Not Found"}
			},
			wantStatus: payment.CaptureFailed, wantEvent: payment.EventCaptureFailed, wantReason: "pg_refused_404_Not Found",
			wantCalls: []string{"capture capture:pay_1 pgtx_pay_1 7000"},
		},
		{
			name: "UnknownThenApprovedWithinTheBudget", receiveCount: 1,
			capture: func(n int, key, pgTx string, amount int64) (pgclient.Result, error) {
				if n < 2 {
					return pgclient.Result{}, unavailable("capture")
				}
				return captured(n, key, pgTx, amount)
			},
			wantStatus: payment.Captured, wantCaptured: 7000, wantEvent: payment.EventCaptured,
			// After an unknown outcome the PG is asked before the capture is sent again.
			wantCalls: []string{
				"capture capture:pay_1 pgtx_pay_1 7000", "lookup capture:pay_1 capture",
				"capture capture:pay_1 pgtx_pay_1 7000", "lookup capture:pay_1 capture",
				"capture capture:pay_1 pgtx_pay_1 7000",
			},
		},
		{
			name: "AnswerLostThenConfirmedByLookup", receiveCount: 1,
			capture: func(int, string, string, int64) (pgclient.Result, error) {
				return pgclient.Result{}, unavailable("capture")
			},
			lookup: func(_ int, key, op string) (pgclient.Outcome, error) {
				return performed(op, pgclient.Result{ID: "pgcap_1", Status: "CAPTURED", Amount: 7000}), nil
			},
			wantStatus: payment.Captured, wantCaptured: 7000, wantEvent: payment.EventCaptured,
			wantCalls: []string{"capture capture:pay_1 pgtx_pay_1 7000", "lookup capture:pay_1 capture"},
		},
		{
			name: "LookupUnavailableThenNotPerformed", receiveCount: 2,
			lookup: func(n int, key, _ string) (pgclient.Outcome, error) {
				if n == 0 {
					return pgclient.Outcome{}, unavailable("lookup")
				}
				return pgclient.Outcome{}, fmt.Errorf("lookup %s: %w", key, pgclient.ErrNotPerformed)
			},
			wantStatus: payment.Captured, wantCaptured: 7000, wantEvent: payment.EventCaptured,
			wantCalls: []string{"lookup capture:pay_1 capture", "lookup capture:pay_1 capture", "capture capture:pay_1 pgtx_pay_1 7000"},
		},
		{
			name: "RedeliveryConfirmsWhatThePGCaptured", receiveCount: 2,
			lookup: func(_ int, key, op string) (pgclient.Outcome, error) {
				return performed(op, pgclient.Result{ID: "pgcap_1", Status: "CAPTURED", Amount: 7000}), nil
			},
			wantStatus: payment.Captured, wantCaptured: 7000, wantEvent: payment.EventCaptured,
			wantCalls: []string{"lookup capture:pay_1 capture"},
		},
		{
			name: "RedeliveryFindsTheStoredRefusal", receiveCount: 3,
			lookup: func(_ int, key, op string) (pgclient.Outcome, error) {
				return refusedOutcome(op, "amount_exceeds_authorized"), nil
			},
			wantStatus: payment.CaptureFailed, wantEvent: payment.EventCaptureFailed, wantReason: "amount_exceeds_authorized",
			wantCalls: []string{"lookup capture:pay_1 capture"},
		},
		{
			name: "RedeliveryNotPerformedCaptures", receiveCount: 2,
			wantStatus: payment.Captured, wantCaptured: 7000, wantEvent: payment.EventCaptured,
			wantCalls: []string{"lookup capture:pay_1 capture", "capture capture:pay_1 pgtx_pay_1 7000"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			r.pg.CaptureFn, r.pg.LookupFn = tc.capture, tc.lookup
			r.captureRequested(t, "pay_1", 10000, 7000)

			resp, err := r.worker.HandleCaptures(ctxT(t), batch(r.message(t, "pay_1", payment.EventCaptureRequested, "msg-1", tc.receiveCount)))
			if err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("HandleCaptures: %+v, %v; want no failure", resp, err)
			}
			p := r.get(t, "pay_1")
			if p.Status != tc.wantStatus || p.CapturedAmount != tc.wantCaptured {
				t.Errorf("payment: %s captured %d, want %s captured %d", p.Status, p.CapturedAmount, tc.wantStatus, tc.wantCaptured)
			}
			evs := r.outbox(t, "pay_1")
			last := evs[len(evs)-1]
			if len(evs) != 3 || last.Type != tc.wantEvent || last.Data.Reason != tc.wantReason || last.Data.Amount != 7000 {
				t.Errorf("outbox %v, last %+v; want one %s (amount 7000, reason %q) after authorized and capture_requested",
					r.eventTypes(t, "pay_1"), last, tc.wantEvent, tc.wantReason)
			}
			if last.Data.PaymentVersion != p.Version || last.Data.Status != p.Status {
				t.Errorf("event says version %d %s, payment is version %d %s", last.Data.PaymentVersion, last.Data.Status, p.Version, p.Status)
			}
			if got := r.pg.Calls(""); !reflect.DeepEqual(got, tc.wantCalls) {
				t.Errorf("PG calls:\n got %q\nwant %q", got, tc.wantCalls)
			}
			if n := r.failures.total(); n != 0 {
				t.Errorf("%d failure reasons recorded for a settled message", n)
			}
		})
	}
}

func TestHandleCaptures_UnknownPastTheBudget(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.worker.Backoff, r.worker.Margin = 20*time.Millisecond, 100*time.Millisecond
	r.pg.CaptureFn = func(int, string, string, int64) (pgclient.Result, error) {
		return pgclient.Result{}, unavailable("capture")
	}
	r.pg.LookupFn = func(_ int, key, _ string) (pgclient.Outcome, error) {
		return pgclient.Outcome{}, fmt.Errorf("lookup %s: %w", key, pgclient.ErrNotPerformed)
	}
	r.captureRequested(t, "pay_1", 10000, 0)
	msg := r.message(t, "pay_1", payment.EventCaptureRequested, "msg-1", 1)

	ctx, cancel := context.WithTimeout(ctxT(t), 400*time.Millisecond)
	defer cancel()
	deadline, _ := ctx.Deadline()
	resp, err := r.worker.HandleCaptures(ctx, batch(msg))
	returned := time.Now()

	if err != nil || !reflect.DeepEqual(failedIDs(resp), []string{"msg-1"}) {
		t.Fatalf("HandleCaptures: %+v, %v; want msg-1 as a batch item failure", resp, err)
	}
	if returned.After(deadline.Add(-50 * time.Millisecond)) {
		t.Errorf("returned %s before the deadline: the margin of 100ms was not kept", deadline.Sub(returned))
	}
	if n := len(r.pg.Calls("capture")); n < 2 {
		t.Errorf("%d capture attempts within a 300ms budget with a 20ms backoff, want retries", n)
	}
	if p := r.get(t, "pay_1"); p.Status != payment.CaptureRequested {
		t.Errorf("payment %s, want it left CAPTURE_REQUESTED for the next delivery", p.Status)
	}
	if got := r.eventTypes(t, "pay_1"); len(got) != 2 {
		t.Errorf("outbox %v: nothing may be recorded for an unknown outcome", got)
	}
	reasons := r.failures.of("paylane-capture", "msg-1")
	if len(reasons) != 1 || !strings.Contains(reasons[0], "unknown") || !strings.Contains(reasons[0], "pg unavailable") {
		t.Errorf("recorded reasons %q, want one saying the outcome is unknown", reasons)
	}
	if len(r.logs.lines("WARN")) == 0 || len(r.logs.lines("ERROR")) != 0 {
		t.Errorf("an unknown outcome is logged as a warning; logs:\n%s", r.logs.buf.String())
	}
}

func TestHandleCaptures_NoTimeLeft(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.worker.Margin = time.Second
	r.captureRequested(t, "pay_1", 10000, 0)
	msg := r.message(t, "pay_1", payment.EventCaptureRequested, "msg-1", 1)
	ctx, cancel := context.WithTimeout(ctxT(t), 500*time.Millisecond)
	defer cancel()
	resp, err := r.worker.HandleCaptures(ctx, batch(msg))
	if err != nil || !reflect.DeepEqual(failedIDs(resp), []string{"msg-1"}) {
		t.Fatalf("HandleCaptures: %+v, %v; want msg-1 failed", resp, err)
	}
	if calls := r.pg.Calls(""); len(calls) != 0 {
		t.Errorf("PG called with less time left than the margin: %q", calls)
	}
	if reasons := r.failures.of("paylane-capture", "msg-1"); len(reasons) != 1 || !strings.Contains(reasons[0], "too little time") {
		t.Errorf("reasons %q", reasons)
	}
}

func TestHandleCaptures_WithoutDeadlineTriesThreeTimes(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.pg.CaptureFn = func(int, string, string, int64) (pgclient.Result, error) {
		return pgclient.Result{}, unavailable("capture")
	}
	r.captureRequested(t, "pay_1", 10000, 0)
	resp, err := r.worker.HandleCaptures(context.Background(), batch(r.message(t, "pay_1", payment.EventCaptureRequested, "msg-1", 1)))
	if err != nil || len(resp.BatchItemFailures) != 1 {
		t.Fatalf("HandleCaptures: %+v, %v", resp, err)
	}
	if n := len(r.pg.Calls("capture")); n != 3 {
		t.Errorf("%d captures, want 3", n)
	}
}

func TestHandleCaptures_DuplicateDelivery(t *testing.T) {
	t.Parallel()

	t.Run("TwoInvocations", func(t *testing.T) {
		t.Parallel()
		r := newRig(t)
		r.captureRequested(t, "pay_1", 10000, 0)
		msg := r.message(t, "pay_1", payment.EventCaptureRequested, "msg-1", 1)
		for i := range 2 {
			resp, err := r.worker.HandleCaptures(ctxT(t), batch(msg))
			if err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("delivery %d: %+v, %v", i+1, resp, err)
			}
		}
		if n := len(r.pg.Calls("")); n != 1 {
			t.Errorf("PG calls %q, want one capture", r.pg.Calls(""))
		}
		if got := r.eventTypes(t, "pay_1"); !reflect.DeepEqual(got, []payment.EventType{payment.EventAuthorized, payment.EventCaptureRequested, payment.EventCaptured}) {
			t.Errorf("outbox %v, want one captured event", got)
		}
	})

	t.Run("TwiceInOneBatch", func(t *testing.T) {
		t.Parallel()
		r := newRig(t)
		r.captureRequested(t, "pay_1", 10000, 0)
		a := r.message(t, "pay_1", payment.EventCaptureRequested, "msg-1", 1)
		b := r.message(t, "pay_1", payment.EventCaptureRequested, "msg-2", 1)
		resp, err := r.worker.HandleCaptures(ctxT(t), batch(a, b))
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("HandleCaptures: %+v, %v", resp, err)
		}
		if n := len(r.pg.Calls("capture")); n != 1 {
			t.Errorf("%d PG captures, want 1", n)
		}
		if got := r.eventTypes(t, "pay_1"); len(got) != 3 {
			t.Errorf("outbox %v, want one captured event", got)
		}
	})
}

func TestHandleCaptures_OutOfOrder(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		settle func(*testing.T, *rig)
		want   payment.Status
	}{
		{"AfterCaptured", func(t *testing.T, r *rig) {
			r.captured(t, "pay_1", 10000)
		}, payment.Captured},
		{"AfterCaptureFailed", func(t *testing.T, r *rig) {
			r.pg.CaptureFn = func(int, string, string, int64) (pgclient.Result, error) {
				return pgclient.Result{}, &pgclient.Refusal{Status: 409, Code: "authorization_voided"}
			}
			r.captured(t, "pay_1", 10000)
		}, payment.CaptureFailed},
		{"AfterRefunded", func(t *testing.T, r *rig) {
			r.captured(t, "pay_1", 10000)
			id := r.refundRequested(t, "pay_1", "ref_1", 0)
			w := *r.worker
			resp, err := w.HandleRefunds(ctxT(t), batch(r.message(t, "pay_1", payment.EventRefundRequested, "setup-ref", 1)))
			if err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("refunding %s: %+v, %v", id, resp, err)
			}
		}, payment.Refunded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			tc.settle(t, r)
			before := len(r.pg.Calls(""))
			version := r.get(t, "pay_1").Version
			// The capture_requested event arrives (again, or late) after the payment moved on.
			msg := r.message(t, "pay_1", payment.EventCaptureRequested, "late", 2)
			resp, err := r.worker.HandleCaptures(ctxT(t), batch(msg))
			if err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("HandleCaptures: %+v, %v; want done", resp, err)
			}
			if calls := r.pg.Calls(""); len(calls) != before {
				t.Errorf("PG called for a settled capture: %q", calls[before:])
			}
			if p := r.get(t, "pay_1"); p.Status != tc.want || p.Version != version {
				t.Errorf("payment %s v%d, want it untouched (%s v%d)", p.Status, p.Version, tc.want, version)
			}
		})
	}
}

func TestHandleCaptures_Conflicts(t *testing.T) {
	t.Parallel()

	t.Run("ReReadAndApplyAgain", func(t *testing.T) {
		t.Parallel()
		r := newRig(t)
		r.captureRequested(t, "pay_1", 10000, 0)
		h := &hookPayments{Payments: r.store, updateErr: func(n int, _ *payment.Payment) error {
			if n < 2 {
				return fmt.Errorf("updating: %w", payment.ErrConflict)
			}
			return nil
		}}
		r.worker.Payments = h
		resp, err := r.worker.HandleCaptures(ctxT(t), batch(r.message(t, "pay_1", payment.EventCaptureRequested, "msg-1", 1)))
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("HandleCaptures: %+v, %v", resp, err)
		}
		if p := r.get(t, "pay_1"); p.Status != payment.Captured {
			t.Errorf("payment %s, want CAPTURED", p.Status)
		}
		if n := len(r.pg.Calls("capture")); n != 1 {
			t.Errorf("%d PG captures: a conflict must not call the PG again", n)
		}
		if got := h.gets.Load(); got != 3 {
			t.Errorf("%d reads, want 3 (one, then one per conflict)", got)
		}
	})

	t.Run("AnotherDeliveryRecordedItFirst", func(t *testing.T) {
		t.Parallel()
		r := newRig(t)
		r.captureRequested(t, "pay_1", 10000, 0)
		// Just before this worker writes, another delivery records the capture.
		h := &hookPayments{Payments: r.store}
		h.updateErr = func(n int, _ *payment.Payment) error {
			if n == 0 {
				other := r.get(t, "pay_1")
				ev, err := other.CaptureSucceeded("pgcap_other", "ev_other", time.Now())
				if err != nil {
					return err
				}
				if err := r.store.Update(context.Background(), other, []payment.Event{ev}, nil); err != nil {
					return err
				}
			}
			return nil
		}
		r.worker.Payments = h
		resp, err := r.worker.HandleCaptures(ctxT(t), batch(r.message(t, "pay_1", payment.EventCaptureRequested, "msg-1", 1)))
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("HandleCaptures: %+v, %v", resp, err)
		}
		if got := r.eventTypes(t, "pay_1"); len(got) != 3 {
			t.Errorf("outbox %v, want exactly one captured event", got)
		}
	})

	t.Run("ErrKeepsConflicting", func(t *testing.T) {
		t.Parallel()
		r := newRig(t)
		r.captureRequested(t, "pay_1", 10000, 0)
		r.worker.Payments = &hookPayments{Payments: r.store, updateErr: func(int, *payment.Payment) error {
			return fmt.Errorf("updating: %w", payment.ErrConflict)
		}}
		resp, err := r.worker.HandleCaptures(ctxT(t), batch(r.message(t, "pay_1", payment.EventCaptureRequested, "msg-1", 1)))
		if err != nil || !reflect.DeepEqual(failedIDs(resp), []string{"msg-1"}) {
			t.Fatalf("HandleCaptures: %+v, %v; want msg-1 failed", resp, err)
		}
		if reasons := r.failures.of("paylane-capture", "msg-1"); len(reasons) != 1 || !strings.Contains(reasons[0], "changed concurrently") {
			t.Errorf("reasons %q", reasons)
		}
	})
}

func TestHandleCaptures_Failures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		setup      func(*rig)
		wantReason string
		wantPG     int // PG calls made
		wantError  bool
	}{
		{
			name: "ErrReadingThePayment",
			setup: func(r *rig) {
				r.worker.Payments = &hookPayments{Payments: r.store, getErr: func(int) error { return errBoom }}
			},
			wantReason: "boom", wantError: true,
		},
		{
			name: "ErrWritingThePayment",
			setup: func(r *rig) {
				r.worker.Payments = &hookPayments{Payments: r.store, updateErr: func(int, *payment.Payment) error { return errBoom }}
			},
			wantReason: "boom", wantPG: 1, wantError: true,
		},
		{
			name: "ErrPlainFromThePG",
			setup: func(r *rig) {
				r.pg.CaptureFn = func(int, string, string, int64) (pgclient.Result, error) {
					return pgclient.Result{}, errors.New("pgclient: capture: answer without id or status")
				}
			},
			wantReason: "answer without id", wantPG: 1, wantError: true,
		},
		{
			name: "ErrLookupRefused",
			setup: func(r *rig) {
				r.pg.LookupFn = func(int, string, string) (pgclient.Outcome, error) {
					return pgclient.Outcome{}, &pgclient.Refusal{Status: 409, Code: "operation_ambiguous"}
				}
			},
			wantReason: "operation_ambiguous", wantPG: 1, wantError: true,
		},
		{
			name: "ErrCapturedByAnotherKey",
			setup: func(r *rig) {
				r.pg.CaptureFn = func(int, string, string, int64) (pgclient.Result, error) {
					return pgclient.Result{}, &pgclient.Refusal{Status: 409, Code: "already_captured"}
				}
			},
			wantReason: "a human must look", wantPG: 1, wantError: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			r.captureRequested(t, "pay_1", 10000, 0)
			tc.setup(r)
			receive := 1
			if strings.HasPrefix(tc.name, "ErrLookup") {
				receive = 2
			}
			resp, err := r.worker.HandleCaptures(ctxT(t), batch(r.message(t, "pay_1", payment.EventCaptureRequested, "msg-1", receive)))
			if err != nil || !reflect.DeepEqual(failedIDs(resp), []string{"msg-1"}) {
				t.Fatalf("HandleCaptures: %+v, %v; want msg-1 failed", resp, err)
			}
			if reasons := r.failures.of("paylane-capture", "msg-1"); len(reasons) != 1 || !strings.Contains(reasons[0], tc.wantReason) {
				t.Errorf("reasons %q, want one containing %q", reasons, tc.wantReason)
			}
			if n := len(r.pg.Calls("")); n != tc.wantPG {
				t.Errorf("PG calls %q, want %d: a failure that is no unknown outcome is not retried now", r.pg.Calls(""), tc.wantPG)
			}
			if p := r.get(t, "pay_1"); p.Status != payment.CaptureRequested {
				t.Errorf("payment %s, want it still CAPTURE_REQUESTED", p.Status)
			}
			if tc.wantError && len(r.logs.lines("ERROR")) == 0 {
				t.Errorf("no error logged; logs:\n%s", r.logs.buf.String())
			}
		})
	}
}

func TestHandleCaptures_PaymentOfAnotherMerchant(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.captureRequested(t, "pay_1", 10000, 0)
	evs := r.outbox(t, "pay_1")
	ev := evs[len(evs)-1]
	ev.MerchantID = "m_other"
	resp, err := r.worker.HandleCaptures(ctxT(t), batch(sqsMessage(t, "msg-1", ev, 1)))
	if err != nil || len(resp.BatchItemFailures) != 1 {
		t.Fatalf("HandleCaptures: %+v, %v; want the message failed", resp, err)
	}
	if reasons := r.failures.of("paylane-capture", "msg-1"); len(reasons) != 1 || !strings.Contains(reasons[0], string(fault.NotFound)) {
		t.Errorf("reasons %q", reasons)
	}
	if len(r.pg.Calls("")) != 0 {
		t.Errorf("PG called: %q", r.pg.Calls(""))
	}
}

func TestHandleCaptures_BatchItemsAreIndependent(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	// pay_3's outcome stays unknown; the others settle, whatever their order.
	r.pg.CaptureFn = func(_ int, key, _ string, amount int64) (pgclient.Result, error) {
		if key == "capture:pay_3" {
			return pgclient.Result{}, unavailable("capture")
		}
		return pgclient.Result{ID: "pgcap_" + key, Status: "CAPTURED", Amount: amount}, nil
	}
	var msgs []events.SQSMessage
	for i := 1; i <= 6; i++ {
		id := fmt.Sprintf("pay_%d", i)
		r.captureRequested(t, id, int64(1000*i), 0)
		msgs = append(msgs, r.message(t, id, payment.EventCaptureRequested, "msg-"+id, 1))
	}
	msgs = append(msgs, poisonMessage("msg-poison", "{not json"))
	ctx, cancel := context.WithTimeout(ctxT(t), 300*time.Millisecond)
	defer cancel()
	resp, err := r.worker.HandleCaptures(ctx, batch(msgs...))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := failedIDs(resp), []string{"msg-pay_3", "msg-poison"}; !reflect.DeepEqual(got, want) {
		t.Errorf("failures %v, want %v", got, want)
	}
	for i := 1; i <= 6; i++ {
		want := payment.Captured
		if i == 3 {
			want = payment.CaptureRequested
		}
		if p := r.get(t, fmt.Sprintf("pay_%d", i)); p.Status != want {
			t.Errorf("pay_%d: %s, want %s", i, p.Status, want)
		}
	}
}

func TestHandleCaptures_RecordingTheReasonFails(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.failures.err = errBoom
	r.captureRequested(t, "pay_1", 10000, 0)
	r.worker.Payments = &hookPayments{Payments: r.store, getErr: func(int) error { return errBoom }}
	resp, err := r.worker.HandleCaptures(ctxT(t), batch(r.message(t, "pay_1", payment.EventCaptureRequested, "msg-1", 1)))
	if err != nil || len(resp.BatchItemFailures) != 1 {
		t.Fatalf("HandleCaptures: %+v, %v; want the message failed all the same", resp, err)
	}
	found := false
	for _, l := range r.logs.lines("ERROR") {
		found = found || strings.Contains(l, "recording why a message failed")
	}
	if !found {
		t.Errorf("the lost reason is not logged; logs:\n%s", r.logs.buf.String())
	}
}

func TestHandle_Misconfigured(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	for _, tc := range []struct {
		name   string
		mutate func(*pgworker.Worker)
	}{
		{"NoPayments", func(w *pgworker.Worker) { w.Payments = nil }},
		{"NoPG", func(w *pgworker.Worker) { w.PG = nil }},
		{"NoNewID", func(w *pgworker.Worker) { w.NewID = nil }},
	} {
		w := *r.worker
		tc.mutate(&w)
		for name, handle := range map[string]func(context.Context, events.SQSEvent) (events.SQSEventResponse, error){
			"captures": w.HandleCaptures, "refunds": w.HandleRefunds, "voids": w.HandleVoids,
		} {
			if _, err := handle(ctxT(t), batch()); err == nil {
				t.Errorf("%s, %s: no error", tc.name, name)
			}
		}
	}
}
