package pgworker_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/mockpg"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/pgclient"
)

// These tests run the workers against the mock PG through the real client, so the
// client's errors and lookups are the ones the workers were written against.

type realPG struct {
	*mockpg.PG
	url string
}

func withMockPG(t *testing.T, r *rig) *realPG {
	t.Helper()
	pg := mockpg.New(mockpg.Options{})
	srv := httptest.NewServer(pg)
	// Cleanups run last first: release the hanging requests, then close.
	t.Cleanup(srv.Close)
	t.Cleanup(pg.Close)
	client := pgclient.New(pgclient.Options{BaseURL: srv.URL, HTTP: srv.Client(), Timeout: 100 * time.Millisecond})
	r.svc.PG = client
	r.worker.PG = client
	r.worker.Backoff, r.worker.Margin = 10*time.Millisecond, 150*time.Millisecond
	return &realPG{PG: pg, url: srv.URL}
}

func (pg *realPG) set(t *testing.T, s mockpg.Settings) {
	t.Helper()
	if err := pg.SetSettings(s); err != nil {
		t.Fatal(err)
	}
}

// authorization reads the PG's view of an authorization.
func (pg *realPG) authorization(t *testing.T, id string) (state string, captured, refunded int64) {
	t.Helper()
	resp, err := http.Get(pg.url + "/v1/authorizations/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		State          string `json:"state"`
		CapturedAmount int64  `json:"capturedAmount"`
		RefundedAmount int64  `json:"refundedAmount"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	return got.State, got.CapturedAmount, got.RefundedAmount
}

func TestMockPG_LostAnswerIsConfirmedNotRepeated(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	pg := withMockPG(t, r)
	p := r.captureRequested(t, "pay_1", 10000, 6000)

	// The PG captures, and its answer never arrives; lookups still answer.
	pg.set(t, mockpg.Settings{DropResponses: true})
	ctx, cancel := context.WithTimeout(ctxT(t), 2*time.Second)
	defer cancel()
	resp, err := r.worker.HandleCaptures(ctx, batch(r.message(t, "pay_1", payment.EventCaptureRequested, "msg-1", 1)))
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("HandleCaptures: %+v, %v", resp, err)
	}
	if got := r.get(t, "pay_1"); got.Status != payment.Captured || got.CapturedAmount != 6000 {
		t.Errorf("payment %s %d, want CAPTURED 6000", got.Status, got.CapturedAmount)
	}
	if state, captured, _ := pg.authorization(t, p.PGTransactionID); state != "CAPTURED" || captured != 6000 {
		t.Errorf("PG: %s captured %d, want CAPTURED 6000", state, captured)
	}

	// The refund's answer is lost too; the PG refunded once.
	r.refundRequested(t, "pay_1", "ref_1", 2500)
	resp, err = r.worker.HandleRefunds(ctx, batch(r.message(t, "pay_1", payment.EventRefundRequested, "msg-2", 1)))
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("HandleRefunds: %+v, %v", resp, err)
	}
	if _, _, refunded := pg.authorization(t, p.PGTransactionID); refunded != 2500 {
		t.Errorf("PG refunded %d, want 2500 once", refunded)
	}
	if got := r.get(t, "pay_1"); got.Status != payment.PartiallyRefunded || got.RefundedAmount != 2500 {
		t.Errorf("payment %s refunded %d, want PARTIALLY_REFUNDED 2500", got.Status, got.RefundedAmount)
	}
}

func TestMockPG_OutageThenRedelivery(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	pg := withMockPG(t, r)
	p := r.captureRequested(t, "pay_1", 10000, 0)

	pg.set(t, mockpg.Settings{Outage: true})
	ctx, cancel := context.WithTimeout(ctxT(t), 400*time.Millisecond)
	resp, err := r.worker.HandleCaptures(ctx, batch(r.message(t, "pay_1", payment.EventCaptureRequested, "msg-1", 1)))
	cancel()
	if err != nil || len(resp.BatchItemFailures) != 1 {
		t.Fatalf("during the outage: %+v, %v; want the message back on the queue", resp, err)
	}

	pg.set(t, mockpg.Settings{})
	resp, err = r.worker.HandleCaptures(ctxT(t), batch(r.message(t, "pay_1", payment.EventCaptureRequested, "msg-1", 2)))
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("after the outage: %+v, %v", resp, err)
	}
	if state, captured, _ := pg.authorization(t, p.PGTransactionID); state != "CAPTURED" || captured != 10000 {
		t.Errorf("PG: %s captured %d", state, captured)
	}
	if got := r.get(t, "pay_1"); got.Status != payment.Captured {
		t.Errorf("payment %s, want CAPTURED", got.Status)
	}
}

func TestMockPG_VoidTwice(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	pg := withMockPG(t, r)
	p := r.authorized(t, "pay_1", 10000)
	if _, err := r.svc.Void(ctxT(t), merchantID, "pay_1", nil); err != nil {
		t.Fatal(err)
	}
	for i, receive := range []int{1, 2} {
		resp, err := r.worker.HandleVoids(ctxT(t), batch(r.message(t, "pay_1", payment.EventVoided, "msg-1", receive)))
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("delivery %d: %+v, %v", i+1, resp, err)
		}
	}
	if state, _, _ := pg.authorization(t, p.PGTransactionID); state != "VOIDED" {
		t.Errorf("PG: %s, want VOIDED", state)
	}
	if n := r.failures.total(); n != 0 {
		t.Errorf("%d reasons recorded", n)
	}
}
