package pgworker

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/payment"
)

func envelopeOf(t testing.TB, ev payment.Event) string {
	t.Helper()
	d, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(events.EventBridgeEvent{
		Version: "0", ID: "eb", DetailType: string(ev.Type), Source: payment.EventSource,
		AccountID: "000000000000", Region: "us-east-1", Resources: []string{}, Detail: d,
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A real delivery: the envelope EventBridge writes to an SQS target, as in the events/
// samples. Fields decode to the event the API wrote.
func TestDecode_EventBridgeDelivery(t *testing.T) {
	t.Parallel()
	body := `{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"payment.refund_requested",` +
		`"source":"paylane.payments","account":"000000000000","time":"2026-03-01T12:00:00Z","region":"us-east-1",` +
		`"resources":[],"detail":{"id":"ev_1","type":"payment.refund_requested","occurredAt":"2026-03-01T12:00:00.123456789Z",` +
		`"merchantId":"m_1","paymentId":"pay_1","version":1,"data":{"amount":3000,"currency":"KRW","status":"CAPTURED",` +
		`"paymentVersion":4,"authorizedAmount":10000,"capturedAmount":10000,"refundId":"ref_1","pgTransactionId":"pgtx_1"}}}`
	m, err := decode(events.SQSMessage{MessageId: "msg-1", Body: body, Attributes: map[string]string{"ApproximateReceiveCount": "1"}}, payment.EventRefundRequested)
	if err != nil {
		t.Fatal(err)
	}
	want := payment.Event{
		ID: "ev_1", Type: payment.EventRefundRequested, OccurredAt: time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC),
		MerchantID: "m_1", PaymentID: "pay_1", Version: 1,
		Data: payment.EventData{Amount: 3000, Currency: "KRW", Status: payment.Captured, PaymentVersion: 4,
			AuthorizedAmount: 10000, CapturedAmount: 10000, RefundID: "ref_1", PGTransactionID: "pgtx_1"},
	}
	if m.id != "msg-1" || m.redelivered || !reflect.DeepEqual(m.event, want) {
		t.Errorf("got %+v\nwant the event %+v", m, want)
	}
}

func TestRedelivered(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		attrs map[string]string
		want  bool
	}{
		{map[string]string{"ApproximateReceiveCount": "1"}, false},
		{map[string]string{"ApproximateReceiveCount": "2"}, true},
		{map[string]string{"ApproximateReceiveCount": "17"}, true},
		// Unknown: asking the PG first is the safe side.
		{map[string]string{"ApproximateReceiveCount": "x"}, true},
		{nil, true},
	} {
		if got := redelivered(events.SQSMessage{Attributes: tc.attrs}); got != tc.want {
			t.Errorf("%v: got %v, want %v", tc.attrs, got, tc.want)
		}
	}
}

// FuzzDecode: whatever the body, decode returns an error or a message for the queue's
// event type with the ids a worker needs; never a panic. A valid event survives the
// envelope unchanged.
func FuzzDecode(f *testing.F) {
	ev := payment.Event{ID: "ev_1", Type: payment.EventCaptureRequested, MerchantID: "m_1", PaymentID: "pay_1", Version: 1,
		OccurredAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Data: payment.EventData{Amount: 5, Currency: "KRW"}}
	f.Add(envelopeOf(f, ev), "capture_requested")
	ev.Type, ev.Data.RefundID = payment.EventRefundRequested, "ref_1"
	f.Add(envelopeOf(f, ev), "refund_requested")
	f.Add(`{"source":"paylane.payments","detail-type":"payment.voided","detail":{"type":"payment.voided"}}`, "voided")
	f.Add(`{"detail":null}`, "voided")
	f.Add(`[]`, "voided")
	f.Add(`{"source":"paylane.payments","detail-type":"payment.voided","detail":{"id":"e","type":"payment.voided",`+
		`"merchantId":"m","paymentId":"p","occurredAt":"2026-03-01T09:00:00+09:00"}}`, "voided")
	f.Fuzz(func(t *testing.T, body, typ string) {
		want := payment.EventType("payment." + typ)
		m, err := decode(events.SQSMessage{MessageId: "m", Body: body}, want)
		if err != nil {
			return
		}
		if m.event.Type != want || m.event.ID == "" || m.event.MerchantID == "" || m.event.PaymentID == "" {
			t.Fatalf("accepted %+v for %s", m.event, want)
		}
		if want == payment.EventRefundRequested && m.event.Data.RefundID == "" {
			t.Fatalf("accepted a refund event without its refund id")
		}
		again, err := decode(events.SQSMessage{MessageId: "m", Body: envelopeOf(t, m.event)}, want)
		if err == nil && !again.event.OccurredAt.Equal(m.event.OccurredAt) {
			t.Fatalf("round trip moved occurredAt from %s to %s", m.event.OccurredAt, again.event.OccurredAt)
		}
		// Zones compare by pointer in DeepEqual; the instant was compared above.
		again.event.OccurredAt, m.event.OccurredAt = time.Time{}, time.Time{}
		if err != nil || !reflect.DeepEqual(again.event, m.event) {
			t.Fatalf("round trip: %+v, %v; want %+v", again.event, err, m.event)
		}
	})
}

func TestJitterStaysWithinHalfAndFull(t *testing.T) {
	t.Parallel()
	for _, d := range []time.Duration{0, 1, 2, 3, time.Millisecond, 200 * time.Millisecond, 10 * time.Second} {
		for range 200 {
			if got := jitter(d); got < d/2 || got > d {
				t.Fatalf("jitter(%s) = %s, outside [%s, %s]", d, got, d/2, d)
			}
		}
	}
}
