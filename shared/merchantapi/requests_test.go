package merchantapi

import (
	"errors"
	"strings"
	"testing"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/money"
)

func TestParseAuthorize(t *testing.T) {
	t.Parallel()
	ok := `{"amount":50000,"currency":"KRW","orderId":"order-123","paymentMethod":"pm_card_visa","description":"d","metadata":{"k":"v"}}`
	r, err := parseAuthorize([]byte(ok))
	if err != nil || r.Amount != 50000 || r.Currency != "KRW" || r.OrderID != "order-123" || r.Metadata["k"] != "v" {
		t.Fatalf("valid request: %+v %v", r, err)
	}
	tests := []struct {
		name, body, field string
	}{
		{"amount missing", `{"currency":"KRW","orderId":"o","paymentMethod":"p"}`, "amount"},
		{"amount null", `{"amount":null,"currency":"KRW","orderId":"o","paymentMethod":"p"}`, "amount"},
		{"amount decimal", `{"amount":1.5,"currency":"KRW","orderId":"o","paymentMethod":"p"}`, "amount"},
		{"amount exponent", `{"amount":1e3,"currency":"KRW","orderId":"o","paymentMethod":"p"}`, "amount"},
		{"amount string", `{"amount":"100","currency":"KRW","orderId":"o","paymentMethod":"p"}`, "amount"},
		{"amount negative", `{"amount":-100,"currency":"KRW","orderId":"o","paymentMethod":"p"}`, "amount"},
		{"amount overflow", `{"amount":99999999999999999999,"currency":"KRW","orderId":"o","paymentMethod":"p"}`, "amount"},
		{"amount over max", `{"amount":1000000000001,"currency":"KRW","orderId":"o","paymentMethod":"p"}`, "amount"},
		{"currency lower case", `{"amount":1,"currency":"krw","orderId":"o","paymentMethod":"p"}`, "currency"},
		{"currency number", `{"amount":1,"currency":410,"orderId":"o","paymentMethod":"p"}`, "currency"},
		{"orderId too long", `{"amount":1,"currency":"KRW","orderId":"` + strings.Repeat("o", 65) + `","paymentMethod":"p"}`, "orderId"},
		{"orderId empty", `{"amount":1,"currency":"KRW","orderId":"","paymentMethod":"p"}`, "orderId"},
		{"paymentMethod missing", `{"amount":1,"currency":"KRW","orderId":"o"}`, "paymentMethod"},
		{"description too long", `{"amount":1,"currency":"KRW","orderId":"o","paymentMethod":"p","description":"` + strings.Repeat("d", 256) + `"}`, "description"},
		{"metadata not strings", `{"amount":1,"currency":"KRW","orderId":"o","paymentMethod":"p","metadata":{"k":1}}`, "metadata"},
		{"unknown field", `{"amount":1,"currency":"KRW","orderId":"o","paymentMethod":"p","extra":true}`, "extra"},
		{"array body", `[1,2]`, ""},
		{"trailing data", ok + `{}`, ""},
		{"empty", ``, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseAuthorize([]byte(tc.body))
			var fe *fault.Error
			if !errors.As(err, &fe) || fe.Code != fault.Invalid || fe.Field != tc.field {
				t.Fatalf("err = %#v, want invalid_request on field %q", err, tc.field)
			}
		})
	}
	t.Run("too many metadata pairs", func(t *testing.T) {
		t.Parallel()
		var pairs []string
		for i := range 21 {
			pairs = append(pairs, `"k`+strings.Repeat("x", i)+`":"v"`)
		}
		body := `{"amount":1,"currency":"KRW","orderId":"o","paymentMethod":"p","metadata":{` + strings.Join(pairs, ",") + `}}`
		if _, err := parseAuthorize([]byte(body)); !fault.Is(err, fault.Invalid) {
			t.Fatalf("21 metadata pairs: %v", err)
		}
	})
}

func TestParseOptionalBodies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body   string
		amount int64
		ok     bool
	}{{"", 0, true}, {"  ", 0, true}, {"{}", 0, true}, {`{"amount":5}`, 5, true}, {`{"amount":0}`, 0, false}, {`{"amt":5}`, 0, false}, {`null`, 0, false}} {
		got, err := parseCapture([]byte(tc.body))
		if (err == nil) != tc.ok || got != tc.amount {
			t.Errorf("parseCapture(%q) = %d, %v", tc.body, got, err)
		}
	}
	if amount, reason, err := parseRefund([]byte(`{"amount":10,"reason":"damaged"}`)); err != nil || amount != 10 || reason != "damaged" {
		t.Errorf("parseRefund: %d %q %v", amount, reason, err)
	}
	if err := parseVoid([]byte(`{"amount":1}`)); !fault.Is(err, fault.Invalid) {
		t.Errorf("void with a body field: %v", err)
	}
}

func TestParsePaymentID(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"", "pay_", "pay_../../x", "PAY_abcdefghijklmnopqrstuvwxyz", "pay_abcdefghijklmnopqrstuvwxy1"} {
		if _, err := parsePaymentID(id); !fault.Is(err, fault.NotFound) {
			t.Errorf("parsePaymentID(%q) = %v, want not_found", id, err)
		}
	}
	if _, err := parsePaymentID("pay_abcdefghijklmnopqrstuvwxyz"); err != nil {
		t.Error(err)
	}
}

// FuzzParseAuthorize: no body makes the parser panic, and whatever it accepts is a valid
// authorization request (ARCHITECTURE.md: bad input gets a clear error and changes nothing).
func FuzzParseAuthorize(f *testing.F) {
	f.Add([]byte(`{"amount":50000,"currency":"KRW","orderId":"order-123","paymentMethod":"pm_card_visa"}`))
	f.Add([]byte(`{"amount":1.5,"currency":"USD","orderId":"o","paymentMethod":"p","metadata":{"a":"b"}}`))
	f.Add([]byte(`{"amount":"1","currency":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := parseAuthorize(body)
		if err != nil {
			if fault.CodeOf(err) != fault.Invalid {
				t.Fatalf("a parse error that is not invalid_request: %v", err)
			}
			return
		}
		if money.ValidateAmount("amount", r.Amount) != nil {
			t.Fatalf("accepted amount %d", r.Amount)
		}
		if _, err := money.LookupCurrency(r.Currency); err != nil {
			t.Fatalf("accepted currency %q", r.Currency)
		}
		if r.OrderID == "" || r.PaymentMethod == "" || len(r.Metadata) > maxMetadata {
			t.Fatalf("accepted %+v", r)
		}
	})
}

func FuzzParseList(f *testing.F) {
	f.Add("CAPTURED", "2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z", "20")
	f.Add("", "", "", "0")
	f.Fuzz(func(t *testing.T, status, from, to, limit string) {
		q, err := parseList(map[string]string{"status": status, "from": from, "to": to, "limit": limit})
		if err != nil {
			if fault.CodeOf(err) != fault.Invalid {
				t.Fatalf("a parse error that is not invalid_request: %v", err)
			}
			return
		}
		if !q.Status.Valid() || q.Limit < 1 || q.Limit > 100 {
			t.Fatalf("accepted %+v", q)
		}
	})
}
