package ledger

import (
	"context"
	"errors"
)

// ErrAlreadyPosted means a journal with the same id was posted before: nothing was written.
// For an at-least-once delivered event it is the expected answer to a redelivery.
var ErrAlreadyPosted = errors.New("journal already posted")

// Store keeps journals and the account totals they add up to.
type Store interface {
	// Post writes j and adds its postings to the account totals, all at once or not at
	// all. Returns ErrAlreadyPosted if a journal with j.ID exists (nothing is written then),
	// and an error wrapping ErrInvalidJournal, without writing, if j does not validate.
	Post(ctx context.Context, j Journal) error

	// Balances returns the merchant's balances, one per currency it has postings in,
	// sorted by currency; an empty, non-nil slice when it has none.
	Balances(ctx context.Context, merchantID string) ([]Balance, error)

	// PaymentJournals returns the journals of one payment, oldest first (by OccurredAt,
	// then ID); none is an empty result, not an error.
	PaymentJournals(ctx context.Context, paymentID string) ([]Journal, error)
}
