package payment

import (
	"context"
	"errors"
	"time"

	"github.com/paylane/paylane/shared/idempotency"
)

// ErrConflict means the stored payment changed since it was read: the write was refused by
// its condition and nothing was written. The caller may read again and retry.
var ErrConflict = errors.New("payment changed concurrently")

// Store keeps payments (with their refunds) and the outbox events of their changes. Every
// write is one transaction: the payment, its events and, when given, the completion of the
// request's idempotency record, or nothing at all.
type Store interface {
	// Insert writes a new payment. Returns ErrConflict if a payment with its id exists, and
	// a fault.InProgress error if the idempotency record is no longer owned by done.Owner
	// (another invocation took over after this one's lease ran out).
	Insert(ctx context.Context, p *Payment, ev Event, done *idempotency.Completion) error

	// Get returns the merchant's payment. Returns a fault.NotFound error when there is no
	// such payment or it belongs to another merchant.
	Get(ctx context.Context, merchantID, paymentID string) (*Payment, error)

	// Update writes p after a transition, on condition that the stored payment still has
	// version p.Version-1. Returns ErrConflict otherwise, and fault.InProgress as Insert.
	Update(ctx context.Context, p *Payment, events []Event, done *idempotency.Completion) error

	// ReserveRefund adds refund r (the last of p.Refunds, just requested) to the stored
	// payment on condition that its status still allows refunds and what it has reserved
	// plus r.Amount stays within what was captured — not on its version, so concurrent
	// refunds of one payment only fail when they would exceed it. Returns a
	// fault.AmountExceeds or fault.InvalidState error when the condition fails.
	ReserveRefund(ctx context.Context, p *Payment, r Refund, ev Event, done *idempotency.Completion) error

	// List returns the merchant's payments, newest first.
	List(ctx context.Context, merchantID string, q ListQuery) (Page, error)
}

// ListQuery filters a merchant's payments. Zero values mean no filter.
type ListQuery struct {
	Status Status
	From   time.Time // createdAt >= From
	To     time.Time // createdAt <= To
	Limit  int       // 1..100
	Cursor string    // from a previous Page; opaque. A cursor that is not the store's: fault.Invalid.
}

// Page is one page of a list.
type Page struct {
	Payments   []*Payment
	NextCursor string // "" on the last page
}

// AuthorizeRequest is what the PG needs to authorize a payment.
type AuthorizeRequest struct {
	IdempotencyKey string // derived from the payment, so a retry never authorizes twice
	MerchantID     string
	Amount         int64
	Currency       string
	PaymentMethod  string
	Reference      string // our payment id
}

// Gateway is the PG as the payment API needs it.
type Gateway interface {
	// Authorize asks the PG to authorize a payment. A decline is an Authorization with
	// Approved false, not an error. Returns a fault.PGUnavailable error when the PG did not
	// answer in time, is down, or the circuit breaker is open: then the outcome is unknown.
	Authorize(ctx context.Context, req AuthorizeRequest) (Authorization, error)
}

// PendingAuthorization is an authorization whose PG outcome is unknown: the PG did not
// answer in time, so the merchant was told nothing was charged, yet the PG may have
// approved. The janitor asks the PG later and voids what it approved.
type PendingAuthorization struct {
	PaymentID  string
	MerchantID string
	Amount     int64
	Currency   string
	PGKey      string // the idempotency key the PG was called with
	At         time.Time
}

// UnknownOutcomes remembers PG calls whose outcome is unknown, until the janitor settles them.
type UnknownOutcomes interface {
	RecordAuthorization(ctx context.Context, a PendingAuthorization) error
}
