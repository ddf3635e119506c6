package ledger

import (
	"errors"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/payment"
)

// lifecycle runs one payment through the domain and returns one event of every type.
func lifecycle(t *testing.T) map[payment.EventType]payment.Event {
	t.Helper()
	out := map[payment.EventType]payment.Event{}
	keep := func(ev payment.Event, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		out[ev.Type] = ev
	}
	np := payment.NewPayment{ID: "pay_1", MerchantID: "m_1", OrderID: "o", Amount: 10_000, Currency: "KRW"}
	_, ev := payment.Authorize(np, payment.Authorization{Approved: false, DeclineCode: "do_not_honor"}, "ev_declined", t0)
	out[ev.Type] = ev
	voided, ev := payment.Authorize(np, payment.Authorization{Approved: true}, "ev_auth2", t0)
	keep(voided.Void("ev_voided", t0))
	failed, _ := payment.Authorize(np, payment.Authorization{Approved: true}, "ev_auth3", t0)
	keep(failed.RequestCapture(0, "ev_capreq3", t0))
	keep(failed.CaptureRefused("card_expired", "ev_capfailed", t0))

	p, ev := payment.Authorize(np, payment.Authorization{Approved: true}, "ev_auth", t0)
	out[ev.Type] = ev
	keep(p.RequestCapture(8_000, "ev_capreq", t0))
	keep(p.CaptureSucceeded("pgcap_1", "ev_captured", t0.Add(time.Second)))
	_, ev, err := p.RequestRefund("rf_1", 3_000, "", "ev_refreq", t0)
	keep(ev, err)
	keep(p.RefundSucceeded("rf_1", "pgrf_1", "ev_refunded", t0.Add(2*time.Second)))
	_, ev, err = p.RequestRefund("rf_2", 1_000, "", "ev_refreq2", t0)
	keep(ev, err)
	keep(p.RefundRefused("rf_2", "pg_refused", "ev_reffailed", t0))
	return out
}

func TestForEvent(t *testing.T) {
	t.Parallel()
	events := lifecycle(t)
	tests := []struct {
		typ  payment.EventType
		want *Journal // nil: nothing to post
	}{
		{payment.EventAuthorized, nil},
		{payment.EventDeclined, nil},
		{payment.EventCaptureRequested, nil},
		{payment.EventCaptured, &Journal{
			ID: "ev_captured", MerchantID: "m_1", PaymentID: "pay_1", Currency: "KRW", Kind: KindCapture, OccurredAt: t0.Add(time.Second),
			Postings: []Posting{{Account: PGReceivable, Debit: 8_000}, {Account: MerchantPayable("m_1"), Credit: 8_000}},
		}},
		{payment.EventCaptureFailed, nil},
		{payment.EventVoided, nil},
		{payment.EventRefundRequested, nil},
		{payment.EventRefunded, &Journal{
			ID: "ev_refunded", MerchantID: "m_1", PaymentID: "pay_1", Currency: "KRW", Kind: KindRefund, OccurredAt: t0.Add(2 * time.Second),
			Postings: []Posting{{Account: MerchantPayable("m_1"), Debit: 3_000}, {Account: PGReceivable, Credit: 3_000}},
		}},
		{payment.EventRefundFailed, nil},
	}
	if len(tests) != len(events) {
		t.Fatalf("the lifecycle made %d event types, the table has %d", len(events), len(tests))
	}
	for _, tc := range tests {
		t.Run(string(tc.typ), func(t *testing.T) {
			t.Parallel()
			ev, ok := events[tc.typ]
			if !ok {
				t.Fatalf("no %s event", tc.typ)
			}
			j, posts, err := ForEvent(ev)
			if err != nil {
				t.Fatalf("ForEvent: %v", err)
			}
			if posts != (tc.want != nil) {
				t.Fatalf("ForEvent posts %v, want %v", posts, tc.want != nil)
			}
			if tc.want == nil {
				if j.ID != "" || j.Postings != nil {
					t.Errorf("nothing to post, but got %+v", j)
				}
				return
			}
			if !sameJournal(j, *tc.want) {
				t.Errorf("ForEvent = %+v, want %+v", j, *tc.want)
			}
		})
	}
}

func TestForEvent_Invalid(t *testing.T) {
	t.Parallel()
	events := lifecycle(t)
	tests := []struct {
		name   string
		change func(*payment.Event)
	}{
		{"NoID", func(ev *payment.Event) { ev.ID = "" }},
		{"NoMerchant", func(ev *payment.Event) { ev.MerchantID = "" }},
		{"NoPayment", func(ev *payment.Event) { ev.PaymentID = "" }},
		{"ZeroAmount", func(ev *payment.Event) { ev.Data.Amount = 0 }},
		{"NegativeAmount", func(ev *payment.Event) { ev.Data.Amount = -5 }},
		{"UnknownCurrency", func(ev *payment.Event) { ev.Data.Currency = "ZZZ" }},
		{"NoTime", func(ev *payment.Event) { ev.OccurredAt = time.Time{} }},
		{"SchemaVersion2", func(ev *payment.Event) { ev.Version = 2 }},
		{"SchemaVersion0", func(ev *payment.Event) { ev.Version = 0 }},
	}
	for _, typ := range []payment.EventType{payment.EventCaptured, payment.EventRefunded} {
		for _, tc := range tests {
			t.Run(string(typ)+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				ev := events[typ]
				tc.change(&ev)
				j, ok, err := ForEvent(ev)
				if !errors.Is(err, ErrInvalidJournal) || ok || j.ID != "" {
					t.Errorf("ForEvent = %+v, %v, %v; want ErrInvalidJournal and no journal", j, ok, err)
				}
			})
		}
	}
	// An event that moves no money is not checked: there is nothing to get wrong.
	ev := events[payment.EventAuthorized]
	ev.Version, ev.Data.Currency = 9, ""
	if _, ok, err := ForEvent(ev); ok || err != nil {
		t.Errorf("ForEvent(authorized, odd) = %v, %v; want nothing to post", ok, err)
	}
	if _, ok, err := ForEvent(payment.Event{Type: "payment.something_new"}); ok || err != nil {
		t.Errorf("ForEvent(unknown type) = %v, %v; want nothing to post", ok, err)
	}
}

func sameJournal(a, b Journal) bool {
	if a.ID != b.ID || a.MerchantID != b.MerchantID || a.PaymentID != b.PaymentID || a.Currency != b.Currency ||
		a.Kind != b.Kind || !a.OccurredAt.Equal(b.OccurredAt) || len(a.Postings) != len(b.Postings) {
		return false
	}
	for i := range a.Postings {
		if a.Postings[i] != b.Postings[i] {
			return false
		}
	}
	return true
}
