package pgworker_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/pgclient"
)

// voidRig is a rig whose worker serves the void queue, with pay_1 voided by the API.
func voidRig(t *testing.T) *rig {
	t.Helper()
	r := newRig(t)
	r.worker.Queue = "paylane-void"
	r.authorized(t, "pay_1", 10000)
	if _, err := r.svc.Void(ctxT(t), merchantID, "pay_1", nil); err != nil {
		t.Fatalf("Void: %v", err)
	}
	return r
}

func TestHandleVoids(t *testing.T) {
	t.Parallel()
	refusal := func(code string) func(int, string, string) (pgclient.Result, error) {
		return func(int, string, string) (pgclient.Result, error) {
			return pgclient.Result{}, &pgclient.Refusal{Status: 409, Code: code, Message: code}
		}
	}
	tests := []struct {
		name         string
		receiveCount int
		void         func(n int, key, pgTx string) (pgclient.Result, error)
		lookup       func(n int, key, op string) (pgclient.Outcome, error)
		wantCalls    []string
		wantReason   string // recorded although the message is done
	}{
		{name: "Released", receiveCount: 1, wantCalls: []string{"void void:pay_1 pgtx_pay_1"}},
		{name: "AlreadyVoidedAtThePG", receiveCount: 1, void: refusal("authorization_voided"), wantCalls: []string{"void void:pay_1 pgtx_pay_1"}},
		{
			name: "CapturedAtThePG", receiveCount: 1, void: refusal("already_captured"),
			wantCalls: []string{"void void:pay_1 pgtx_pay_1"}, wantReason: "already_captured",
		},
		{
			name: "UnknownAtThePG", receiveCount: 1, void: func(int, string, string) (pgclient.Result, error) {
				return pgclient.Result{}, &pgclient.Refusal{Status: 404, Code: "authorization_not_found"}
			},
			wantCalls: []string{"void void:pay_1 pgtx_pay_1"}, wantReason: "authorization_not_found",
		},
		{
			name: "UnknownThenReleased", receiveCount: 1, void: func(n int, _, _ string) (pgclient.Result, error) {
				if n == 0 {
					return pgclient.Result{}, unavailable("void")
				}
				return pgclient.Result{ID: "pgvd_1", Status: "VOIDED"}, nil
			},
			wantCalls: []string{"void void:pay_1 pgtx_pay_1", "lookup void:pay_1 void", "void void:pay_1 pgtx_pay_1"},
		},
		{
			name: "RedeliveryConfirmsTheRelease", receiveCount: 2,
			lookup: func(_ int, _, op string) (pgclient.Outcome, error) {
				return performed(op, pgclient.Result{ID: "pgvd_1", Status: "VOIDED"}), nil
			},
			wantCalls: []string{"lookup void:pay_1 void"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := voidRig(t)
			r.pg.VoidFn, r.pg.LookupFn = tc.void, tc.lookup
			version := r.get(t, "pay_1").Version
			resp, err := r.worker.HandleVoids(ctxT(t), batch(r.message(t, "pay_1", payment.EventVoided, "msg-1", tc.receiveCount)))
			if err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("HandleVoids: %+v, %v; want no failure", resp, err)
			}
			if got := r.pg.Calls(""); !reflect.DeepEqual(got, tc.wantCalls) {
				t.Errorf("PG calls:\n got %q\nwant %q", got, tc.wantCalls)
			}
			if p := r.get(t, "pay_1"); p.Status != payment.Voided || p.Version != version {
				t.Errorf("payment %s v%d, want VOIDED v%d untouched", p.Status, p.Version, version)
			}
			reasons := r.failures.of("paylane-void", "msg-1")
			errors := r.logs.lines("ERROR")
			if tc.wantReason == "" {
				if len(reasons) != 0 || len(errors) != 0 {
					t.Errorf("reasons %q, error logs %q; want none", reasons, errors)
				}
				return
			}
			if len(reasons) != 1 || !strings.Contains(reasons[0], tc.wantReason) {
				t.Errorf("reasons %q, want one containing %q", reasons, tc.wantReason)
			}
			if len(errors) != 1 || !strings.Contains(errors[0], "a human must look") {
				t.Errorf("error logs %q, want one asking a human to look", errors)
			}
		})
	}
}

func TestHandleVoids_Failures(t *testing.T) {
	t.Parallel()

	t.Run("UnknownPastTheBudget", func(t *testing.T) {
		t.Parallel()
		r := voidRig(t)
		r.pg.VoidFn = func(int, string, string) (pgclient.Result, error) { return pgclient.Result{}, unavailable("void") }
		ctx, cancel := context.WithTimeout(ctxT(t), 200*time.Millisecond)
		defer cancel()
		resp, err := r.worker.HandleVoids(ctx, batch(r.message(t, "pay_1", payment.EventVoided, "msg-1", 1)))
		if err != nil || !reflect.DeepEqual(failedIDs(resp), []string{"msg-1"}) {
			t.Fatalf("HandleVoids: %+v, %v; want msg-1 failed, to come back", resp, err)
		}
		if reasons := r.failures.of("paylane-void", "msg-1"); len(reasons) != 1 || !strings.Contains(reasons[0], "void outcome is still unknown") {
			t.Errorf("reasons %q", reasons)
		}
	})

	t.Run("PaymentNotVoided", func(t *testing.T) {
		t.Parallel()
		r := newRig(t)
		r.worker.Queue = "paylane-void"
		r.captureRequested(t, "pay_1", 10000, 0)
		evs := r.outbox(t, "pay_1")
		ev := evs[len(evs)-1]
		ev.Type = payment.EventVoided
		resp, err := r.worker.HandleVoids(ctxT(t), batch(sqsMessage(t, "msg-1", ev, 1)))
		if err != nil || len(resp.BatchItemFailures) != 1 {
			t.Fatalf("HandleVoids: %+v, %v", resp, err)
		}
		if got := r.pg.Calls(""); len(got) != 0 {
			t.Errorf("PG called for a payment that is not voided: %q", got)
		}
		if reasons := r.failures.of("paylane-void", "msg-1"); len(reasons) != 1 || !strings.Contains(reasons[0], "CAPTURE_REQUESTED") {
			t.Errorf("reasons %q", reasons)
		}
	})

	t.Run("ErrReadingThePayment", func(t *testing.T) {
		t.Parallel()
		r := voidRig(t)
		r.worker.Payments = &hookPayments{Payments: r.store, getErr: func(int) error { return errBoom }}
		resp, err := r.worker.HandleVoids(ctxT(t), batch(r.message(t, "pay_1", payment.EventVoided, "msg-1", 1)))
		if err != nil || len(resp.BatchItemFailures) != 1 {
			t.Fatalf("HandleVoids: %+v, %v", resp, err)
		}
	})
}
