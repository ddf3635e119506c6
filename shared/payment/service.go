package payment

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/idempotency"
	"github.com/paylane/paylane/shared/money"
)

// Finisher turns the outcome of a request into the completion of its idempotency record, so
// the stored response is written in the same transaction as the effect. The payment is the
// state after the change; refund is the refund the request created, if any. A nil Finisher
// (or a nil completion) writes no idempotency record.
type Finisher func(p *Payment, refund *Refund) *idempotency.Completion

// Service carries out the merchant's requests on payments.
type Service struct {
	Store Store
	PG    Gateway
	// Unknown records authorizations the PG did not answer; nil records nothing.
	Unknown UnknownOutcomes
	// NewID returns a unique id for events (a random UUID in production).
	NewID func() string
	Now   func() time.Time
}

// maxConflictRetries bounds how often a transition is re-read and re-applied after a
// concurrent change of the same payment made its conditional write fail.
const maxConflictRetries = 5

// ID derives an id from the merchant and the request's idempotency key, so a retry after a
// crash, or a takeover of an expired lease, names the same payment and refund, and the PG
// sees the same key: it can never authorize twice.
func ID(prefix, merchantID, idempotencyKey string, parts ...string) string {
	h := sha256.New()
	for _, s := range append([]string{merchantID, idempotencyKey}, parts...) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	enc := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h.Sum(nil))
	return prefix + strings.ToLower(enc[:26])
}

// AuthorizeCommand is a validated authorization request.
type AuthorizeCommand struct {
	NewPayment
	PaymentMethod string
}

// Authorize asks the PG to authorize and records its answer. A declined payment is returned
// without error (the API answers 402 with it). When the PG does not answer, nothing is
// recorded and the error has code fault.PGUnavailable.
func (s *Service) Authorize(ctx context.Context, cmd AuthorizeCommand, finish Finisher) (*Payment, error) {
	if err := validateNew(cmd.NewPayment); err != nil {
		return nil, err
	}
	pgKey := "authorize:" + cmd.ID
	result, err := s.PG.Authorize(ctx, AuthorizeRequest{
		IdempotencyKey: pgKey,
		MerchantID:     cmd.MerchantID,
		Amount:         cmd.Amount,
		Currency:       cmd.Currency,
		PaymentMethod:  cmd.PaymentMethod,
		Reference:      cmd.ID,
	})
	if err != nil {
		if fault.CodeOf(err) == fault.PGUnavailable {
			// The PG may have approved all the same: leave a note for the janitor, which
			// voids what the PG approved unless the merchant retried and recorded it.
			if s.Unknown != nil {
				if rerr := s.Unknown.RecordAuthorization(ctx, PendingAuthorization{
					PaymentID: cmd.ID, MerchantID: cmd.MerchantID, Amount: cmd.Amount, Currency: cmd.Currency,
					PGKey: pgKey, At: s.Now(),
				}); rerr != nil {
					return nil, fmt.Errorf("recording the unknown outcome of %s: %w (after %w)", cmd.ID, rerr, err)
				}
			}
			return nil, err
		}
		return nil, fmt.Errorf("authorizing payment %s at the PG: %w", cmd.ID, err)
	}
	p, ev := Authorize(cmd.NewPayment, result, s.NewID(), s.Now())
	if err := s.Store.Insert(ctx, p, ev, finishWith(finish, p, nil)); err != nil {
		if errors.Is(err, ErrConflict) {
			// The same id can only come from the same idempotency key, whose record this
			// request holds: another invocation finished it after losing its lease.
			return nil, fault.New(fault.InProgress, "payment %s is being recorded by another request", p.ID)
		}
		return nil, fmt.Errorf("recording payment %s: %w", p.ID, err)
	}
	return p, nil
}

func validateNew(n NewPayment) error {
	if err := money.ValidateAmount("amount", n.Amount); err != nil {
		return err
	}
	if _, err := money.LookupCurrency(n.Currency); err != nil {
		return err
	}
	if n.ID == "" || n.MerchantID == "" {
		return fmt.Errorf("payment id and merchant id are required")
	}
	return nil
}

