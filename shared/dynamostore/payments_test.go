package dynamostore

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/idempotency"
	"github.com/paylane/paylane/shared/payment"
)

// claimed claims an idempotency key for owner and returns the completion that owner
// would write.
func claimed(t testing.TB, e *env, s *Payments, merchantID, key, owner string) *idempotency.Completion {
	t.Helper()
	now := e.clock.Now()
	existing, err := s.Claim(ctxT(t), idempotency.Record{
		MerchantID: merchantID, Key: key, RequestHash: "hash-" + key, Owner: owner,
		LeaseUntil: now.Add(10 * time.Second), ExpiresAt: now.Add(idempotency.TTL),
	}, now)
	if err != nil || existing != nil {
		t.Fatalf("Claim: existing %+v, err %v", existing, err)
	}
	return &idempotency.Completion{
		MerchantID: merchantID, Key: key, Owner: owner, ResponseStatus: 201,
		ResponseBody: []byte(`{"id":"x"}`), ExpiresAt: now.Add(idempotency.TTL),
	}
}

func TestPayments_Insert(t *testing.T) {
	t.Parallel()

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.paymentsStore(nil)
		done := claimed(t, e, s, "m_1", "key-1", "owner-a")
		p, ev := authorized("pay_1", "m_1", 50000, e.clock.Now())
		p.Metadata = map[string]string{"k": "v"}
		p.Description = "coffee"
		if err := s.Insert(ctxT(t), p, ev, done); err != nil {
			t.Fatalf("Insert: %v", err)
		}
		got, err := s.Get(ctxT(t), "m_1", "pay_1")
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		assertPaymentEqual(t, got, p)

		outbox := e.outboxItems(t, "pay_1")
		if len(outbox) != 1 {
			t.Fatalf("outbox records: got %d, want 1", len(outbox))
		}
		assertOutbox(t, outbox[0], ev, e.clock.Now())

		rec := e.rawItem(t, e.payments, idemKey("m_1", "key-1"))
		r, err := recordFromItem("m_1", "key-1", rec)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != idempotency.Completed || r.ResponseStatus != 201 || string(r.ResponseBody) != `{"id":"x"}` {
			t.Errorf("idempotency record: got %+v, want COMPLETED 201 with the body", r)
		}
		if _, ok := rec[attrLeaseUntil]; ok {
			t.Errorf("a completed record keeps its lease: %v", rec[attrLeaseUntil])
		}
	})

	t.Run("ErrConflictWhenThePaymentExists", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.paymentsStore(nil)
		p, ev := authorized("pay_1", "m_1", 100, e.clock.Now())
		mustInsert(t, s, p, ev)
		again, ev2 := authorized("pay_1", "m_1", 999, e.clock.Now())
		ev2.ID = "ev_other"
		err := s.Insert(ctxT(t), again, ev2, nil)
		if !errors.Is(err, payment.ErrConflict) {
			t.Fatalf("Insert of an existing id: got %v, want ErrConflict", err)
		}
		got, _ := s.Get(ctxT(t), "m_1", "pay_1")
		if got.Amount != 100 {
			t.Errorf("the first payment was overwritten: amount %d", got.Amount)
		}
		if n := len(e.outboxItems(t, "pay_1")); n != 1 {
			t.Errorf("outbox records after a refused insert: got %d, want 1", n)
		}
	})

	idemFailures := []struct {
		name  string
		setup func(t *testing.T, e *env, s *Payments) *idempotency.Completion
	}{
		{"AnotherOwnerTookOver", func(t *testing.T, e *env, s *Payments) *idempotency.Completion {
			done := claimed(t, e, s, "m_1", "key-1", "owner-b")
			done.Owner = "owner-a"
			return done
		}},
		{"RecordAlreadyCompleted", func(t *testing.T, e *env, s *Payments) *idempotency.Completion {
			done := claimed(t, e, s, "m_1", "key-1", "owner-a")
			if err := s.Complete(ctxT(t), *done); err != nil {
				t.Fatal(err)
			}
			return done
		}},
		{"RecordMissing", func(t *testing.T, e *env, s *Payments) *idempotency.Completion {
			return &idempotency.Completion{MerchantID: "m_1", Key: "key-1", Owner: "owner-a", ResponseStatus: 201}
		}},
	}
	for _, tc := range idemFailures {
		t.Run("InProgressWhen"+tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			s := e.paymentsStore(nil)
			done := tc.setup(t, e, s)
			p, ev := authorized("pay_1", "m_1", 100, e.clock.Now())
			err := s.Insert(ctxT(t), p, ev, done)
			if !fault.Is(err, fault.InProgress) {
				t.Fatalf("Insert: got %v, want %s", err, fault.InProgress)
			}
			// One transaction: nothing of the effect may be left behind.
			if _, err := s.Get(ctxT(t), "m_1", "pay_1"); !fault.Is(err, fault.NotFound) {
				t.Errorf("payment written despite the failed completion: %v", err)
			}
			if n := len(e.outboxItems(t, "pay_1")); n != 0 {
				t.Errorf("outbox records written despite the failed completion: %d", n)
			}
		})
	}
}

