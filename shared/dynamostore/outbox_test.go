package dynamostore

import (
	"testing"

	"github.com/paylane/paylane/shared/payment"
)

func TestOutboxEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.paymentsStore(nil)
	captured(t, s, "pay_outbox1", "m_demo", 5000, e.clock.Now())
	captured(t, s, "pay_outbox2", "m_demo", 100, e.clock.Now()) // another payment's events stay out
	evs, err := s.OutboxEvents(ctxT(t), "pay_outbox1")
	if err != nil {
		t.Fatal(err)
	}
	want := []payment.EventType{payment.EventAuthorized, payment.EventCaptureRequested, payment.EventCaptured}
	if len(evs) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(evs), len(want), evs)
	}
	for i, ev := range evs {
		if ev.Type != want[i] || ev.PaymentID != "pay_outbox1" || ev.ID == "" {
			t.Errorf("event %d = %s %s, want %s", i, ev.Type, ev.PaymentID, want[i])
		}
	}
	if evs, err := s.OutboxEvents(ctxT(t), "pay_none"); err != nil || len(evs) != 0 {
		t.Errorf("no payment: %v %v", evs, err)
	}
}
