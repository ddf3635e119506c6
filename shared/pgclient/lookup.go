package pgclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/paylane/paylane/shared/payment"
)

// Outcome is what the PG stored for an operation it performed: the status
// and body it answered (or would have, had the answer not been lost).
type Outcome struct {
	Key         string
	Operation   string // authorize, capture, void or refund
	HTTPStatus  int
	Response    json.RawMessage
	PerformedAt time.Time
}

type outcomeAnswer struct {
	IdempotencyKey string          `json:"idempotencyKey"`
	Operation      string          `json:"operation"`
	HTTPStatus     int             `json:"httpStatus"`
	Response       json.RawMessage `json:"response"`
	PerformedAt    time.Time       `json:"performedAt"`
}

// Lookup asks the PG what became of the operation sent with key; operation
// ("capture", …) may be empty when the key was used for one operation only.
// Returns ErrNotPerformed when the PG never performed it, a *Refusal (409
// operation_ambiguous) when the key was used for several and operation is
// empty, an error wrapping ErrUnavailable when the PG did not answer.
//
// Lookup does not go through the breaker: it moves no money and is how a
// caller recovers from an unknown outcome; and its answers, which the PG
// gives even when its operations fail, must not close a breaker.
func (c *Client) Lookup(ctx context.Context, key, operation string) (Outcome, error) {
	if !validKey(key) {
		return Outcome{}, fmt.Errorf("pgclient: lookup: %w", errBadKey)
	}
	path := "/v1/operations/" + url.PathEscape(key)
	if operation != "" {
		path += "?" + url.Values{"operation": {operation}}.Encode()
	}
	a, err := c.send(ctx, request{op: "lookup", method: http.MethodGet, path: path})
	var refusal *Refusal
	if errors.As(err, &refusal) && refusal.Status == http.StatusNotFound && refusal.Code == "operation_not_found" {
		return Outcome{}, fmt.Errorf("pgclient: lookup %q: %w", key, ErrNotPerformed)
	}
	if err != nil {
		return Outcome{}, err
	}
	var got outcomeAnswer
	if err := decode("lookup", a, &got); err != nil {
		return Outcome{}, err
	}
	return Outcome{
		Key: got.IdempotencyKey, Operation: got.Operation, HTTPStatus: got.HTTPStatus,
		Response: got.Response, PerformedAt: got.PerformedAt,
	}, nil
}

// Result reads the outcome of a capture, void or refund: the Result the PG
// answered, or the *Refusal it answered.
func (o Outcome) Result() (Result, error) {
	a := answer{status: o.HTTPStatus, body: o.Response}
	if err := o.refusal(); err != nil {
		return Result{}, err
	}
	return resultOf(o.Operation, a)
}

// Authorization reads the outcome of an authorize: the approval or decline,
// or the *Refusal the PG answered.
func (o Outcome) Authorization() (payment.Authorization, error) {
	if err := o.refusal(); err != nil {
		return payment.Authorization{}, err
	}
	return authorizationOf(answer{status: o.HTTPStatus, body: o.Response})
}

// refusal returns the stored answer as a *Refusal when it is not a 2xx.
func (o Outcome) refusal() error {
	if o.HTTPStatus >= 200 && o.HTTPStatus < 300 {
		return nil
	}
	return refusalOf(answer{status: o.HTTPStatus, body: o.Response})
}
