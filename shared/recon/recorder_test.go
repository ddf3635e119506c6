package recon_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/recon"
	"github.com/paylane/paylane/shared/recon/recontest"
)

// envelope is a payment event as the bus delivers it to a queue.
func envelope(t testing.TB, ev payment.Event) string {
	t.Helper()
	detail, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(events.EventBridgeEvent{
		Version: "0", ID: "eb-" + ev.ID, DetailType: string(ev.Type), Source: payment.EventSource,
		AccountID: "000000000000", Time: ev.OccurredAt, Region: "us-east-1", Detail: detail,
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func paymentEvent(id string, typ payment.EventType, data payment.EventData) payment.Event {
	data.Currency = "KRW"
	return payment.Event{ID: id, Type: typ, OccurredAt: day0.Add(3 * time.Hour), MerchantID: "m_shop", PaymentID: "pay_1", Version: 1, Data: data}
}

func TestRecorderHandle(t *testing.T) {
	t.Parallel()
	env := recontest.NewEnv(t)
	store := env.Store(nil)
	r := &recon.Recorder{Records: store}
	msgs := []struct {
		id, body string
		ok       bool
	}{
		{"authorized", envelope(t, paymentEvent("e1", payment.EventAuthorized, payment.EventData{Amount: 5000, PGTransactionID: "pgtx_1"})), true},
		{"captured", envelope(t, paymentEvent("e2", payment.EventCaptured, payment.EventData{Amount: 4000, PGOperationID: "pgcap_1", PGTransactionID: "pgtx_1"})), true},
		{"refunded", envelope(t, paymentEvent("e3", payment.EventRefunded, payment.EventData{Amount: 1000, PGOperationID: "pgrf_1", RefundID: "rf_1"})), true},
		{"refunded again (redelivery)", envelope(t, paymentEvent("e3", payment.EventRefunded, payment.EventData{Amount: 1000, PGOperationID: "pgrf_1", RefundID: "rf_1"})), true},
		{"voided", envelope(t, paymentEvent("e4", payment.EventVoided, payment.EventData{Amount: 5000})), true},
		{"capture requested: no PG operation yet", envelope(t, paymentEvent("e5", payment.EventCaptureRequested, payment.EventData{Amount: 4000})), true},
		{"declined: no money moved", envelope(t, paymentEvent("e6", payment.EventDeclined, payment.EventData{Amount: 4000})), true},
		{"captured without the PG's id", envelope(t, paymentEvent("e7", payment.EventCaptured, payment.EventData{Amount: 4000})), false},
		{"refunded without an amount", envelope(t, paymentEvent("e8", payment.EventRefunded, payment.EventData{PGOperationID: "pgrf_2"})), false},
		{"not JSON", "{", false},
		{"another source", `{"source":"aws.s3","detail-type":"x","detail":{}}`, false},
		{"no detail", `{"source":"paylane.payments","detail-type":"payment.captured"}`, false},
		{"detail-type disagrees", `{"source":"paylane.payments","detail-type":"payment.voided","detail":{"id":"e9","type":"payment.captured"}}`, false},
		{"no event id", `{"source":"paylane.payments","detail-type":"payment.captured","detail":{"type":"payment.captured"}}`, false},
	}
	var in events.SQSEvent
	for _, m := range msgs {
		in.Records = append(in.Records, events.SQSMessage{MessageId: m.id, Body: m.body})
	}
	resp, err := r.Handle(ctxT(t), in)
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
	}
	for _, m := range msgs {
		if failed[m.id] == m.ok {
			t.Errorf("%s: failed %t, want %t", m.id, failed[m.id], !m.ok)
		}
	}
	recs, err := store.OfPayment(ctxT(t), "pay_1")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]recon.Record{
		"AUTH#id:pgtx_1":     {Type: recon.Auth, PGID: "pgtx_1", Amount: 5000},
		"CAPTURE#id:pgcap_1": {Type: recon.Capture, PGID: "pgcap_1", Amount: 4000},
		"REFUND#id:pgrf_1":   {Type: recon.Refund, PGID: "pgrf_1", Amount: 1000},
		"VOID#pay:pay_1":     {Type: recon.Void, Amount: 5000},
	}
	if len(recs) != len(want) {
		t.Fatalf("records %+v", recs)
	}
	for _, got := range recs {
		w, ok := want[got.Key()]
		if !ok || got.Type != w.Type || got.PGID != w.PGID || got.Amount != w.Amount || got.Currency != "KRW" ||
			got.MerchantID != "m_shop" || !got.At.Equal(day0.Add(3*time.Hour)) {
			t.Errorf("record %s: %+v", got.Key(), got)
		}
	}
	// The record is findable every way the rules look.
	byDay := 0
	if err := store.EachOfDay(ctxT(t), "2026-03-01", "", func(p []string, _ string) error { byDay += len(p); return nil }); err != nil || byDay != 4 {
		t.Errorf("%d records of the day, %v", byDay, err)
	}
	near, err := store.Near(ctxT(t), recon.NearQuery{MerchantID: "m_shop", Type: recon.Capture, Currency: "KRW", Amount: 4000, At: day0.Add(3*time.Hour + time.Minute), Within: 2 * time.Minute})
	if err != nil || len(near) != 1 || near[0].PGID != "pgcap_1" {
		t.Errorf("near: %+v, %v", near, err)
	}
}

func TestRecorderStoreFailureIsRetried(t *testing.T) {
	t.Parallel()
	env := recontest.NewEnv(t)
	failing := recontest.HookDB{ReconDB: env.DB, Hook: func(string, any) error { return errBoom }}
	r := &recon.Recorder{Records: env.Store(failing)}
	ev := paymentEvent("e1", payment.EventCaptured, payment.EventData{Amount: 4000, PGOperationID: "pgcap_1"})
	resp, err := r.Handle(ctxT(t), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", Body: envelope(t, ev)}}})
	if err != nil || len(resp.BatchItemFailures) != 1 {
		t.Errorf("%+v, %v", resp, err)
	}
	if err := r.RecordEvent(ctxT(t), ev); !errors.Is(err, errBoom) || errors.Is(err, recon.ErrInvalidRecord) {
		t.Errorf("RecordEvent: %v", err)
	}
	if _, err := (&recon.Recorder{}).Handle(ctxT(t), events.SQSEvent{}); err == nil {
		t.Error("a recorder without a store handled a batch")
	}
}

func TestRecordFromEvent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		ev      payment.Event
		ok      bool
		invalid bool
	}{
		{"authorized", paymentEvent("e", payment.EventAuthorized, payment.EventData{Amount: 1, PGTransactionID: "pgtx"}), true, false},
		{"authorized without the PG's id", paymentEvent("e", payment.EventAuthorized, payment.EventData{Amount: 1}), false, true},
		{"voided needs no PG id", paymentEvent("e", payment.EventVoided, payment.EventData{Amount: 1}), true, false},
		{"refund failed makes none", paymentEvent("e", payment.EventRefundFailed, payment.EventData{Amount: 1}), false, false},
		{"a control character in an id", paymentEvent("e", payment.EventCaptured, payment.EventData{Amount: 1, PGOperationID: "pg\x00cap"}), false, true},
		{"no time", func() payment.Event {
			ev := paymentEvent("e", payment.EventCaptured, payment.EventData{Amount: 1, PGOperationID: "pgcap"})
			ev.OccurredAt = time.Time{}
			return ev
		}(), false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, ok, err := recon.RecordFromEvent(tc.ev)
			if ok != tc.ok || errors.Is(err, recon.ErrInvalidRecord) != tc.invalid || (err != nil) != tc.invalid {
				t.Errorf("ok %t err %v, want ok %t invalid %t", ok, err, tc.ok, tc.invalid)
			}
		})
	}
}
