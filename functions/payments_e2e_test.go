package functions_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// captured takes an authorized payment to CAPTURED through the pipeline: the capture
// request, the settlement worker and the PG.
func (s *system) captured(t *testing.T, c *client, id string) {
	t.Helper()
	if r := c.do("POST", "/v1/payments/"+id+"/capture", "", newKey(t)); r.status != http.StatusAccepted {
		t.Fatalf("capture: %d %s", r.status, r.body)
	}
	c.waitStatus(t, id, "CAPTURED", 30*time.Second)
}

func TestPaymentAPI(t *testing.T) {
	s := start(t)

	t.Run("AuthorizeCaptureGetList", func(t *testing.T) {
		t.Parallel()
		c := s.client(t, "m_demo")
		key := newKey(t)
		body := `{"amount":50000,"currency":"KRW","orderId":"order-123","paymentMethod":"pm_card_visa","description":"two coffees","metadata":{"table":"7"}}`
		r := c.do("POST", "/v1/payments", body, key)
		if r.status != http.StatusCreated {
			t.Fatalf("authorize: %d %s", r.status, r.body)
		}
		p := r.json(t)
		id, _ := p["id"].(string)
		if p["status"] != "AUTHORIZED" || p["authorizedAmount"] != 50000.0 || p["merchantId"] != "m_demo" ||
			!strings.HasPrefix(fmt.Sprint(p["pgTransactionId"]), "pgtx_") || p["declineCode"] != nil ||
			p["description"] != "two coffees" || p["metadata"].(map[string]any)["table"] != "7" {
			t.Errorf("authorized payment: %s", r.body)
		}
		// The same request again is replayed, byte for byte.
		again := c.do("POST", "/v1/payments", body, key)
		if again.status != http.StatusCreated || string(again.body) != string(r.body) || again.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replay: %d %q %s", again.status, again.header.Get("Idempotent-Replayed"), again.body)
		}

		cap := c.do("POST", "/v1/payments/"+id+"/capture", `{"amount":30000}`, newKey(t))
		if cap.status != http.StatusAccepted || cap.json(t)["status"] != "CAPTURE_REQUESTED" || cap.json(t)["capturedAmount"] != 30000.0 {
			t.Errorf("capture: %d %s", cap.status, cap.body)
		}
		// The settlement worker captures at the PG right away: the payment reads
		// CAPTURE_REQUESTED, then CAPTURED.
		got := c.do("GET", "/v1/payments/"+id, "", "")
		if st := got.json(t)["status"]; got.status != http.StatusOK || (st != "CAPTURE_REQUESTED" && st != "CAPTURED") {
			t.Errorf("get: %d %s", got.status, got.body)
		}
		c.waitStatus(t, id, "CAPTURED", 30*time.Second)
		list := c.do("GET", "/v1/payments?status=CAPTURED&limit=100", "", "")
		if list.status != http.StatusOK || !strings.Contains(string(list.body), id) {
			t.Errorf("list: %d %s", list.status, list.body)
		}
		if other := c.do("GET", "/v1/payments?status=VOIDED&limit=100", "", ""); strings.Contains(string(other.body), id) {
			t.Errorf("the status filter let %s through: %s", id, other.body)
		}
	})

	t.Run("VoidOnlyFromAuthorized", func(t *testing.T) {
		t.Parallel()
		c := s.client(t, "m_demo")
		id := c.authorize(1999, "USD")
		v := c.do("POST", "/v1/payments/"+id+"/void", "", newKey(t))
		if v.status != http.StatusOK || v.json(t)["status"] != "VOIDED" {
			t.Fatalf("void: %d %s", v.status, v.body)
		}
		for _, path := range []string{"/void", "/capture"} {
			r := c.do("POST", "/v1/payments/"+id+path, "", newKey(t))
			if r.status != http.StatusConflict || r.errorCode() != "invalid_state" {
				t.Errorf("%s of a voided payment: %d %s", path, r.status, r.body)
			}
		}
	})

	t.Run("PartialAndFullRefunds", func(t *testing.T) {
		t.Parallel()
		c := s.client(t, "m_demo")
		id := c.authorize(10000, "USD")
		if r := c.do("POST", "/v1/payments/"+id+"/refunds", `{"amount":100}`, newKey(t)); r.status != http.StatusConflict || r.errorCode() != "invalid_state" {
			t.Errorf("refund before capture: %d %s", r.status, r.body)
		}
		s.captured(t, c, id)
		r1 := c.do("POST", "/v1/payments/"+id+"/refunds", `{"amount":2500,"reason":"one item returned"}`, newKey(t))
		if r1.status != http.StatusAccepted || r1.json(t)["status"] != "REFUND_REQUESTED" || r1.json(t)["amount"] != 2500.0 ||
			r1.json(t)["paymentId"] != id || !strings.HasPrefix(fmt.Sprint(r1.json(t)["id"]), "rf_") {
			t.Fatalf("partial refund: %d %s", r1.status, r1.body)
		}
		over := c.do("POST", "/v1/payments/"+id+"/refunds", `{"amount":7501}`, newKey(t))
		if over.status != http.StatusConflict || over.errorCode() != "amount_exceeds_available" {
			t.Errorf("refund over what remains: %d %s", over.status, over.body)
		}
		rest := c.do("POST", "/v1/payments/"+id+"/refunds", "", newKey(t))
		if rest.status != http.StatusAccepted || rest.json(t)["amount"] != 7500.0 {
			t.Errorf("refund of the rest: %d %s", rest.status, rest.body)
		}
		got := c.waitStatus(t, id, "REFUNDED", 30*time.Second)
		// refundedAmount counts completed refunds; both completed at the PG.
		if got["refundedAmount"] != 10000.0 || len(got["refunds"].([]any)) != 2 {
			t.Errorf("payment after two refunds: %v", got)
		}
	})

	t.Run("ConcurrentRefundsNeverExceedCaptured", func(t *testing.T) {
		t.Parallel()
		c := s.client(t, "m_demo")
		id := c.authorize(10000, "KRW")
		s.captured(t, c, id)
		var mu sync.Mutex
		accepted, total := 0, int64(0)
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				r := c.do("POST", "/v1/payments/"+id+"/refunds", `{"amount":700}`, newKey(t))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case r.status == http.StatusAccepted:
					accepted++
					total += 700
				case r.status == http.StatusConflict && r.errorCode() == "amount_exceeds_available":
				default:
					t.Errorf("refund: %d %s", r.status, r.body)
				}
			})
		}
		wg.Wait()
		// 20 x 700 = 14,000 asked of 10,000 captured: 14 fit. (A refund the PG refused would
		// free its amount for later requests; the PG holds the capture, so none is refused.)
		if total > 10000 || accepted != 14 {
			t.Errorf("accepted %d refunds summing %d of 10000 captured, want 14 (9800)", accepted, total)
		}
		got := c.do("GET", "/v1/payments/"+id, "", "").json(t)
		if n := len(got["refunds"].([]any)); n != accepted {
			t.Errorf("payment lists %d refunds, %d were accepted", n, accepted)
		}
	})

	t.Run("FiftyConcurrentRequestsOneKeyOnePayment", func(t *testing.T) {
		t.Parallel()
		c := s.client(t, "m_demo")
		key := newKey(t)
		order := fmt.Sprintf("order-%d", time.Now().UnixNano())
		body := `{"amount":777,"currency":"EUR","orderId":"` + order + `","paymentMethod":"pm_card_visa"}`
		var mu sync.Mutex
		ids := map[string]int{}
		inProgress := 0
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				r := c.do("POST", "/v1/payments", body, key)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case r.status == http.StatusCreated:
					ids[r.json(t)["id"].(string)]++
				case r.status == http.StatusConflict && r.errorCode() == "idempotency_in_progress":
					inProgress++
					if r.header.Get("Retry-After") != "1" {
						t.Errorf("409 in progress without Retry-After: 1")
					}
				default:
					t.Errorf("unexpected answer: %d %s", r.status, r.body)
				}
			})
		}
		wg.Wait()
		if len(ids) != 1 {
			t.Fatalf("payment ids: %v (and %d in progress), want exactly one", ids, inProgress)
		}
		list := c.do("GET", "/v1/payments?limit=100", "", "")
		if n := strings.Count(string(list.body), order); n != 1 {
			t.Errorf("the merchant's list holds %d payments of order %s, want 1", n, order)
		}
	})

	t.Run("Declined", func(t *testing.T) {
		t.Parallel()
		c := s.client(t, "m_demo")
		key := newKey(t)
		body := `{"amount":5000,"currency":"KRW","orderId":"o-declined","paymentMethod":"pm_decline_insufficient_funds"}`
		r := c.do("POST", "/v1/payments", body, key)
		m := r.json(t)
		p, _ := m["payment"].(map[string]any)
		if r.status != http.StatusPaymentRequired || r.errorCode() != "payment_declined" || p["status"] != "DECLINED" || p["declineCode"] != "insufficient_funds" {
			t.Fatalf("declined: %d %s", r.status, r.body)
		}
		again := c.do("POST", "/v1/payments", body, key)
		if again.status != http.StatusPaymentRequired || again.header.Get("Idempotent-Replayed") != "true" || string(again.body) != string(r.body) {
			t.Errorf("a decline is stored and replayed: %d %s", again.status, again.body)
		}
	})

	t.Run("Idempotency", func(t *testing.T) {
		t.Parallel()
		c := s.client(t, "m_demo")
		body := `{"amount":100,"currency":"USD","orderId":"o-idem","paymentMethod":"pm_card_visa"}`
		if r := c.do("POST", "/v1/payments", body, ""); r.status != http.StatusBadRequest || r.errorCode() != "idempotency_key_missing" {
			t.Errorf("no key: %d %s", r.status, r.body)
		}
		if r := c.do("POST", "/v1/payments", body, strings.Repeat("k", 256)); r.status != http.StatusBadRequest || r.errorCode() != "idempotency_key_missing" {
			t.Errorf("256-character key: %d %s", r.status, r.body)
		}
		key := newKey(t)
		if r := c.do("POST", "/v1/payments", body, key); r.status != http.StatusCreated {
			t.Fatalf("first: %d %s", r.status, r.body)
		}
		other := strings.Replace(body, `"amount":100`, `"amount":101`, 1)
		if r := c.do("POST", "/v1/payments", other, key); r.status != http.StatusUnprocessableEntity || r.errorCode() != "idempotency_key_reused" {
			t.Errorf("same key, other body: %d %s", r.status, r.body)
		}
		// A validation error is not stored: the client fixes the body and retries the key.
		fixKey := newKey(t)
		bad := strings.Replace(body, `"USD"`, `"XXX"`, 1)
		if r := c.do("POST", "/v1/payments", bad, fixKey); r.status != http.StatusBadRequest || r.errorCode() != "invalid_request" {
			t.Errorf("bad currency: %d %s", r.status, r.body)
		}
		if r := c.do("POST", "/v1/payments", body, fixKey); r.status != http.StatusCreated {
			t.Errorf("fixed request with the same key: %d %s", r.status, r.body)
		}
		// A key is the merchant's own: another merchant may use the same one.
		if r := s.client(t, "m_other").do("POST", "/v1/payments", body, key); r.status != http.StatusCreated {
			t.Errorf("another merchant, same key: %d %s", r.status, r.body)
		}
	})

	t.Run("Authentication", func(t *testing.T) {
		t.Parallel()
		c := s.client(t, "m_demo")
		body := []byte(`{"amount":100,"currency":"USD","orderId":"o-auth","paymentMethod":"pm_card_visa"}`)
		cases := map[string]func(h http.Header){
			"signature off by one byte": func(h http.Header) {
				sig := []byte(h.Get("X-Signature"))
				sig[len(sig)-1] ^= 1
				h.Set("X-Signature", string(sig))
			},
			"stale timestamp": func(h http.Header) {
				h.Set("X-Timestamp", strconv.FormatInt(time.Now().Add(-10*time.Minute).Unix(), 10))
			},
			"unknown merchant":  func(h http.Header) { h.Set("X-Merchant-Id", "m_nobody") },
			"missing signature": func(h http.Header) { h.Del("X-Signature") },
		}
		var first []byte
		for name, tamper := range cases {
			r := c.send("POST", "/v1/payments", body, newKey(t), tamper)
			if r.status != http.StatusUnauthorized {
				t.Errorf("%s: %d %s", name, r.status, r.body)
			}
			if first == nil {
				first = r.body
			} else if string(r.body) != string(first) {
				t.Errorf("%s: 401 body %s differs from %s", name, r.body, first)
			}
		}
		if r := s.client(t, "m_disabled").do("GET", "/v1/payments", "", ""); r.status != http.StatusUnauthorized || string(r.body) != string(first) {
			t.Errorf("disabled merchant: %d %s", r.status, r.body)
		}
	})

	t.Run("AnotherMerchantsPaymentIsNotFound", func(t *testing.T) {
		t.Parallel()
		id := s.client(t, "m_demo").authorize(100, "USD")
		other := s.client(t, "m_other")
		for _, r := range []reply{
			other.do("GET", "/v1/payments/"+id, "", ""),
			other.do("POST", "/v1/payments/"+id+"/capture", "", newKey(t)),
			other.do("POST", "/v1/payments/"+id+"/void", "", newKey(t)),
			other.do("POST", "/v1/payments/"+id+"/refunds", "", newKey(t)),
		} {
			if r.status != http.StatusNotFound || r.errorCode() != "not_found" {
				t.Errorf("other merchant: %d %s", r.status, r.body)
			}
		}
		if list := other.do("GET", "/v1/payments?limit=100", "", ""); strings.Contains(string(list.body), id) {
			t.Errorf("another merchant's list shows %s", id)
		}
	})

	t.Run("InvalidRequests", func(t *testing.T) {
		t.Parallel()
		c := s.client(t, "m_demo")
		for _, tc := range []struct{ name, body, field string }{
			{"amount as decimal", `{"amount":19.99,"currency":"USD","orderId":"o","paymentMethod":"pm"}`, "amount"},
			{"amount as string", `{"amount":"1999","currency":"USD","orderId":"o","paymentMethod":"pm"}`, "amount"},
			{"amount zero", `{"amount":0,"currency":"USD","orderId":"o","paymentMethod":"pm"}`, "amount"},
			{"amount too large", `{"amount":1000000000001,"currency":"USD","orderId":"o","paymentMethod":"pm"}`, "amount"},
			{"unsupported currency", `{"amount":1,"currency":"XYZ","orderId":"o","paymentMethod":"pm"}`, "currency"},
			{"missing orderId", `{"amount":1,"currency":"USD","paymentMethod":"pm"}`, "orderId"},
			{"unknown field", `{"amount":1,"currency":"USD","orderId":"o","paymentMethod":"pm","tip":5}`, "tip"},
			{"not JSON", `amount=1`, ""},
		} {
			r := c.do("POST", "/v1/payments", tc.body, newKey(t))
			m := r.json(t)
			e, _ := m["error"].(map[string]any)
			if r.status != http.StatusBadRequest || e["code"] != "invalid_request" || (tc.field != "" && e["field"] != tc.field) {
				t.Errorf("%s: %d %s", tc.name, r.status, r.body)
			}
		}
		big := `{"amount":1,"currency":"USD","orderId":"o","paymentMethod":"pm","description":"` + strings.Repeat("x", 70000) + `"}`
		if r := c.do("POST", "/v1/payments", big, newKey(t)); r.status != http.StatusRequestEntityTooLarge || r.errorCode() != "invalid_request" {
			t.Errorf("70 KB body: %d %s", r.status, r.body)
		}
		id := c.authorize(1000, "USD")
		if r := c.do("POST", "/v1/payments/"+id+"/capture", `{"amount":1001}`, newKey(t)); r.status != http.StatusBadRequest {
			t.Errorf("capture over the authorized amount: %d %s", r.status, r.body)
		}
		if r := c.do("GET", "/v1/payments/pay_doesnotexist", "", ""); r.status != http.StatusNotFound {
			t.Errorf("unknown payment: %d %s", r.status, r.body)
		}
		for _, q := range []string{"limit=0", "limit=101", "from=yesterday", "cursor=garbage", "status=PAID", "color=red"} {
			if r := c.do("GET", "/v1/payments?"+q, "", ""); r.status != http.StatusBadRequest {
				t.Errorf("list ?%s: %d %s", q, r.status, r.body)
			}
		}
	})

	t.Run("ListPagesNewestFirst", func(t *testing.T) {
		t.Parallel()
		c := s.client(t, "m_other")
		from := time.Now().UTC().Add(-time.Second).Format(time.RFC3339)
		var want []string
		for range 7 {
			want = append([]string{c.authorize(10, "JPY")}, want...)
		}
		var got []string
		cursor := ""
		for pages := 0; pages < 10; pages++ {
			q := "/v1/payments?limit=3&from=" + from
			if cursor != "" {
				q += "&cursor=" + cursor
			}
			r := c.do("GET", q, "", "")
			if r.status != http.StatusOK {
				t.Fatalf("list: %d %s", r.status, r.body)
			}
			m := r.json(t)
			for _, p := range m["data"].([]any) {
				got = append(got, p.(map[string]any)["id"].(string))
			}
			next, _ := m["nextCursor"].(string)
			if next == "" {
				break
			}
			cursor = next
		}
		// Other subtests of m_other may add payments meanwhile; ours must come in order.
		var ours []string
		for _, id := range got {
			for _, w := range want {
				if id == w {
					ours = append(ours, id)
				}
			}
		}
		if fmt.Sprint(ours) != fmt.Sprint(want) {
			t.Errorf("pages gave %v, want newest first %v", ours, want)
		}
	})

	t.Run("RateLimited", func(t *testing.T) {
		t.Parallel()
		c := s.client(t, "m_limited") // 5 requests a second
		limited := 0
		for range 15 {
			r := c.do("GET", "/v1/payments", "", "")
			if r.status == http.StatusTooManyRequests {
				limited++
				if r.errorCode() != "rate_limited" || r.header.Get("Retry-After") == "" {
					t.Errorf("429 without rate_limited code or Retry-After: %s %v", r.body, r.header)
				}
			}
		}
		if limited == 0 {
			t.Error("15 requests at once to a merchant limited to 5/s: none was limited")
		}
	})
}
