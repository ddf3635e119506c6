package merchantapi

import (
	"context"
	"net/http"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/idempotency"
	"github.com/paylane/paylane/shared/payment"
)

// Authorize handles POST /v1/payments.
func (a *API) Authorize(ctx context.Context, req Request) (Response, error) {
	return a.serve(ctx, req, func(ctx context.Context, c *call) Response {
		r, err := parseAuthorize(c.body)
		if err != nil {
			return a.fail(ctx, c.req, err)
		}
		return a.idempotent(ctx, c, func(t *idempotency.Ticket) (Response, bool) {
			finish, out := finisher(t, func(p *payment.Payment, _ *payment.Refund) (int, []byte, error) {
				if p.Status == payment.Declined {
					body, err := encode(declinedBody{
						Error:   errorJSON{Code: fault.Declined, Message: "the payment was declined: " + p.DeclineCode},
						Payment: renderPayment(p),
					})
					return http.StatusPaymentRequired, body, err
				}
				body, err := encode(renderPayment(p))
				return http.StatusCreated, body, err
			})
			key := c.req.Headers["idempotency-key"]
			_, err := a.Payments.Authorize(ctx, payment.AuthorizeCommand{
				NewPayment: payment.NewPayment{
					ID: payment.ID("pay_", c.merchant.ID, key), MerchantID: c.merchant.ID, OrderID: r.OrderID,
					Amount: r.Amount, Currency: r.Currency, Description: r.Description, Metadata: r.Metadata,
				},
				PaymentMethod: r.PaymentMethod,
			}, finish)
			if err != nil {
				return a.fail(ctx, c.req, err), false
			}
			return *out, true
		})
	})
}

type declinedBody struct {
	Error   errorJSON   `json:"error"`
	Payment paymentJSON `json:"payment"`
}

// Capture handles POST /v1/payments/{id}/capture.
func (a *API) Capture(ctx context.Context, req Request) (Response, error) {
	return a.serve(ctx, req, func(ctx context.Context, c *call) Response {
		amount, err := parseCapture(c.body)
		if err != nil {
			return a.fail(ctx, c.req, err)
		}
		return a.changePayment(ctx, c, http.StatusAccepted, func(id string, finish payment.Finisher) error {
			_, err := a.Payments.Capture(ctx, c.merchant.ID, id, amount, finish)
			return err
		})
	})
}

// Void handles POST /v1/payments/{id}/void.
func (a *API) Void(ctx context.Context, req Request) (Response, error) {
	return a.serve(ctx, req, func(ctx context.Context, c *call) Response {
		if err := parseVoid(c.body); err != nil {
			return a.fail(ctx, c.req, err)
		}
		return a.changePayment(ctx, c, http.StatusOK, func(id string, finish payment.Finisher) error {
			_, err := a.Payments.Void(ctx, c.merchant.ID, id, finish)
			return err
		})
	})
}

// changePayment runs a transition of the payment named in the path and answers with the
// payment as it became.
func (a *API) changePayment(ctx context.Context, c *call, status int, change func(id string, finish payment.Finisher) error) Response {
	id, err := parsePaymentID(c.req.PathParameters["id"])
	if err != nil {
		return a.fail(ctx, c.req, err)
	}
	return a.idempotent(ctx, c, func(t *idempotency.Ticket) (Response, bool) {
		finish, out := finisher(t, func(p *payment.Payment, _ *payment.Refund) (int, []byte, error) {
			body, err := encode(renderPayment(p))
			return status, body, err
		})
		if err := change(id, finish); err != nil {
			return a.fail(ctx, c.req, err), false
		}
		return *out, true
	})
}

// Refund handles POST /v1/payments/{id}/refunds.
func (a *API) Refund(ctx context.Context, req Request) (Response, error) {
	return a.serve(ctx, req, func(ctx context.Context, c *call) Response {
		amount, reason, err := parseRefund(c.body)
		if err != nil {
			return a.fail(ctx, c.req, err)
		}
		id, err := parsePaymentID(c.req.PathParameters["id"])
		if err != nil {
			return a.fail(ctx, c.req, err)
		}
		return a.idempotent(ctx, c, func(t *idempotency.Ticket) (Response, bool) {
			finish, out := finisher(t, func(_ *payment.Payment, r *payment.Refund) (int, []byte, error) {
				body, err := encode(renderRefund(*r))
				return http.StatusAccepted, body, err
			})
			key := c.req.Headers["idempotency-key"]
			_, _, err := a.Payments.Refund(ctx, payment.RefundCommand{
				MerchantID: c.merchant.ID, PaymentID: id, RefundID: payment.ID("rf_", c.merchant.ID, key, id),
				Amount: amount, Reason: reason,
			}, finish)
			if err != nil {
				return a.fail(ctx, c.req, err), false
			}
			return *out, true
		})
	})
}

// GetPayment handles GET /v1/payments/{id}.
func (a *API) GetPayment(ctx context.Context, req Request) (Response, error) {
	return a.serve(ctx, req, func(ctx context.Context, c *call) Response {
		id, err := parsePaymentID(c.req.PathParameters["id"])
		if err != nil {
			return a.fail(ctx, c.req, err)
		}
		p, err := a.Payments.Get(ctx, c.merchant.ID, id)
		if err != nil {
			return a.fail(ctx, c.req, err)
		}
		return a.ok(ctx, c, renderPayment(p))
	})
}

type listJSON struct {
	Data       []paymentJSON `json:"data"`
	NextCursor *string       `json:"nextCursor"`
}

// ListPayments handles GET /v1/payments.
func (a *API) ListPayments(ctx context.Context, req Request) (Response, error) {
	return a.serve(ctx, req, func(ctx context.Context, c *call) Response {
		q, err := parseList(c.req.QueryStringParameters)
		if err != nil {
			return a.fail(ctx, c.req, err)
		}
		page, err := a.Payments.List(ctx, c.merchant.ID, q)
		if err != nil {
			return a.fail(ctx, c.req, err)
		}
		out := listJSON{Data: make([]paymentJSON, 0, len(page.Payments)), NextCursor: optional(page.NextCursor)}
		for _, p := range page.Payments {
			out.Data = append(out.Data, renderPayment(p))
		}
		return a.ok(ctx, c, out)
	})
}

func (a *API) ok(ctx context.Context, c *call, v any) Response {
	body, err := encode(v)
	if err != nil {
		return a.fail(ctx, c.req, err)
	}
	return jsonResponse(http.StatusOK, body)
}

type balanceJSON struct {
	Currency string `json:"currency"`
	Pending  int64  `json:"pending"`
	Payable  int64  `json:"payable"`
	PaidOut  int64  `json:"paidOut"`
}

// Balance handles GET /v1/balance: the merchant's balances per currency, from the ledger.
func (a *API) Balance(ctx context.Context, req Request) (Response, error) {
	return a.serve(ctx, req, func(ctx context.Context, c *call) Response {
		if len(c.req.QueryStringParameters) > 0 {
			return a.fail(ctx, c.req, fault.New(fault.Invalid, "GET /v1/balance takes no query parameters"))
		}
		bs, err := a.Balances.Balances(ctx, c.merchant.ID)
		if err != nil {
			return a.fail(ctx, c.req, err)
		}
		out := struct {
			Balances []balanceJSON `json:"balances"`
		}{Balances: make([]balanceJSON, 0, len(bs))}
		for _, b := range bs {
			out.Balances = append(out.Balances, balanceJSON{Currency: b.Currency, Pending: b.Pending, Payable: b.Payable, PaidOut: b.PaidOut})
		}
		return a.ok(ctx, c, out)
	})
}
