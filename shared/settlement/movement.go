package settlement

import (
	"errors"
	"fmt"
	"time"

	"github.com/paylane/paylane/shared/money"
	"github.com/paylane/paylane/shared/payment"
)

// ErrInvalidMovement is wrapped by the errors of Movement.Validate and MovementFromEvent:
// the movement cannot be recorded, and trying again will not help.
var ErrInvalidMovement = errors.New("invalid settlement movement")

// Kind says whether a movement adds to a day's gross (a capture) or to its refunds.
type Kind string

const (
	Capture Kind = "capture"
	Refund  Kind = "refund"
)

// Movement is one capture or one refund, as settlement counts it.
type Movement struct {
	EventID    string // the payment event's id: a movement is recorded once per event
	MerchantID string
	PaymentID  string
	Currency   string
	Kind       Kind
	Amount     int64 // captured or refunded, positive, in minor units
	// PGOperationID is the PG's capture or refund id, what its statement lists.
	PGOperationID string
	OccurredAt    time.Time
}

// eventSchemaVersion is the payment event envelope version whose data this package reads:
// another version may mean something else by its amount.
const eventSchemaVersion = 1

// MovementFromEvent returns the movement a payment event records: payment.captured is a
// capture of its amount, payment.refunded a refund of the refund's amount. Every other
// type moves no money at settlement: (Movement{}, false, nil). An event that should be a
// movement but cannot be one (another schema version, or a movement that does not
// validate) returns an error wrapping ErrInvalidMovement.
func MovementFromEvent(ev payment.Event) (Movement, bool, error) {
	var kind Kind
	switch ev.Type {
	case payment.EventCaptured:
		kind = Capture
	case payment.EventRefunded:
		kind = Refund
	default:
		return Movement{}, false, nil
	}
	if ev.Version != eventSchemaVersion {
		return Movement{}, false, fmt.Errorf("%w: event %q has schema version %d, want %d", ErrInvalidMovement, ev.ID, ev.Version, eventSchemaVersion)
	}
	m := Movement{
		EventID: ev.ID, MerchantID: ev.MerchantID, PaymentID: ev.PaymentID, Currency: ev.Data.Currency,
		Kind: kind, Amount: ev.Data.Amount, PGOperationID: ev.Data.PGOperationID, OccurredAt: ev.OccurredAt,
	}
	if err := m.Validate(); err != nil {
		return Movement{}, false, err
	}
	return m, true, nil
}

// Validate checks that m can be recorded: it names its event, merchant and payment, is a
// capture or a refund of a positive amount of at most money.MaxAmount in a supported
// currency, and has a time. Returns an error wrapping ErrInvalidMovement otherwise.
func (m Movement) Validate() error {
	switch {
	case m.EventID == "":
		return m.invalid("no event id")
	case m.MerchantID == "":
		return m.invalid("no merchant")
	case m.PaymentID == "":
		return m.invalid("no payment")
	case m.Kind != Capture && m.Kind != Refund:
		return m.invalid("kind %q, want %q or %q", m.Kind, Capture, Refund)
	case m.Amount <= 0 || m.Amount > money.MaxAmount:
		return m.invalid("amount %d, want 1 to %d", m.Amount, money.MaxAmount)
	case m.OccurredAt.IsZero():
		return m.invalid("no time")
	}
	if _, err := money.LookupCurrency(m.Currency); err != nil {
		return m.invalid("currency %q is not supported", m.Currency)
	}
	return nil
}

func (m Movement) invalid(format string, args ...any) error {
	return fmt.Errorf("%w %q: %s", ErrInvalidMovement, m.EventID, fmt.Sprintf(format, args...))
}
