package mockpg

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Transaction types as they appear in statements.
const (
	typeAuth    = "AUTH"
	typeCapture = "CAPTURE"
	typeRefund  = "REFUND"
	typeVoid    = "VOID"
)

type authorization struct {
	id            string
	merchantID    string
	reference     string
	paymentMethod string
	amount        int64
	currency      string
	approved      bool
	declineCode   string
	createdAt     time.Time
	capture       *capture
	void          *void
	refunds       []refund
}

type capture struct {
	id     string
	amount int64
	at     time.Time
}

type void struct {
	id string
	at time.Time
}

type refund struct {
	id     string
	amount int64
	at     time.Time
}

func (a *authorization) refunded() int64 {
	var sum int64
	for _, r := range a.refunds {
		sum += r.amount
	}
	return sum
}

func (a *authorization) state() string {
	switch {
	case !a.approved:
		return "DECLINED"
	case a.void != nil:
		return "VOIDED"
	case a.capture == nil:
		return "AUTHORIZED"
	case a.refunded() == 0:
		return "CAPTURED"
	case a.refunded() < a.capture.amount:
		return "PARTIALLY_REFUNDED"
	}
	return "REFUNDED"
}

// journalEntry is one line of a statement: a money movement the PG did.
type journalEntry struct {
	id         string
	typ        string
	merchantID string
	paymentID  string
	amount     int64
	currency   string
	at         time.Time
}

// outcome is what an operation answered: stored, replayed and looked up.
type outcome struct {
	status int
	body   any
}

func refusal(status int, code, format string, args ...any) outcome {
	return outcome{status: status, body: errorBody{Error: errorDetail{Code: code, Message: fmt.Sprintf(format, args...)}}}
}

// declineCode reads the decline a token asks for: "pm_decline_<code>"
// declines with <code>, any other "pm_decline…" with "declined".
func declineCode(token string) (string, bool) {
	if !strings.HasPrefix(token, "pm_decline") {
		return "", false
	}
	if code, ok := strings.CutPrefix(token, "pm_decline_"); ok && code != "" {
		return code, true
	}
	return "declined", true
}

// neverAnswers reports the tokens for which the PG hangs.
func neverAnswers(token string) bool {
	return strings.HasPrefix(token, "pm_timeout")
}

type authorizationResponse struct {
	ID          string  `json:"id"`
	Status      string  `json:"status"`
	DeclineCode *string `json:"declineCode"`
	Amount      int64   `json:"amount"`
	Currency    string  `json:"currency"`
	MerchantID  string  `json:"merchantId"`
	Reference   string  `json:"reference"`
	CreatedAt   string  `json:"createdAt"`
}

type movementResponse struct {
	ID              string `json:"id"`
	Status          string `json:"status"`
	Amount          int64  `json:"amount,omitempty"`
	AuthorizationID string `json:"authorizationId"`
	CreatedAt       string `json:"createdAt"`
}

// The operations below run with p.mu held.

func (p *PG) authorize(req authorizeRequest, now time.Time) outcome {
	a := &authorization{
		id:            p.newID("pgtx_"),
		merchantID:    req.MerchantID,
		reference:     req.Reference,
		paymentMethod: req.PaymentMethod,
		amount:        *req.Amount,
		currency:      req.Currency,
		createdAt:     now,
	}
	code, declined := declineCode(req.PaymentMethod)
	a.approved = !declined
	a.declineCode = code
	p.auths[a.id] = a
	resp := authorizationResponse{
		ID: a.id, Status: "APPROVED", Amount: a.amount, Currency: a.currency,
		MerchantID: a.merchantID, Reference: a.reference, CreatedAt: formatTime(now),
	}
	if declined {
		resp.Status = "DECLINED"
		resp.DeclineCode = &a.declineCode
	} else {
		p.record(a, a.id, typeAuth, a.amount, now)
	}
	return outcome{status: http.StatusOK, body: resp}
}

func (p *PG) capture(id string, req amountRequest, now time.Time) outcome {
	a, refused := p.usable(id)
	if refused != nil {
		return *refused
	}
	if a.capture != nil {
		return refusal(http.StatusConflict, "already_captured", "authorization %s was already captured (%s)", id, a.capture.id)
	}
	if *req.Amount > a.amount {
		return refusal(http.StatusConflict, "amount_exceeds_authorized", "capture of %d exceeds the authorized %d", *req.Amount, a.amount)
	}
	a.capture = &capture{id: p.newID("pgcap_"), amount: *req.Amount, at: now}
	p.record(a, a.capture.id, typeCapture, a.capture.amount, now)
	return outcome{status: http.StatusOK, body: movementResponse{
		ID: a.capture.id, Status: "CAPTURED", Amount: a.capture.amount, AuthorizationID: a.id, CreatedAt: formatTime(now),
	}}
}

func (p *PG) voidAuthorization(id string, now time.Time) outcome {
	a, refused := p.usable(id)
	if refused != nil {
		return *refused
	}
	if a.capture != nil {
		return refusal(http.StatusConflict, "already_captured", "authorization %s was captured and cannot be voided", id)
	}
	a.void = &void{id: p.newID("pgvd_"), at: now}
	p.record(a, a.void.id, typeVoid, a.amount, now)
	return outcome{status: http.StatusOK, body: movementResponse{
		ID: a.void.id, Status: "VOIDED", AuthorizationID: a.id, CreatedAt: formatTime(now),
	}}
}

func (p *PG) refund(id string, req amountRequest, now time.Time) outcome {
	a, refused := p.usable(id)
	if refused != nil {
		return *refused
	}
	if a.capture == nil {
		return refusal(http.StatusConflict, "not_captured", "authorization %s has not been captured", id)
	}
	if left := a.capture.amount - a.refunded(); *req.Amount > left {
		return refusal(http.StatusConflict, "amount_exceeds_captured", "refund of %d exceeds the %d captured and not yet refunded", *req.Amount, left)
	}
	r := refund{id: p.newID("pgrf_"), amount: *req.Amount, at: now}
	a.refunds = append(a.refunds, r)
	p.record(a, r.id, typeRefund, r.amount, now)
	return outcome{status: http.StatusOK, body: movementResponse{
		ID: r.id, Status: "REFUNDED", Amount: r.amount, AuthorizationID: a.id, CreatedAt: formatTime(now),
	}}
}

// usable finds an approved, not voided authorization, or the refusal.
func (p *PG) usable(id string) (*authorization, *outcome) {
	a, ok := p.auths[id]
	var o outcome
	switch {
	case !ok:
		o = refusal(http.StatusNotFound, "authorization_not_found", "no authorization %q", id)
	case !a.approved:
		o = refusal(http.StatusConflict, "authorization_declined", "authorization %s was declined", id)
	case a.void != nil:
		o = refusal(http.StatusConflict, "authorization_voided", "authorization %s was voided", id)
	default:
		return a, nil
	}
	return nil, &o
}

func (p *PG) record(a *authorization, id, typ string, amount int64, now time.Time) {
	p.journal = append(p.journal, journalEntry{
		id: id, typ: typ, merchantID: a.merchantID, paymentID: a.reference,
		amount: amount, currency: a.currency, at: now,
	})
}
