package settlement

import (
	"context"
	"errors"

	"github.com/paylane/paylane/shared/ledger"
	"github.com/paylane/paylane/shared/merchant"
)

// ErrAlreadyRecorded means a movement with the same event id was recorded before: nothing
// was added. For an at-least-once delivered event it is the expected answer to a redelivery.
var ErrAlreadyRecorded = errors.New("settlement movement already recorded")

// ErrBatchExists means the merchant already has a batch with the id being saved, and it
// settles other amounts (the merchant's fee rate changed between two closes of the day):
// the stored batch is the one that counts, and nothing was written.
var ErrBatchExists = errors.New("a different settlement batch with this id exists")

// Store keeps the per merchant-day aggregates of movements and the batches they close into.
type Store interface {
	// Record adds m to the merchant's day, exactly once per m.EventID. When that day is
	// closed it tries the next day, and the next, until one is open, and returns the day
	// m landed in. Returns an error wrapping ErrAlreadyRecorded when m.EventID was recorded
	// before (with the day it landed in then, when the store knows it), and one wrapping
	// ErrInvalidMovement, without writing, if m does not validate; a day not written
	// YYYY-MM-DD is a fault.Invalid error.
	Record(ctx context.Context, m Movement, day string) (recordedDay string, err error)

	// CloseDay closes the merchant's day, so that no movement lands in it any more, and
	// returns its totals: one per currency with movements, sorted by currency, none for a
	// day without. Closing a closed day changes nothing and returns the same totals.
	CloseDay(ctx context.Context, merchantID, day string) ([]Totals, error)

	// SaveBatch stores b, idempotently: when the merchant has a batch b.ID that settles the
	// same amounts (Batch.SameSettlement), nothing is written and nil is returned; when it
	// settles other amounts, nothing is written and an error wrapping ErrBatchExists is
	// returned.
	SaveBatch(ctx context.Context, b Batch) error

	// Batches returns the merchant's batches whose day is between from and to, both
	// included ("" leaves that end open), by day then currency; an empty, non-nil slice
	// when there are none. A day not written YYYY-MM-DD is a fault.Invalid error.
	Batches(ctx context.Context, merchantID, from, to string) ([]Batch, error)

	// Batch returns the merchant's batch id. Returns a fault.NotFound error when the
	// merchant has none with that id (another merchant's batch included).
	Batch(ctx context.Context, merchantID, id string) (*Batch, error)

	// MarkSettled remembers that a run closed day for every merchant.
	MarkSettled(ctx context.Context, day string) error

	// SettledDays returns the days between from and to, both included, that MarkSettled
	// remembers, in order.
	SettledDays(ctx context.Context, from, to string) ([]string, error)
}

// Ledger is where a batch is booked: ledger.Store's Post (dynamostore.Ledger).
type Ledger interface {
	// Post writes j once. Returns an error wrapping ledger.ErrAlreadyPosted when a journal
	// with j.ID exists.
	Post(ctx context.Context, j ledger.Journal) error
}

// Publisher announces a closed batch on the bus as settlement.closed (NewClosedEvent).
type Publisher interface {
	PublishClosed(ctx context.Context, b Batch) error
}

// Merchants lists the merchants to settle and their fee rates (merchant.Store).
type Merchants interface {
	// List returns every merchant.
	List(ctx context.Context) ([]merchant.Merchant, error)
	// Get returns one merchant, or a fault.NotFound error.
	Get(ctx context.Context, id string) (*merchant.Merchant, error)
}
