// Package expiry voids authorizations left uncaptured too long. A card network keeps an
// authorization's hold for a few days only; past that the issuer releases it on its own
// and a late capture may be refused. The sweeper, on a schedule, voids each authorization
// older than the window through the same path as a merchant's void: the payment becomes
// VOIDED with its payment.voided event in one write, and the void worker then releases
// the hold at the PG. So no hold outlives its window unnoticed, and the merchant sees why.
package expiry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/idempotency"
	"github.com/paylane/paylane/shared/payment"
)

// Ref names an authorization the index says is old and still AUTHORIZED.
type Ref struct {
	MerchantID string
	PaymentID  string
}

// Payments is the payment store as the sweeper needs it; *dynamostore.Payments
// satisfies it.
type Payments interface {
	// ExpiredAuthorizations returns up to limit payments AUTHORIZED before
	// authorizedBefore, oldest first. The list may lag the payments (an index): it may
	// name one captured a moment ago, so each is read again before it is voided.
	ExpiredAuthorizations(ctx context.Context, authorizedBefore time.Time, limit int) ([]Ref, error)
	// Get returns a fault.NotFound error when the merchant has no such payment.
	Get(ctx context.Context, merchantID, paymentID string) (*payment.Payment, error)
	// Update returns payment.ErrConflict when the payment changed since it was read.
	Update(ctx context.Context, p *payment.Payment, events []payment.Event, done *idempotency.Completion) error
}

// Reason is the reason a swept payment's payment.voided event carries.
const Reason = "authorization expired"

// Defaults for a Sweeper's zero fields.
const (
	// DefaultWindow is a week: about as long as the card networks commonly keep an
	// uncaptured authorization's hold.
	DefaultWindow = 7 * 24 * time.Hour
	// DefaultLimit bounds the references one read returns.
	DefaultLimit = 500
)

// maxConflictRetries bounds how often one payment is read again after a concurrent change
// made the void's conditional write fail. Each retry sees the new state, so a capture that
// won is seen at the first one; the bound only stops a payment that never settles.
const maxConflictRetries = 3

// Sweeper voids expired authorizations.
type Sweeper struct {
	Payments Payments
	// Window is how long an authorization may wait for its capture. DefaultWindow when
	// zero or negative.
	Window time.Duration
	// NewID returns a unique event id (a random UUID in production). Required.
	NewID func() string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Log gets a line per voided or failed authorization and one per run; discarded when nil.
	Log *slog.Logger
	// Limit bounds the references read at a time, oldest first. DefaultLimit when zero or
	// negative.
	Limit int
}

// Report counts what one run did with the authorizations it read.
type Report struct {
	Voided int // expired and still AUTHORIZED: voided now, released at the PG by the void worker
	Left   int // no longer AUTHORIZED when read (captured or voided meanwhile), or not yet expired
	Failed int // could not be read or written (logged at error); the next run tries again
}

var errMisconfigured = errors.New("expiry: Payments and NewID are required")

// Run voids the authorizations older than the window, oldest first, reading Limit
// references at a time while a full read voided something. It returns an error only when
// it could not list them; an authorization it could not void is counted, logged and left
// for the next run. Running it again is harmless: a voided payment is no longer listed,
// and one listed still (the index lags) is read, found VOIDED and left.
func (s *Sweeper) Run(ctx context.Context) (Report, error) {
	if s.Payments == nil || s.NewID == nil {
		return Report{}, errMisconfigured
	}
	window, limit := s.Window, s.Limit
	if window <= 0 {
		window = DefaultWindow
	}
	if limit <= 0 {
		limit = DefaultLimit
	}
	// One cutoff for the whole run, so a run never chases authorizations ageing past the
	// window while it works.
	cutoff := s.now().Add(-window)
	var rep Report
	for {
		refs, err := s.Payments.ExpiredAuthorizations(ctx, cutoff, limit)
		if err != nil {
			return rep, fmt.Errorf("expiry: listing authorizations before %s: %w", cutoff.UTC().Format(time.RFC3339), err)
		}
		voided := rep.Voided
		for _, ref := range refs {
			if ctx.Err() != nil {
				s.log().LogAttrs(ctx, slog.LevelWarn, "expiry sweep stops early: time is up")
				return rep, nil
			}
			rep.add(s.expire(ctx, ref, cutoff))
		}
		// A short read was the last; a full one that voided nothing would read the same
		// references again (they failed, or the index still lists them).
		if len(refs) < limit || rep.Voided == voided {
			return rep, nil
		}
	}
}

// Handle runs the sweeper for the EventBridge schedule.
func (s *Sweeper) Handle(ctx context.Context, _ events.EventBridgeEvent) error {
	rep, err := s.Run(ctx)
	if err != nil {
		return err
	}
	s.log().LogAttrs(ctx, slog.LevelInfo, "expiry sweep",
		slog.Int("voided", rep.Voided), slog.Int("left", rep.Left), slog.Int("failed", rep.Failed))
	return nil
}

func (s *Sweeper) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Sweeper) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}
