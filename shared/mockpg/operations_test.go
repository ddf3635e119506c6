package mockpg

import (
	"net/http"
	"strings"
	"testing"
)

func TestAuthorize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		token       string
		status      string
		declineCode any
	}{
		{"pm_card_visa", "APPROVED", nil},
		{"tok_anything", "APPROVED", nil},
		{"pm_decline_insufficient_funds", "DECLINED", "insufficient_funds"},
		{"pm_decline_do_not_honor", "DECLINED", "do_not_honor"},
		{"pm_decline", "DECLINED", "declined"},
	}
	for _, tt := range tests {
		t.Run(tt.token, func(t *testing.T) {
			t.Parallel()
			p := newTestPG(t)
			r := p.authorize("k1", tt.token, 50000)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if got := r.str("status"); got != tt.status {
				t.Errorf("status = %q, want %q", got, tt.status)
			}
			if got := r.json["declineCode"]; got != tt.declineCode {
				t.Errorf("declineCode = %#v, want %#v", got, tt.declineCode)
			}
			if _, present := r.json["declineCode"]; !present {
				t.Error("declineCode must be present (null when approved)")
			}
			if !strings.HasPrefix(r.str("id"), "pgtx_") || r.num("amount") != 50000 || r.str("currency") != "KRW" || r.str("createdAt") == "" {
				t.Errorf("response = %s", r.body)
			}
			got := p.get("/v1/authorizations/" + r.str("id"))
			if got.status != http.StatusOK || got.str("status") != tt.status || got.str("reference") != "pay_k1" {
				t.Errorf("GET authorization = %d %s", got.status, got.body)
			}
		})
	}
}

func TestAuthorize_InvalidRequestsAreNotStored(t *testing.T) {
	t.Parallel()
	valid := `{"merchantId":"m_demo","amount":100,"currency":"USD","paymentMethod":"pm_ok","reference":"pay_1"}`
	tests := []struct {
		name, key, body, code string
	}{
		{"no key", "", valid, "idempotency_key_missing"},
		{"key too long", strings.Repeat("k", 256), valid, "idempotency_key_missing"},
		{"key not ASCII", "clé", valid, "idempotency_key_missing"},
		{"empty body", "k", ``, "invalid_request"},
		{"not json", "k", `amount=1`, "invalid_request"},
		{"unknown field", "k", `{"merchantId":"m","amount":1,"currency":"USD","paymentMethod":"p","tip":1}`, "invalid_request"},
		{"fractional amount", "k", `{"merchantId":"m","amount":1.5,"currency":"USD","paymentMethod":"p"}`, "invalid_request"},
		{"amount as string", "k", `{"merchantId":"m","amount":"1","currency":"USD","paymentMethod":"p"}`, "invalid_request"},
		{"zero amount", "k", `{"merchantId":"m","amount":0,"currency":"USD","paymentMethod":"p"}`, "invalid_request"},
		{"missing amount", "k", `{"merchantId":"m","currency":"USD","paymentMethod":"p"}`, "invalid_request"},
		{"huge amount", "k", `{"merchantId":"m","amount":1000000000001,"currency":"USD","paymentMethod":"p"}`, "invalid_request"},
		{"bad currency", "k", `{"merchantId":"m","amount":1,"currency":"usd","paymentMethod":"p"}`, "invalid_request"},
		{"no merchant", "k", `{"amount":1,"currency":"USD","paymentMethod":"p"}`, "invalid_request"},
		{"no payment method", "k", `{"merchantId":"m","amount":1,"currency":"USD"}`, "invalid_request"},
		{"trailing data", "k", valid + `{}`, "invalid_request"},
		{"body too large", "k", `{"merchantId":"` + strings.Repeat("m", 70000) + `"}`, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newTestPG(t)
			r := p.post("/v1/authorizations", tt.key, tt.body)
			if r.status != http.StatusBadRequest || r.errCode() != tt.code {
				t.Fatalf("got %d %s, want 400 %s", r.status, r.body, tt.code)
			}
			if tt.key == "k" {
				// Nothing was stored: the caller fixes the body and retries with the same key.
				fixed := p.post("/v1/authorizations", "k", valid)
				if fixed.status != http.StatusOK || fixed.header.Get("Idempotent-Replayed") != "" {
					t.Errorf("retry with the same key: %d %s", fixed.status, fixed.body)
				}
			}
		})
	}
}

// state reads an authorization's state through the lookup endpoint.
func (p *testPG) state(id string) response {
	p.t.Helper()
	r := p.get("/v1/authorizations/" + id)
	if r.status != http.StatusOK {
		p.t.Fatalf("GET authorization %s: %d %s", id, r.status, r.body)
	}
	return r
}

