package janitor

import (
	"context"
	"errors"
	"log/slog"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/pgclient"
)

// settle asks the PG about one note and acts on its answer.
func (j *Janitor) settle(ctx context.Context, a payment.PendingAuthorization) outcome {
	attrs := slog.Group("authorization", slog.String("paymentId", a.PaymentID),
		slog.String("merchantId", a.MerchantID), slog.String("pgKey", a.PGKey))
	o, err := j.PG.Lookup(ctx, a.PGKey, "authorize")
	switch {
	case errors.Is(err, pgclient.ErrNotPerformed):
		return j.resolve(ctx, a, attrs, notPerformed)
	case errors.Is(err, pgclient.ErrUnavailable):
		return j.unknown(ctx, attrs, err)
	case err != nil:
		return j.failed(ctx, attrs, "looking up the authorization", err)
	}
	auth, err := o.Authorization()
	var refusal *pgclient.Refusal
	switch {
	case errors.As(err, &refusal):
		// The PG refused the request itself: it authorized nothing.
		return j.resolve(ctx, a, attrs, declined)
	case err != nil:
		return j.failed(ctx, attrs, "reading the PG's stored authorization", err)
	case !auth.Approved:
		return j.resolve(ctx, a, attrs, declined)
	}

	// Approved at the PG. Only a payment we surely did not record is voided: any doubt
	// about the store leaves the note for the next run.
	_, err = j.Payments.Get(ctx, a.MerchantID, a.PaymentID)
	switch {
	case err == nil:
		return j.resolve(ctx, a, attrs, recordedByRetry)
	case !fault.Is(err, fault.NotFound):
		return j.failed(ctx, attrs, "reading the payment", err)
	case auth.PGTransactionID == "":
		return j.failed(ctx, attrs, "voiding", errors.New("the PG's approval carries no transaction id"))
	}
	_, err = j.PG.Void(ctx, "void:"+a.PaymentID, auth.PGTransactionID)
	switch {
	case errors.As(err, &refusal) && refusal.Code == codeAuthorizationVoided:
		// Voided by an earlier run whose answer, or whose Resolve, was lost.
	case errors.Is(err, pgclient.ErrUnavailable):
		return j.unknown(ctx, attrs, err)
	case err != nil:
		// Captured, say, though we never recorded the payment: a human must look.
		return j.failed(ctx, attrs, "voiding an authorization we never recorded", err)
	}
	j.log().LogAttrs(ctx, slog.LevelInfo, "janitor voided an authorization the merchant was told failed", attrs,
		slog.String("pgTransactionId", auth.PGTransactionID))
	return j.resolve(ctx, a, attrs, voided)
}

// resolve forgets a settled note; if that fails the note comes back next run, and
// settling it again is harmless (Lookup, Get and the void's key are all idempotent).
func (j *Janitor) resolve(ctx context.Context, a payment.PendingAuthorization, attrs slog.Attr, o outcome) outcome {
	if err := j.Pending.Resolve(ctx, a); err != nil {
		return j.failed(ctx, attrs, "resolving", err)
	}
	return o
}

func (j *Janitor) unknown(ctx context.Context, attrs slog.Attr, err error) outcome {
	j.log().LogAttrs(ctx, slog.LevelWarn, "the PG did not answer; left for the next run", attrs, slog.String("error", err.Error()))
	return stillUnknown
}

func (j *Janitor) failed(ctx context.Context, attrs slog.Attr, doing string, err error) outcome {
	j.log().LogAttrs(ctx, slog.LevelError, "janitor could not settle an authorization: "+doing, attrs, slog.String("error", err.Error()))
	return failed
}
