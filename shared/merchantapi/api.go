// Package merchantapi is the merchant-facing HTTP API of API.md as Lambda handlers behind
// API Gateway's HTTP API (payload format 2.0): signature check, rate limit, idempotency,
// request parsing and the responses. The rules live in the payment package; this package
// only translates between HTTP and them.
package merchantapi

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/auth"
	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/idempotency"
	"github.com/paylane/paylane/shared/ledger"
	"github.com/paylane/paylane/shared/merchant"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/ratelimit"
	"github.com/paylane/paylane/shared/settlement"
)

// API holds what every endpoint needs. main builds it once per function instance.
type API struct {
	Payments *payment.Service
	Verifier *auth.Verifier
	Limiter  *ratelimit.Limiter
	Guard    *idempotency.Guard
	// Balances reads the merchant's balances from the ledger.
	Balances interface {
		Balances(ctx context.Context, merchantID string) ([]ledger.Balance, error)
	}
	// Settlements reads the merchant's settlement batches.
	Settlements interface {
		Batches(ctx context.Context, merchantID, from, to string) ([]settlement.Batch, error)
		Batch(ctx context.Context, merchantID, id string) (*settlement.Batch, error)
	}
	Log *slog.Logger
}

// Request is the API Gateway HTTP API event (payload format 2.0).
type Request = events.APIGatewayV2HTTPRequest

// Response is what the function answers API Gateway.
type Response = events.APIGatewayV2HTTPResponse

// call is one authenticated request.
type call struct {
	req      Request
	body     []byte
	merchant *merchant.Merchant
}

// endpoint is the part of a handler after authentication and rate limiting.
type endpoint func(ctx context.Context, c *call) Response

// serve runs the steps every endpoint shares. It never returns an error to Lambda for a
// client's mistake: a client gets a status code; only a bug would surface as a 500.
func (a *API) serve(ctx context.Context, req Request, next endpoint) (Response, error) {
	body := []byte(req.Body)
	if req.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(req.Body)
		if err != nil {
			return errorResponse(fault.New(fault.Invalid, "request body is not valid base64")), nil
		}
		body = decoded
	}
	if len(body) > maxBody {
		return tooLarge(), nil
	}
	pathQuery := req.RawPath
	if req.RawQueryString != "" {
		pathQuery += "?" + req.RawQueryString
	}
	m, err := a.Verifier.Verify(ctx, auth.Request{
		MerchantID: req.Headers["x-merchant-id"], Timestamp: req.Headers["x-timestamp"],
		Signature: req.Headers["x-signature"], Method: req.RequestContext.HTTP.Method,
		PathWithQuery: pathQuery, Body: body,
	})
	if err != nil {
		return a.fail(ctx, req, err), nil
	}
	if d := a.Limiter.Allow(ctx, m.ID, m.RateLimitPerSecond); !d.Allowed {
		return rateLimited(d.RetryAfter), nil
	}
	return next(ctx, &call{req: req, body: body, merchant: m}), nil
}

// fail renders err, logging what the client does not see.
func (a *API) fail(ctx context.Context, req Request, err error) Response {
	code := fault.CodeOf(err)
	switch {
	case code == fault.Internal:
		a.Log.ErrorContext(ctx, "request failed", "route", req.RouteKey, "err", err)
	case code == fault.PGUnavailable:
		a.Log.WarnContext(ctx, "payment gateway unavailable", "route", req.RouteKey, "err", err)
	case code == fault.Unauthenticated:
		a.Log.InfoContext(ctx, "request not authenticated", "route", req.RouteKey, "err", err)
	}
	return errorResponse(err)
}

// idempotent runs an effectful POST under its Idempotency-Key: a completed request is
// replayed; run's response is stored in the same write as its effect (run builds the
// completion through the ticket); a request that ends without an effect releases the key.
func (a *API) idempotent(ctx context.Context, c *call, run func(t *idempotency.Ticket) (Response, bool)) Response {
	t, replay, err := a.Guard.Begin(ctx, c.merchant.ID, c.req.Headers["idempotency-key"],
		c.req.RequestContext.HTTP.Method, c.req.RawPath, c.body)
	if err != nil {
		return a.fail(ctx, c.req, err)
	}
	if replay != nil {
		resp := jsonResponse(replay.Status, replay.Body)
		resp.Headers["Idempotent-Replayed"] = "true"
		return resp
	}
	resp, recorded := run(t)
	if !recorded {
		if err := t.Release(ctx); err != nil {
			// The key stays IN_PROGRESS until its lease runs out; then a retry takes over.
			a.Log.WarnContext(ctx, "releasing idempotency key", "err", err)
		}
	}
	return resp
}

// finisher renders the response of an effect and completes the ticket with it.
func finisher(t *idempotency.Ticket, render func(p *payment.Payment, r *payment.Refund) (int, []byte, error)) (payment.Finisher, *Response) {
	var out Response
	f := func(p *payment.Payment, r *payment.Refund) *idempotency.Completion {
		status, body, err := render(p, r)
		if err != nil {
			// Rendering our own structs cannot fail; if it did, store an internal error
			// rather than an empty body.
			status, body = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"internal error"}}`)
		}
		out = jsonResponse(status, body)
		return t.Complete(status, body)
	}
	return f, &out
}
