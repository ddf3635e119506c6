package ledger

import (
	"fmt"

	"github.com/paylane/paylane/shared/payment"
)

// eventSchemaVersion is the envelope version (payment.Event.Version) whose data this package
// reads. An event of another version may mean something else by its amount; posting it
// would guess, so it is refused.
const eventSchemaVersion = 1

// ForEvent returns the journal a payment event posts: payment.captured moves its amount
// from pg_receivable to the merchant's payable, payment.refunded moves the refund's amount
// back. Every other type moves no money in the ledger: (Journal{}, false, nil). An event
// that should post but cannot (no id, payment or merchant, a zero amount, an unknown
// currency or schema version) returns an error wrapping ErrInvalidJournal.
func ForEvent(ev payment.Event) (Journal, bool, error) {
	var j Journal
	switch ev.Type {
	case payment.EventCaptured:
		j = eventJournal(ev, KindCapture, transfer(PGReceivable, MerchantPayable(ev.MerchantID), ev.Data.Amount))
	case payment.EventRefunded:
		j = eventJournal(ev, KindRefund, transfer(MerchantPayable(ev.MerchantID), PGReceivable, ev.Data.Amount))
	default:
		return Journal{}, false, nil
	}
	if ev.Version != eventSchemaVersion {
		return Journal{}, false, fmt.Errorf("%w %q: event schema version %d, want %d", ErrInvalidJournal, ev.ID, ev.Version, eventSchemaVersion)
	}
	if ev.PaymentID == "" {
		return Journal{}, false, j.invalid("%s event names no payment", ev.Type)
	}
	if err := j.Validate(); err != nil {
		return Journal{}, false, err
	}
	return j, true, nil
}

func eventJournal(ev payment.Event, kind string, postings []Posting) Journal {
	return Journal{
		ID: ev.ID, MerchantID: ev.MerchantID, PaymentID: ev.PaymentID, Currency: ev.Data.Currency,
		Kind: kind, Postings: postings, OccurredAt: ev.OccurredAt,
	}
}