func TestCaptureVoidRefund_Rules(t *testing.T) {
	t.Parallel()
	type step struct {
		op     string // capture, void, refund
		amount int64
		status int
		code   string // error code, or the success status
	}
	tests := []struct {
		name  string
		token string
		steps []step
		state string
		capt  int64
		refd  int64
	}{
		{"capture all", "pm_ok", []step{{"capture", 1000, 200, "CAPTURED"}}, "CAPTURED", 1000, 0},
		{"partial capture", "pm_ok", []step{{"capture", 400, 200, "CAPTURED"}}, "CAPTURED", 400, 0},
		{"capture twice", "pm_ok", []step{{"capture", 500, 200, "CAPTURED"}, {"capture", 500, 409, "already_captured"}}, "CAPTURED", 500, 0},
		{"capture over authorized", "pm_ok", []step{{"capture", 1001, 409, "amount_exceeds_authorized"}}, "AUTHORIZED", 0, 0},
		{"capture declined", "pm_decline_stolen_card", []step{{"capture", 1000, 409, "authorization_declined"}}, "DECLINED", 0, 0},
		{"capture after void", "pm_ok", []step{{"void", 0, 200, "VOIDED"}, {"capture", 1000, 409, "authorization_voided"}}, "VOIDED", 0, 0},
		{"void", "pm_ok", []step{{"void", 0, 200, "VOIDED"}}, "VOIDED", 0, 0},
		{"void twice", "pm_ok", []step{{"void", 0, 200, "VOIDED"}, {"void", 0, 409, "authorization_voided"}}, "VOIDED", 0, 0},
		{"void after capture", "pm_ok", []step{{"capture", 1000, 200, "CAPTURED"}, {"void", 0, 409, "already_captured"}}, "CAPTURED", 1000, 0},
		{"void declined", "pm_decline", []step{{"void", 0, 409, "authorization_declined"}}, "DECLINED", 0, 0},
		{"refund before capture", "pm_ok", []step{{"refund", 100, 409, "not_captured"}}, "AUTHORIZED", 0, 0},
		{"refund after void", "pm_ok", []step{{"void", 0, 200, "VOIDED"}, {"refund", 100, 409, "authorization_voided"}}, "VOIDED", 0, 0},
		{"partial refunds up to captured", "pm_ok", []step{
			{"capture", 800, 200, "CAPTURED"}, {"refund", 500, 200, "REFUNDED"}, {"refund", 301, 409, "amount_exceeds_captured"}, {"refund", 300, 200, "REFUNDED"}, {"refund", 1, 409, "amount_exceeds_captured"},
		}, "REFUNDED", 800, 800},
		{"partially refunded", "pm_ok", []step{{"capture", 1000, 200, "CAPTURED"}, {"refund", 1, 200, "REFUNDED"}}, "PARTIALLY_REFUNDED", 1000, 1},
		{"refund over captured at once", "pm_ok", []step{{"capture", 1000, 200, "CAPTURED"}, {"refund", 1001, 409, "amount_exceeds_captured"}}, "CAPTURED", 1000, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newTestPG(t)
			auth := p.authorize("auth", tt.token, 1000)
			id := auth.str("id")
			for i, s := range tt.steps {
				key := tt.name + "-" + string(rune('a'+i))
				var r response
				switch s.op {
				case "capture":
					r = p.post("/v1/authorizations/"+id+"/capture", key, map[string]any{"amount": s.amount})
				case "void":
					r = p.post("/v1/authorizations/"+id+"/void", key, nil)
				case "refund":
					r = p.post("/v1/authorizations/"+id+"/refunds", key, map[string]any{"amount": s.amount})
				}
				got := r.errCode()
				if r.status == http.StatusOK {
					got = r.str("status")
				}
				if r.status != s.status || got != s.code {
					t.Fatalf("step %d %s %d: got %d %s, want %d %s", i, s.op, s.amount, r.status, r.body, s.status, s.code)
				}
				if r.status == http.StatusOK && s.op != "void" && r.num("amount") != s.amount {
					t.Errorf("step %d: amount %d, want %d", i, r.num("amount"), s.amount)
				}
			}
			st := p.state(id)
			if st.str("state") != tt.state || st.num("capturedAmount") != tt.capt || st.num("refundedAmount") != tt.refd {
				t.Errorf("authorization = %s; want state %s captured %d refunded %d", st.body, tt.state, tt.capt, tt.refd)
			}
			if voided := st.json["voided"] == true; voided != (tt.state == "VOIDED") {
				t.Errorf("voided = %v in state %s", voided, tt.state)
			}
		})
	}
}

func TestOperationsOnUnknownAuthorization(t *testing.T) {
	t.Parallel()
	p := newTestPG(t)
	for _, path := range []string{"capture", "void", "refunds"} {
		r := p.post("/v1/authorizations/pgtx_nope/"+path, "k-"+path, map[string]any{"amount": 1})
		if path == "void" {
			r = p.post("/v1/authorizations/pgtx_nope/void", "k-void2", nil)
		}
		if r.status != http.StatusNotFound || r.errCode() != "authorization_not_found" {
			t.Errorf("%s: %d %s", path, r.status, r.body)
		}
	}
	if r := p.get("/v1/authorizations/pgtx_nope"); r.status != http.StatusNotFound {
		t.Errorf("GET unknown authorization: %d", r.status)
	}
	if r := p.get("/v1/nothing"); r.status != http.StatusNotFound || r.errCode() != "not_found" {
		t.Errorf("unknown endpoint: %d %s", r.status, r.body)
	}
}
