package pgclient

import (
	"context"
	"fmt"
	"net/http"

	"github.com/paylane/paylane/shared/payment"
)

// The PG's authorization statuses.
const (
	statusApproved = "APPROVED"
	statusDeclined = "DECLINED"
)

type authorizeBody struct {
	MerchantID    string `json:"merchantId"`
	Amount        int64  `json:"amount"`
	Currency      string `json:"currency"`
	PaymentMethod string `json:"paymentMethod"`
	Reference     string `json:"reference"`
}

type authorizationAnswer struct {
	ID          string  `json:"id"`
	Status      string  `json:"status"`
	DeclineCode *string `json:"declineCode"`
}

var _ payment.Gateway = (*Client)(nil)

// Authorize asks the PG to authorize a payment (payment.Gateway). A decline
// is an Authorization with Approved false. Returns a fault.PGUnavailable
// error wrapping ErrUnavailable when the PG did not answer in time, is down
// or the breaker is open, and a *Refusal when the PG refused the request.
func (c *Client) Authorize(ctx context.Context, req payment.AuthorizeRequest) (payment.Authorization, error) {
	a, err := c.operate(ctx, request{
		op: opAuthorize, method: http.MethodPost, path: "/v1/authorizations", key: req.IdempotencyKey,
		body: authorizeBody{
			MerchantID: req.MerchantID, Amount: req.Amount, Currency: req.Currency,
			PaymentMethod: req.PaymentMethod, Reference: req.Reference,
		},
	})
	if err != nil {
		return payment.Authorization{}, err
	}
	return authorizationOf(a)
}

func authorizationOf(a answer) (payment.Authorization, error) {
	var got authorizationAnswer
	if err := decode(opAuthorize, a, &got); err != nil {
		return payment.Authorization{}, err
	}
	switch got.Status {
	case statusApproved:
		return payment.Authorization{Approved: true, PGTransactionID: got.ID}, nil
	case statusDeclined:
		auth := payment.Authorization{PGTransactionID: got.ID, DeclineCode: "declined"}
		if got.DeclineCode != nil && *got.DeclineCode != "" {
			auth.DeclineCode = *got.DeclineCode
		}
		return auth, nil
	}
	return payment.Authorization{}, fmt.Errorf("pgclient: authorize: unknown status %q", got.Status)
}
