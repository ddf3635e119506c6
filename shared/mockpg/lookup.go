package mockpg

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

type movementView struct {
	ID        string `json:"id"`
	Amount    int64  `json:"amount"`
	CreatedAt string `json:"createdAt"`
}

type voidView struct {
	ID        string `json:"id"`
	CreatedAt string `json:"createdAt"`
}

type authorizationView struct {
	authorizationResponse
	PaymentMethod  string         `json:"paymentMethod"`
	State          string         `json:"state"`
	CapturedAmount int64          `json:"capturedAmount"`
	RefundedAmount int64          `json:"refundedAmount"`
	Voided         bool           `json:"voided"`
	Capture        *movementView  `json:"capture"`
	Void           *voidView      `json:"void"`
	Refunds        []movementView `json:"refunds"`
}

func (p *PG) handleGetAuthorization(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	p.mu.Lock()
	a, ok := p.auths[id]
	var v authorizationView
	if ok {
		v = viewOf(a)
	}
	p.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "authorization_not_found", "no authorization "+id)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// viewOf renders an authorization; call with p.mu held.
func viewOf(a *authorization) authorizationView {
	v := authorizationView{
		authorizationResponse: authorizationResponse{
			ID: a.id, Status: "APPROVED", Amount: a.amount, Currency: a.currency,
			MerchantID: a.merchantID, Reference: a.reference, CreatedAt: formatTime(a.createdAt),
		},
		PaymentMethod:  a.paymentMethod,
		State:          a.state(),
		RefundedAmount: a.refunded(),
		Voided:         a.void != nil,
		Refunds:        []movementView{},
	}
	if !a.approved {
		code := a.declineCode
		v.Status, v.DeclineCode = "DECLINED", &code
	}
	if a.capture != nil {
		v.CapturedAmount = a.capture.amount
		v.Capture = &movementView{ID: a.capture.id, Amount: a.capture.amount, CreatedAt: formatTime(a.capture.at)}
	}
	if a.void != nil {
		v.Void = &voidView{ID: a.void.id, CreatedAt: formatTime(a.void.at)}
	}
	for _, rf := range a.refunds {
		v.Refunds = append(v.Refunds, movementView{ID: rf.id, Amount: rf.amount, CreatedAt: formatTime(rf.at)})
	}
	return v
}

type operationView struct {
	IdempotencyKey string          `json:"idempotencyKey"`
	Operation      string          `json:"operation"`
	HTTPStatus     int             `json:"httpStatus"`
	Response       json.RawMessage `json:"response"`
	PerformedAt    string          `json:"performedAt"`
}

func (p *PG) handleGetOperation(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	kinds := []string{opAuthorize, opCapture, opVoid, opRefund}
	if k := r.URL.Query().Get("operation"); k != "" {
		if !slices.Contains(kinds, k) {
			writeError(w, http.StatusBadRequest, "invalid_request", "operation must be one of "+strings.Join(kinds, ", "))
			return
		}
		kinds = []string{k}
	}
	var found []operationView
	p.mu.Lock()
	for _, k := range kinds {
		if op, ok := p.ops[opKey{k, key}]; ok {
			found = append(found, operationView{
				IdempotencyKey: op.key, Operation: op.kind, HTTPStatus: op.status,
				Response: json.RawMessage(op.body), PerformedAt: formatTime(op.at),
			})
		}
	}
	p.mu.Unlock()
	switch len(found) {
	case 0:
		writeError(w, http.StatusNotFound, "operation_not_found", "the PG never performed an operation with this Idempotency-Key")
	case 1:
		writeJSON(w, http.StatusOK, found[0])
	default:
		names := make([]string, len(found))
		for i, f := range found {
			names[i] = f.Operation
		}
		writeError(w, http.StatusConflict, "operation_ambiguous", "this key was used for "+strings.Join(names, " and ")+"; add ?operation=")
	}
}