// Capture asks for amount (0 = all authorized) to be captured.
func (s *Service) Capture(ctx context.Context, merchantID, paymentID string, amount int64, finish Finisher) (*Payment, error) {
	return s.transition(ctx, merchantID, paymentID, finish, func(p *Payment, now time.Time) ([]Event, error) {
		ev, err := p.RequestCapture(amount, s.NewID(), now)
		return []Event{ev}, err
	})
}

// Void releases an uncaptured authorization.
func (s *Service) Void(ctx context.Context, merchantID, paymentID string, finish Finisher) (*Payment, error) {
	return s.transition(ctx, merchantID, paymentID, finish, func(p *Payment, now time.Time) ([]Event, error) {
		ev, err := p.Void(s.NewID(), now)
		return []Event{ev}, err
	})
}

// transition reads the payment, applies change and writes it conditioned on the version it
// read, reading again when another request changed the payment in between.
func (s *Service) transition(ctx context.Context, merchantID, paymentID string, finish Finisher,
	change func(*Payment, time.Time) ([]Event, error)) (*Payment, error) {
	for attempt := 0; ; attempt++ {
		p, err := s.Store.Get(ctx, merchantID, paymentID)
		if err != nil {
			return nil, err
		}
		events, err := change(p, s.Now())
		if err != nil {
			return nil, err
		}
		err = s.Store.Update(ctx, p, events, finishWith(finish, p, nil))
		if errors.Is(err, ErrConflict) && attempt < maxConflictRetries {
			continue
		}
		if err != nil {
			if errors.Is(err, ErrConflict) {
				return nil, fault.Wrap(fault.Internal, err, "payment %s keeps changing", paymentID)
			}
			return nil, err
		}
		return p, nil
	}
}

// RefundCommand is a refund request. Amount 0 refunds all that remains.
type RefundCommand struct {
	MerchantID, PaymentID, RefundID string
	Amount                          int64
	Reason                          string
}

// Refund reserves a refund on a captured payment; the PG refund happens asynchronously.
// Concurrent refunds of one payment never reserve more than was captured: the store's
// condition holds the line, and a refund that would cross it fails with fault.AmountExceeds.
func (s *Service) Refund(ctx context.Context, cmd RefundCommand, finish Finisher) (*Payment, *Refund, error) {
	if len(cmd.Reason) > 255 {
		return nil, nil, fault.Field("reason", "reason must be at most 255 characters")
	}
	for attempt := 0; ; attempt++ {
		p, err := s.Store.Get(ctx, cmd.MerchantID, cmd.PaymentID)
		if err != nil {
			return nil, nil, err
		}
		r, ev, err := p.RequestRefund(cmd.RefundID, cmd.Amount, cmd.Reason, s.NewID(), s.Now())
		if err != nil {
			return nil, nil, err
		}
		err = s.Store.ReserveRefund(ctx, p, r, ev, finishWith(finish, p, &r))
		// "All that remains" was computed from what we read; if other refunds reserved
		// part of it meanwhile, compute it again rather than refusing.
		if cmd.Amount == 0 && fault.Is(err, fault.AmountExceeds) && attempt < maxConflictRetries {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		return p, &r, nil
	}
}

// Get returns the merchant's payment.
func (s *Service) Get(ctx context.Context, merchantID, paymentID string) (*Payment, error) {
	return s.Store.Get(ctx, merchantID, paymentID)
}

// List returns the merchant's payments, newest first.
func (s *Service) List(ctx context.Context, merchantID string, q ListQuery) (Page, error) {
	if q.Status != "" && !q.Status.Valid() {
		return Page{}, fault.Field("status", "status %q is not a payment status", q.Status)
	}
	if q.Limit == 0 {
		q.Limit = 20
	}
	if q.Limit < 1 || q.Limit > 100 {
		return Page{}, fault.Field("limit", "limit must be between 1 and 100")
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return Page{}, fault.Field("to", "to must not be before from")
	}
	return s.Store.List(ctx, merchantID, q)
}

func finishWith(f Finisher, p *Payment, r *Refund) *idempotency.Completion {
	if f == nil {
		return nil
	}
	return f(p, r)
}
