package expiry

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/paylane/paylane/shared/payment"
)

// outcome is what became of one reference.
type outcome int

const (
	voided outcome = iota
	left
	failed
)

func (r *Report) add(o outcome) {
	switch o {
	case voided:
		r.Voided++
	case left:
		r.Left++
	case failed:
		r.Failed++
	}
}

// expire voids one authorization if, read now, it is still AUTHORIZED and older than
// cutoff. The write is conditioned on the version read: when the merchant captured or
// voided meanwhile, it fails with payment.ErrConflict, and the payment is read again and
// decided again — so a capture and the sweep never both take effect.
func (s *Sweeper) expire(ctx context.Context, ref Ref, cutoff time.Time) outcome {
	attrs := slog.Group("payment", slog.String("paymentId", ref.PaymentID), slog.String("merchantId", ref.MerchantID))
	for attempt := 0; ; attempt++ {
		p, err := s.Payments.Get(ctx, ref.MerchantID, ref.PaymentID)
		if err != nil {
			// NotFound included: the index lists only stored payments, so a missing one
			// means something a human should see.
			return s.failed(ctx, attrs, "reading the payment", err)
		}
		if p.Status != payment.Authorized || !p.CreatedAt.Before(cutoff) {
			return left
		}
		ev, err := p.Void(s.NewID(), s.now())
		if err != nil {
			return s.failed(ctx, attrs, "voiding", err)
		}
		ev.Data.Reason = Reason
		err = s.Payments.Update(ctx, p, []payment.Event{ev}, nil)
		switch {
		case errors.Is(err, payment.ErrConflict) && attempt < maxConflictRetries:
			continue
		case err != nil:
			return s.failed(ctx, attrs, "writing the void", err)
		}
		s.log().LogAttrs(ctx, slog.LevelInfo, "expired authorization voided", attrs,
			slog.Int64("amount", p.AuthorizedAmount), slog.String("currency", p.Currency),
			slog.Time("authorizedAt", p.CreatedAt), slog.String("eventId", ev.ID))
		return voided
	}
}

func (s *Sweeper) failed(ctx context.Context, attrs slog.Attr, doing string, err error) outcome {
	s.log().LogAttrs(ctx, slog.LevelError, "expiry sweep could not void an authorization: "+doing, attrs,
		slog.String("error", err.Error()))
	return failed
}
