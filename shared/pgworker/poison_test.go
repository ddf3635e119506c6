package pgworker_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/payment"
)

func poisonMessage(id, body string) events.SQSMessage {
	return events.SQSMessage{MessageId: id, Body: body, Attributes: map[string]string{"ApproximateReceiveCount": "1"}}
}

// envelope builds an EventBridge envelope around detail, with the given source and
// detail-type.
func envelope(t *testing.T, source, detailType string, detail any) string {
	t.Helper()
	d, err := json.Marshal(detail)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(events.EventBridgeEvent{Version: "0", ID: "eb-1", Source: source, DetailType: detailType, Detail: d})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A poison message fails (and so reaches the DLQ after maxReceiveCount) with its reason
// recorded; it never blocks the good message beside it, and never vanishes.
func TestHandle_PoisonMessages(t *testing.T) {
	t.Parallel()
	good := payment.Event{
		ID: "ev_9", Type: payment.EventCaptureRequested, MerchantID: merchantID, PaymentID: "pay_x", Version: 1,
	}
	with := func(f func(*payment.Event)) payment.Event {
		ev := good
		f(&ev)
		return ev
	}
	tests := []struct {
		name, body, wantReason string
	}{
		{"NotJSON", "{not json", "not an EventBridge event"},
		{"Empty", "", "not an EventBridge event"},
		{"DetailNotAnEvent", envelope(t, payment.EventSource, "payment.capture_requested", []int{1}), "not a payment event"},
		{"WrongSource", envelope(t, "someone.else", "payment.capture_requested", good), "source"},
		{"WrongType", envelope(t, payment.EventSource, "payment.refund_requested",
			with(func(e *payment.Event) { e.Type = payment.EventRefundRequested; e.Data.RefundID = "r" })), "this queue takes payment.capture_requested"},
		{"DetailTypeMismatch", envelope(t, payment.EventSource, "payment.captured", good), "detail-type"},
		{"NoPaymentID", envelope(t, payment.EventSource, "payment.capture_requested", with(func(e *payment.Event) { e.PaymentID = "" })), "lacks"},
		{"NoMerchantID", envelope(t, payment.EventSource, "payment.capture_requested", with(func(e *payment.Event) { e.MerchantID = "" })), "lacks"},
		{"NoEventID", envelope(t, payment.EventSource, "payment.capture_requested", with(func(e *payment.Event) { e.ID = "" })), "has no id"},
		{"RawEventWithoutEnvelope", func() string { b, _ := json.Marshal(good); return string(b) }(), "source"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			r.captureRequested(t, "pay_1", 10000, 0)
			resp, err := r.worker.HandleCaptures(ctxT(t), batch(
				poisonMessage("poison", tc.body),
				r.message(t, "pay_1", payment.EventCaptureRequested, "good", 1),
			))
			if err != nil || !reflect.DeepEqual(failedIDs(resp), []string{"poison"}) {
				t.Fatalf("HandleCaptures: %+v, %v; want only the poison message failed", resp, err)
			}
			if reasons := r.failures.of("paylane-capture", "poison"); len(reasons) != 1 || !strings.Contains(reasons[0], tc.wantReason) {
				t.Errorf("reasons %q, want one containing %q", reasons, tc.wantReason)
			}
			if p := r.get(t, "pay_1"); p.Status != payment.Captured {
				t.Errorf("the good message's payment is %s, want CAPTURED", p.Status)
			}
		})
	}

	t.Run("RefundWithoutRefundID", func(t *testing.T) {
		t.Parallel()
		r := newRig(t)
		ev := with(func(e *payment.Event) { e.Type = payment.EventRefundRequested })
		resp, err := r.worker.HandleRefunds(ctxT(t), batch(poisonMessage("poison", envelope(t, payment.EventSource, string(ev.Type), ev))))
		if err != nil || len(resp.BatchItemFailures) != 1 {
			t.Fatalf("HandleRefunds: %+v, %v", resp, err)
		}
		if reasons := r.failures.of("paylane-capture", "poison"); len(reasons) != 1 || !strings.Contains(reasons[0], "refund id") {
			t.Errorf("reasons %q", reasons)
		}
	})
}