func TestPayments_Update(t *testing.T) {
	t.Parallel()

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.paymentsStore(nil)
		p, ev := authorized("pay_1", "m_1", 100, e.clock.Now())
		mustInsert(t, s, p, ev)
		done := claimed(t, e, s, "m_1", "key-cap", "owner-a")
		insertedAt := e.clock.Now()
		e.clock.Advance(time.Minute)
		capEv, err := p.RequestCapture(60, "ev_cap", e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Update(ctxT(t), p, []payment.Event{capEv}, done); err != nil {
			t.Fatalf("Update: %v", err)
		}
		got, err := s.Get(ctxT(t), "m_1", "pay_1")
		if err != nil {
			t.Fatal(err)
		}
		assertPaymentEqual(t, got, p)
		if got.Version != 2 || got.Status != payment.CaptureRequested || got.CapturedAmount != 60 {
			t.Errorf("stored: version %d status %s captured %d, want 2 CAPTURE_REQUESTED 60", got.Version, got.Status, got.CapturedAmount)
		}
		outbox := e.outboxItems(t, "pay_1")
		if len(outbox) != 2 {
			t.Fatalf("outbox records: got %d, want 2", len(outbox))
		}
		// Sort keys order a payment's events by version.
		assertOutbox(t, outbox[0], ev, insertedAt)
		assertOutbox(t, outbox[1], capEv, e.clock.Now())
		r, _ := recordFromItem("m_1", "key-cap", e.rawItem(t, e.payments, idemKey("m_1", "key-cap")))
		if r.Status != idempotency.Completed {
			t.Errorf("idempotency record: %s, want COMPLETED", r.Status)
		}
	})

	t.Run("SeveralEvents", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.paymentsStore(nil)
		p, ev := authorized("pay_1", "m_1", 100, e.clock.Now())
		mustInsert(t, s, p, ev)
		evs := []payment.Event{
			{ID: "ev_a", Type: payment.EventCaptured, PaymentID: "pay_1", MerchantID: "m_1", Data: payment.EventData{PaymentVersion: 2}},
			{ID: "ev_b", Type: payment.EventRefunded, PaymentID: "pay_1", MerchantID: "m_1", Data: payment.EventData{PaymentVersion: 2}},
		}
		p.Version++
		if err := s.Update(ctxT(t), p, evs, nil); err != nil {
			t.Fatalf("Update: %v", err)
		}
		if n := len(e.outboxItems(t, "pay_1")); n != 3 {
			t.Errorf("outbox records: got %d, want 3", n)
		}
	})

	conflicts := []struct {
		name   string
		mutate func(p *payment.Payment)
	}{
		{"StaleVersion", func(p *payment.Payment) {}},
		{"VersionAhead", func(p *payment.Payment) { p.Version += 2 }},
		{"PaymentMissing", func(p *payment.Payment) { p.ID = "pay_missing" }},
	}
	for _, tc := range conflicts {
		t.Run("ErrConflictWhen"+tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			s := e.paymentsStore(nil)
			p, ev := authorized("pay_1", "m_1", 100, e.clock.Now())
			mustInsert(t, s, p, ev)
			stale := *p
			// Another request voids it first.
			voidEv, err := p.Void("ev_void", e.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Update(ctxT(t), p, []payment.Event{voidEv}, nil); err != nil {
				t.Fatal(err)
			}
			capEv, err := stale.RequestCapture(0, "ev_cap", e.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			tc.mutate(&stale)
			capEv.PaymentID = stale.ID
			err = s.Update(ctxT(t), &stale, []payment.Event{capEv}, nil)
			if !errors.Is(err, payment.ErrConflict) {
				t.Fatalf("Update: got %v, want ErrConflict", err)
			}
			got, _ := s.Get(ctxT(t), "m_1", "pay_1")
			if got.Status != payment.Voided {
				t.Errorf("stored status %s, want VOIDED untouched", got.Status)
			}
			if n := len(e.outboxItems(t, stale.ID)); tc.name == "PaymentMissing" && n != 0 {
				t.Errorf("outbox of a missing payment: %d records", n)
			}
		})
	}

	t.Run("InProgressWhenTheKeyWasTakenOver", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.paymentsStore(nil)
		p, ev := authorized("pay_1", "m_1", 100, e.clock.Now())
		mustInsert(t, s, p, ev)
		done := claimed(t, e, s, "m_1", "key-1", "owner-b")
		done.Owner = "owner-a"
		voidEv, _ := p.Void("ev_void", e.clock.Now())
		err := s.Update(ctxT(t), p, []payment.Event{voidEv}, done)
		if !fault.Is(err, fault.InProgress) {
			t.Fatalf("Update: got %v, want %s", err, fault.InProgress)
		}
		got, _ := s.Get(ctxT(t), "m_1", "pay_1")
		if got.Status != payment.Authorized || got.Version != 1 {
			t.Errorf("stored %s v%d, want AUTHORIZED v1", got.Status, got.Version)
		}
	})
}

