package pgclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// Operations, as the PG scopes idempotency keys and as Lookup names them.
const (
	opAuthorize = "authorize"
	opCapture   = "capture"
	opVoid      = "void"
	opRefund    = "refund"
)

// Result is what the PG did: a capture ("pgcap_…", CAPTURED), a void
// ("pgvd_…", VOIDED, no amount) or a refund ("pgrf_…", REFUNDED).
type Result struct {
	ID     string
	Status string
	Amount int64
}

type amountBody struct {
	Amount int64 `json:"amount"`
}

type resultAnswer struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Amount int64  `json:"amount"`
}

var errNoTransaction = errors.New("no PG transaction id")

// Capture captures amount of the authorization pgTransactionID. Returns a
// *Refusal when the PG refuses (already_captured, authorization_voided,
// amount_exceeds_authorized, …), an error wrapping ErrUnavailable when the
// outcome is unknown.
func (c *Client) Capture(ctx context.Context, key, pgTransactionID string, amount int64) (Result, error) {
	return c.movement(ctx, opCapture, key, pgTransactionID, "/capture", amountBody{Amount: amount})
}

// Void releases the authorization pgTransactionID. Errors as Capture.
func (c *Client) Void(ctx context.Context, key, pgTransactionID string) (Result, error) {
	return c.movement(ctx, opVoid, key, pgTransactionID, "/void", struct{}{})
}

// Refund refunds amount of the captured authorization pgTransactionID.
// Errors as Capture (amount_exceeds_captured, not_captured, …).
func (c *Client) Refund(ctx context.Context, key, pgTransactionID string, amount int64) (Result, error) {
	return c.movement(ctx, opRefund, key, pgTransactionID, "/refunds", amountBody{Amount: amount})
}

func (c *Client) movement(ctx context.Context, op, key, pgTransactionID, suffix string, body any) (Result, error) {
	if pgTransactionID == "" {
		return Result{}, fmt.Errorf("pgclient: %s: %w", op, errNoTransaction)
	}
	a, err := c.operate(ctx, request{
		op: op, method: http.MethodPost, key: key, body: body,
		path: "/v1/authorizations/" + url.PathEscape(pgTransactionID) + suffix,
	})
	if err != nil {
		return Result{}, err
	}
	return resultOf(op, a)
}

func resultOf(op string, a answer) (Result, error) {
	var got resultAnswer
	if err := decode(op, a, &got); err != nil {
		return Result{}, err
	}
	if got.ID == "" || got.Status == "" {
		return Result{}, fmt.Errorf("pgclient: %s: answer without id or status", op)
	}
	return Result(got), nil
}
