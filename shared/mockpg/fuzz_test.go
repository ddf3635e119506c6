package mockpg

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzOperations feeds arbitrary bodies and keys to every operation: the PG
// answers 200, 400, 404 or 409 (never 5xx, never a panic), always with a
// JSON body, and the same request again is either the same answer or, for a
// 400, the same refusal.
func FuzzOperations(f *testing.F) {
	f.Add("authorize", "k", `{"merchantId":"m","amount":100,"currency":"KRW","paymentMethod":"pm_ok","reference":"r"}`)
	f.Add("authorize", "k", `{"merchantId":"m","amount":100,"currency":"KRW","paymentMethod":"pm_decline_x"}`)
	f.Add("capture", "k2", `{"amount":100}`)
	f.Add("refund", "k3", `{"amount":1e3}`)
	f.Add("void", "k4", ``)
	f.Add("authorize", "", `{}`)
	f.Add("capture", "k", `{"amount":-1}`)
	f.Fuzz(func(t *testing.T, op, key, body string) {
		if strings.HasPrefix(body, `{`) && strings.Contains(body, "pm_timeout") {
			return // never answers, by design
		}
		pg := New(Options{Seed: 1, Now: func() time.Time { return time.Unix(1_700_000_000, 0) }})
		seed := httptest.NewRequest(http.MethodPost, "/v1/authorizations", strings.NewReader(`{"merchantId":"m","amount":100,"currency":"KRW","paymentMethod":"pm_ok"}`))
		seed.Header.Set("Idempotency-Key", "seed")
		rec := httptest.NewRecorder()
		pg.ServeHTTP(rec, seed)
		var auth struct{ ID string }
		_ = json.Unmarshal(rec.Body.Bytes(), &auth)

		path := "/v1/authorizations"
		switch op {
		case "capture", "void":
			path += "/" + auth.ID + "/" + op
		case "refund":
			path += "/" + auth.ID + "/refunds"
		}
		send := func() *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
			req.Header.Set("Idempotency-Key", key)
			rec := httptest.NewRecorder()
			pg.ServeHTTP(rec, req)
			return rec
		}
		first := send()
		switch first.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusNotFound, http.StatusConflict:
		default:
			t.Fatalf("%s %q key %q: status %d %s", path, body, key, first.Code, first.Body)
		}
		if !json.Valid(first.Body.Bytes()) {
			t.Fatalf("body is not JSON: %q", first.Body)
		}
		second := send()
		if second.Code != first.Code || (first.Code != http.StatusBadRequest && second.Body.String() != first.Body.String()) {
			t.Fatalf("repeat: %d %s then %d %s", first.Code, first.Body, second.Code, second.Body)
		}
	})
}
