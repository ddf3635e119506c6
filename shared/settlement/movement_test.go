package settlement_test

import (
	"errors"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/settlement"
)

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// captured makes a payment captured by the domain and returns it with its captured event.
func captured(t testing.TB, id, merchantID, currency string, amount int64, at time.Time) (*payment.Payment, payment.Event) {
	t.Helper()
	p, _ := payment.Authorize(payment.NewPayment{ID: id, MerchantID: merchantID, OrderID: "o-" + id, Amount: amount, Currency: currency},
		payment.Authorization{Approved: true, PGTransactionID: "pgtx_" + id}, "ev_auth_"+id, at)
	if _, err := p.RequestCapture(0, "ev_capreq_"+id, at); err != nil {
		t.Fatal(err)
	}
	ev, err := p.CaptureSucceeded("pgcap_"+id, "ev_cap_"+id, at)
	if err != nil {
		t.Fatal(err)
	}
	return p, ev
}

// refunded refunds amount of p through the domain and returns the refunded event.
func refunded(t testing.TB, p *payment.Payment, refundID string, amount int64, at time.Time) payment.Event {
	t.Helper()
	if _, _, err := p.RequestRefund(refundID, amount, "", "ev_rfreq_"+refundID, at); err != nil {
		t.Fatal(err)
	}
	ev, err := p.RefundSucceeded(refundID, "pgrf_"+refundID, "ev_rf_"+refundID, at)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestMovementFromEvent(t *testing.T) {
	t.Parallel()
	p, capEv := captured(t, "pay_1", "m_a", "USD", 1999, t0)
	rfEv := refunded(t, p, "rf_1", 500, t0.Add(time.Hour))
	got, ok, err := settlement.MovementFromEvent(capEv)
	want := settlement.Movement{EventID: "ev_cap_pay_1", MerchantID: "m_a", PaymentID: "pay_1", Currency: "USD",
		Kind: settlement.Capture, Amount: 1999, PGOperationID: "pgcap_pay_1", OccurredAt: t0}
	if err != nil || !ok || got != want {
		t.Errorf("captured: %+v, %v, %v; want %+v", got, ok, err, want)
	}
	got, ok, err = settlement.MovementFromEvent(rfEv)
	want = settlement.Movement{EventID: "ev_rf_rf_1", MerchantID: "m_a", PaymentID: "pay_1", Currency: "USD",
		Kind: settlement.Refund, Amount: 500, PGOperationID: "pgrf_rf_1", OccurredAt: t0.Add(time.Hour)}
	if err != nil || !ok || got != want {
		t.Errorf("refunded: %+v, %v, %v; want the refund's amount %+v", got, ok, err, want)
	}
	for _, typ := range []payment.EventType{payment.EventAuthorized, payment.EventDeclined, payment.EventCaptureRequested,
		payment.EventCaptureFailed, payment.EventVoided, payment.EventRefundRequested, payment.EventRefundFailed, "payment.unknown"} {
		ev := capEv
		ev.Type = typ
		if m, ok, err := settlement.MovementFromEvent(ev); ok || err != nil || m != (settlement.Movement{}) {
			t.Errorf("%s: %+v, %v, %v; want no movement", typ, m, ok, err)
		}
	}
	bad := []struct {
		name string
		edit func(*payment.Event)
	}{
		{"another schema version", func(e *payment.Event) { e.Version = 2 }},
		{"no id", func(e *payment.Event) { e.ID = "" }},
		{"no merchant", func(e *payment.Event) { e.MerchantID = "" }},
		{"no payment", func(e *payment.Event) { e.PaymentID = "" }},
		{"zero amount", func(e *payment.Event) { e.Data.Amount = 0 }},
		{"negative amount", func(e *payment.Event) { e.Data.Amount = -5 }},
		{"amount over the maximum", func(e *payment.Event) { e.Data.Amount = 1_000_000_000_001 }},
		{"unsupported currency", func(e *payment.Event) { e.Data.Currency = "usd" }},
		{"no time", func(e *payment.Event) { e.OccurredAt = time.Time{} }},
	}
	for _, tc := range bad {
		for _, base := range []payment.Event{capEv, rfEv} {
			ev := base
			tc.edit(&ev)
			if _, ok, err := settlement.MovementFromEvent(ev); ok || !errors.Is(err, settlement.ErrInvalidMovement) {
				t.Errorf("%s %s: ok %v, %v; want ErrInvalidMovement", base.Type, tc.name, ok, err)
			}
		}
	}
}

func TestTotalsAdd(t *testing.T) {
	t.Parallel()
	tot := settlement.Totals{Currency: "KRW"}
	tot.Add(settlement.Movement{Kind: settlement.Capture, Amount: 50_000})
	tot.Add(settlement.Movement{Kind: settlement.Capture, Amount: 1})
	tot.Add(settlement.Movement{Kind: settlement.Refund, Amount: 7})
	tot.Add(settlement.Movement{Kind: "chargeback", Amount: 1000}) // not a movement: ignored
	if want := (settlement.Totals{Currency: "KRW", Gross: 50_001, Refunded: 7, Captures: 2, Refunds: 1}); tot != want {
		t.Errorf("totals %+v, want %+v", tot, want)
	}
}
