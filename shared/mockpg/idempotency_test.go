package mockpg

import (
	"bytes"
	"net/http"
	"net/url"
	"sync"
	"testing"
)

func TestIdempotency_ReplayAndReuse(t *testing.T) {
	t.Parallel()
	p := newTestPG(t)
	first := p.authorize("key-1", "pm_ok", 1000)
	again := p.authorize("key-1", "pm_ok", 1000)
	if again.status != first.status || !bytes.Equal(again.body, first.body) {
		t.Errorf("replay = %d %s, want %d %s", again.status, again.body, first.status, first.body)
	}
	if again.header.Get("Idempotent-Replayed") != "true" || first.header.Get("Idempotent-Replayed") != "" {
		t.Errorf("Idempotent-Replayed: first %q, replay %q", first.header.Get("Idempotent-Replayed"), again.header.Get("Idempotent-Replayed"))
	}
	// Same key, different body: refused, and nothing new was authorized.
	other := p.authorize("key-1", "pm_ok", 2000)
	if other.status != http.StatusUnprocessableEntity || other.errCode() != "idempotency_key_reused" {
		t.Errorf("reused key: %d %s", other.status, other.body)
	}
	// A body that differs only in formatting is the same request.
	spaced := p.post("/v1/authorizations", "key-1", `{ "reference": "pay_key-1", "paymentMethod": "pm_ok", "currency": "KRW", "amount": 1000, "merchantId": "m_demo" }`)
	if spaced.status != http.StatusOK || spaced.str("id") != first.str("id") {
		t.Errorf("reformatted body: %d %s", spaced.status, spaced.body)
	}

	id := first.str("id")
	id2 := p.approved("key-2", 1000)
	// Keys are scoped to the operation: "key-1" is free for a capture.
	capture := p.post("/v1/authorizations/"+id+"/capture", "key-1", map[string]any{"amount": 1000})
	if capture.status != http.StatusOK {
		t.Fatalf("capture with a key used for an authorization: %d %s", capture.status, capture.body)
	}
	// Within an operation, the path is part of the request.
	elsewhere := p.post("/v1/authorizations/"+id2+"/capture", "key-1", map[string]any{"amount": 1000})
	if elsewhere.status != http.StatusUnprocessableEntity {
		t.Errorf("same capture key on another authorization: %d %s", elsewhere.status, elsewhere.body)
	}
	if st := p.state(id2); st.str("state") != "AUTHORIZED" {
		t.Errorf("the refused capture changed %s: %s", id2, st.body)
	}
	// Refusals are outcomes: stored and replayed as they were.
	over := p.post("/v1/authorizations/"+id2+"/refunds", "refund-k", map[string]any{"amount": 1})
	p.post("/v1/authorizations/"+id2+"/capture", "cap-2", map[string]any{"amount": 1000})
	overAgain := p.post("/v1/authorizations/"+id2+"/refunds", "refund-k", map[string]any{"amount": 1})
	if over.errCode() != "not_captured" || overAgain.errCode() != "not_captured" || overAgain.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("refusal replay: %d %s then %d %s", over.status, over.body, overAgain.status, overAgain.body)
	}
}

// 50 identical requests at once: one effect, one answer for all.
func TestIdempotency_ConcurrentIdenticalRequests(t *testing.T) {
	t.Parallel()
	p := newTestPG(t)
	const n = 50
	run := func(send func() response) []response {
		var wg sync.WaitGroup
		out := make([]response, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				out[i] = send()
			}()
		}
		close(start)
		wg.Wait()
		return out
	}
	auths := run(func() response { return p.authorize("same-key", "pm_ok", 7000) })
	id := auths[0].str("id")
	replays := 0
	for _, r := range auths {
		if r.status != http.StatusOK || r.str("id") != id {
			t.Fatalf("authorize: %d %s, want 200 with id %s", r.status, r.body, id)
		}
		if r.header.Get("Idempotent-Replayed") == "true" {
			replays++
		}
	}
	if replays != n-1 {
		t.Errorf("%d replays, want %d", replays, n-1)
	}
	refunds := run(func() response {
		return p.post("/v1/authorizations/"+id+"/capture", "cap-key", map[string]any{"amount": 7000})
	})
	for _, r := range refunds {
		if r.status != http.StatusOK || r.str("id") != refunds[0].str("id") {
			t.Fatalf("capture: %d %s", r.status, r.body)
		}
	}
	lines := p.statement("date=2025-03-01")
	if len(lines) != 3 {
		t.Errorf("statement has %d lines, want header + 1 AUTH + 1 CAPTURE: %v", len(lines), lines)
	}
	if st := p.state(id); st.num("capturedAmount") != 7000 {
		t.Errorf("captured %d", st.num("capturedAmount"))
	}
}

func TestOperationsLookup(t *testing.T) {
	t.Parallel()
	p := newTestPG(t)
	auth := p.authorize("order/42:auth", "pm_ok", 500)
	got := p.get("/v1/operations/" + url.PathEscape("order/42:auth"))
	if got.status != http.StatusOK || got.str("operation") != "authorize" || got.num("httpStatus") != 200 || got.str("idempotencyKey") != "order/42:auth" {
		t.Fatalf("lookup: %d %s", got.status, got.body)
	}
	if resp, _ := got.json["response"].(map[string]any); resp["id"] != auth.str("id") {
		t.Errorf("lookup response = %v, want the authorization %s", got.json["response"], auth.str("id"))
	}
	if r := p.get("/v1/operations/never-used"); r.status != http.StatusNotFound || r.errCode() != "operation_not_found" {
		t.Errorf("unknown key: %d %s", r.status, r.body)
	}
	// A refused operation is an outcome too.
	p.post("/v1/authorizations/pgtx_missing/capture", "order/42:auth", map[string]any{"amount": 1})
	if r := p.get("/v1/operations/" + url.PathEscape("order/42:auth")); r.status != http.StatusConflict || r.errCode() != "operation_ambiguous" {
		t.Errorf("key used twice: %d %s", r.status, r.body)
	}
	r := p.get("/v1/operations/" + url.PathEscape("order/42:auth") + "?operation=capture")
	if r.status != http.StatusOK || r.num("httpStatus") != 404 {
		t.Errorf("?operation=capture: %d %s", r.status, r.body)
	}
	if r := p.get("/v1/operations/x?operation=settle"); r.status != http.StatusBadRequest {
		t.Errorf("bad operation filter: %d", r.status)
	}
}