func TestPayments_Get(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.paymentsStore(nil)
	p, ev := authorized("pay_1", "m_1", 100, e.clock.Now())
	mustInsert(t, s, p, ev)

	tests := []struct {
		name, merchant, id string
		wantCode           fault.Code
	}{
		{"OK", "m_1", "pay_1", ""},
		{"Absent", "m_1", "pay_nope", fault.NotFound},
		{"AnotherMerchants", "m_2", "pay_1", fault.NotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.Get(ctxT(t), tc.merchant, tc.id)
			if tc.wantCode == "" {
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				assertPaymentEqual(t, got, p)
				return
			}
			if !fault.Is(err, tc.wantCode) || got != nil {
				t.Fatalf("Get: got %v, %v, want %s", got, err, tc.wantCode)
			}
		})
	}

	t.Run("SameAnswerForAbsentAndForeign", func(t *testing.T) {
		t.Parallel()
		_, absent := s.Get(ctxT(t), "m_2", "pay_nope")
		_, foreign := s.Get(ctxT(t), "m_2", "pay_1")
		var a, f *fault.Error
		if !errors.As(absent, &a) || !errors.As(foreign, &f) {
			t.Fatalf("not faults: %v, %v", absent, foreign)
		}
		if a.Code != f.Code || a.Field != f.Field {
			t.Errorf("a foreign payment answers differently from an absent one: %+v vs %+v", a, f)
		}
	})
}

func TestPayments_ItemLayout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.paymentsStore(nil)
	at := time.Date(2026, 3, 1, 21, 0, 0, 5000, time.FixedZone("KST", 9*3600))
	p, ev := authorized("pay_1", "m_1", 100, at)
	mustInsert(t, s, p, ev)
	it := e.rawItem(t, e.payments, paymentKey("pay_1"))

	wantS := map[string]string{
		"pk": "PAY#pay_1", "sk": "PAYMENT", "gsi1pk": "MERCHANT#m_1",
		"gsi1sk": "2026-03-01T12:00:00.000005000Z#pay_1", "id": "pay_1", "merchantId": "m_1",
		"orderId": "order-pay_1", "currency": "KRW", "status": "AUTHORIZED", "pgTransactionId": "pgtx_pay_1",
		"declineCode": "", "description": "", "createdAt": "2026-03-01T12:00:00.000005Z",
		"updatedAt": "2026-03-01T12:00:00.000005Z",
	}
	for name, want := range wantS {
		if got, ok := it[name].(*types.AttributeValueMemberS); !ok || got.Value != want {
			t.Errorf("%s: got %#v, want S %q", name, it[name], want)
		}
	}
	wantN := map[string]string{
		"amount": "100", "authorizedAmount": "100", "capturedAmount": "0", "refundedAmount": "0",
		"refundReserved": "0", "version": "1",
	}
	for name, want := range wantN {
		if got, ok := it[name].(*types.AttributeValueMemberN); !ok || got.Value != want {
			t.Errorf("%s: got %#v, want N %s", name, it[name], want)
		}
	}
	if l, ok := it["refunds"].(*types.AttributeValueMemberL); !ok || len(l.Value) != 0 {
		t.Errorf("refunds: got %#v, want an empty list", it["refunds"])
	}
	if _, ok := it["metadata"]; ok {
		t.Errorf("metadata stored although empty: %#v", it["metadata"])
	}
}

