package ledger

import (
	"strings"
	"testing"

	"github.com/paylane/paylane/shared/payment"
)

const goodDetail = `{"id":"ev_1","type":"payment.captured","occurredAt":"2026-03-01T10:00:00Z","merchantId":"m_1","paymentId":"pay_1","version":1,"data":{"amount":100,"currency":"KRW","status":"CAPTURED","paymentVersion":3,"authorizedAmount":100}}`

func body(detailType, source, detail string) string {
	return `{"version":"0","id":"eb-1","detail-type":"` + detailType + `","source":"` + source +
		`","account":"000000000000","time":"2026-03-01T10:00:01Z","region":"us-east-1","resources":[],"detail":` + detail + `}`
}

func TestDecodeMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		body   string
		reason string // "" when the message decodes
	}{
		{"Captured", body("payment.captured", "paylane.payments", goodDetail), ""},
		{"NewFieldsIgnored", body("payment.captured", "paylane.payments",
			strings.Replace(goodDetail, `"version":1`, `"version":1,"traceId":"x"`, 1)), ""},
		{"Empty", "", "not an EventBridge event"},
		{"NotJSON", "hello", "not an EventBridge event"},
		{"Array", "[]", "not an EventBridge event"},
		{"BareEvent", goodDetail, "source"},
		{"OtherSource", body("payment.captured", "aws.s3", goodDetail), "source"},
		{"NoDetail", `{"detail-type":"payment.captured","source":"paylane.payments"}`, "no detail"},
		{"NullDetail", body("payment.captured", "paylane.payments", "null"), "no detail"},
		{"DetailString", body("payment.captured", "paylane.payments", `"x"`), "not a payment event"},
		{"AmountNotNumber", body("payment.captured", "paylane.payments", strings.Replace(goodDetail, `"amount":100`, `"amount":"100"`, 1)), "not a payment event"},
		{"AmountFraction", body("payment.captured", "paylane.payments", strings.Replace(goodDetail, `"amount":100`, `"amount":1.5`, 1)), "not a payment event"},
		{"BadTime", body("payment.captured", "paylane.payments", strings.Replace(goodDetail, `2026-03-01T10:00:00Z`, `yesterday`, 1)), "not a payment event"},
		{"NoEventID", body("payment.captured", "paylane.payments", strings.Replace(goodDetail, `"id":"ev_1"`, `"id":""`, 1)), "no id"},
		{"NoType", body("", "paylane.payments", strings.Replace(goodDetail, `"type":"payment.captured"`, `"type":""`, 1)), "no type"},
		{"TypeMismatch", body("payment.refunded", "paylane.payments", goodDetail), "detail-type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev, err := decodeMessage(tc.body)
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("decodeMessage: %v", err)
				}
				if ev.ID != "ev_1" || ev.Type != payment.EventCaptured || ev.Data.Amount != 100 || ev.PaymentID != "pay_1" || !ev.OccurredAt.Equal(t0) {
					t.Errorf("decodeMessage = %+v", ev)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("decodeMessage = %+v, %v; want an error about %q", ev, err, tc.reason)
			}
		})
	}
}

// Whatever the body, decoding never panics, and what it accepts names an event whose type
// is the envelope's detail-type.
func FuzzDecodeMessage(f *testing.F) {
	f.Add(body("payment.captured", "paylane.payments", goodDetail))
	f.Add(body("payment.refunded", "paylane.payments", strings.Replace(goodDetail, "captured", "refunded", 1)))
	f.Add(`{"source":"paylane.payments","detail":{}}`)
	f.Add("")
	f.Fuzz(func(t *testing.T, body string) {
		ev, err := decodeMessage(body)
		if err != nil {
			return
		}
		if ev.ID == "" || ev.Type == "" {
			t.Errorf("decodeMessage accepted %q as %+v", body, ev)
		}
		if _, _, err := ForEvent(ev); err != nil && !isInvalid(err) {
			t.Errorf("ForEvent(%+v) = %v, not an invalid journal", ev, err)
		}
	})
}
