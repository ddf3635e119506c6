package relay

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/payment"
)

// FuzzOutboxEvent feeds arbitrary event attributes to the decoder: it never panics, what
// it accepts has the fields consumers key on, and what it accepts survives re-encoding
// (the publisher re-encodes the decoded event as the bus detail).
func FuzzOutboxEvent(f *testing.F) {
	good, err := json.Marshal(newEvent("pay_a", 3))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{string(good), "", "null", "{}", `{"id":"e","type":"t","paymentId":"p"}`, `{"id":1}`, "[", `{"id":"e","type":"t","paymentId":"p","occurredAt":"yesterday"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		rec := rawOutboxRecord(seq(0), "OUTBOX#0000000001#e", "p",
			map[string]events.DynamoDBAttributeValue{"event": events.NewStringAttribute(body)})
		ev, isOutbox, err := outboxEvent(rec)
		if !isOutbox {
			t.Fatal("an outbox INSERT was not recognised as one")
		}
		if err != nil {
			if err.Error() == "" {
				t.Fatal("poison without a reason")
			}
			return
		}
		if ev.ID == "" || ev.Type == "" || ev.PaymentID == "" {
			t.Fatalf("accepted %+v without id, type or paymentId", ev)
		}
		again, err := json.Marshal(ev)
		if err != nil {
			t.Fatalf("accepted an event that does not encode: %v", err)
		}
		var back payment.Event
		if err := json.Unmarshal(again, &back); err != nil {
			t.Fatalf("re-encoded event does not decode: %v", err)
		}
		if back.ID != ev.ID || back.Type != ev.Type || back.PaymentID != ev.PaymentID || !back.OccurredAt.Equal(ev.OccurredAt) || back.Data != ev.Data {
			t.Fatalf("round trip changed %+v into %+v", ev, back)
		}
	})
}