// assertPaymentEqual compares payments as a user would: every field, times by instant.
func assertPaymentEqual(t testing.TB, got, want *payment.Payment) {
	t.Helper()
	g, w := *got, *want
	if !g.CreatedAt.Equal(w.CreatedAt) || !g.UpdatedAt.Equal(w.UpdatedAt) {
		t.Errorf("times: got %v/%v, want %v/%v", g.CreatedAt, g.UpdatedAt, w.CreatedAt, w.UpdatedAt)
	}
	g.CreatedAt, g.UpdatedAt, w.CreatedAt, w.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if len(g.Refunds) != len(w.Refunds) {
		t.Fatalf("refunds: got %d, want %d", len(g.Refunds), len(w.Refunds))
	}
	g.Refunds, w.Refunds = append([]payment.Refund(nil), g.Refunds...), append([]payment.Refund(nil), w.Refunds...)
	for i := range g.Refunds {
		if !g.Refunds[i].CreatedAt.Equal(w.Refunds[i].CreatedAt) || !g.Refunds[i].UpdatedAt.Equal(w.Refunds[i].UpdatedAt) {
			t.Errorf("refund %d times differ", i)
		}
		g.Refunds[i].CreatedAt, g.Refunds[i].UpdatedAt = time.Time{}, time.Time{}
		w.Refunds[i].CreatedAt, w.Refunds[i].UpdatedAt = time.Time{}, time.Time{}
	}
	if len(g.Refunds) == 0 {
		g.Refunds, w.Refunds = nil, nil
	}
	if len(g.Metadata) == 0 && len(w.Metadata) == 0 {
		g.Metadata, w.Metadata = nil, nil
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("payment:\n got %+v\nwant %+v", g, w)
	}
}

// assertOutbox checks an outbox record against the event it must carry.
func assertOutbox(t testing.TB, it item, ev payment.Event, now time.Time) {
	t.Helper()
	r := reader{item: it}
	wantSK := "OUTBOX#" + leftPad(ev.Data.PaymentVersion) + "#" + ev.ID
	if sk := r.str("sk"); sk != wantSK {
		t.Errorf("outbox sk: got %q, want %q", sk, wantSK)
	}
	if typ := r.str("type"); typ != string(ev.Type) {
		t.Errorf("outbox type: got %q, want %q", typ, ev.Type)
	}
	if id := r.str("eventId"); id != ev.ID {
		t.Errorf("outbox eventId: got %q, want %q", id, ev.ID)
	}
	if exp := r.int("expiresAt"); exp != now.Add(7*24*time.Hour).Unix() {
		t.Errorf("outbox expiresAt: got %d, want 7 days after %v", exp, now)
	}
	var got payment.Event
	if err := json.Unmarshal([]byte(r.str("event")), &got); err != nil {
		t.Fatalf("outbox event is not the JSON envelope: %v", err)
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !got.OccurredAt.Equal(ev.OccurredAt) {
		t.Errorf("event occurredAt: got %v, want %v", got.OccurredAt, ev.OccurredAt)
	}
	got.OccurredAt, ev.OccurredAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, ev) {
		t.Errorf("event:\n got %+v\nwant %+v", got, ev)
	}
}

func leftPad(v int64) string {
	s := strconv.FormatInt(v, 10)
	for len(s) < 10 {
		s = "0" + s
	}
	return s
}
