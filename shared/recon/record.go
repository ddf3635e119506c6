package recon

import (
	"errors"
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/paylane/paylane/shared/payment"
)

// Type is the kind of PG operation a statement line or one of our records is about.
type Type string

const (
	Auth    Type = "AUTH"
	Capture Type = "CAPTURE"
	Refund  Type = "REFUND"
	Void    Type = "VOID"
)

// Valid reports whether t is one of the four types.
func (t Type) Valid() bool {
	switch t {
	case Auth, Capture, Refund, Void:
		return true
	}
	return false
}

// Record is our record of one PG operation, made from the payment event that reported it.
type Record struct {
	Type Type `json:"type"`
	// PGID is the PG's id of the operation: the payment's pgTransactionId for AUTH, the
	// PG's capture or refund id for CAPTURE and REFUND; empty for VOID, whose PG id we do
	// not learn (the void reaches the PG after the API answered).
	PGID       string    `json:"pgId,omitempty"`
	MerchantID string    `json:"merchantId"`
	PaymentID  string    `json:"paymentId"`
	Currency   string    `json:"currency"`
	Amount     int64     `json:"amount"`
	At         time.Time `json:"at"`
}

// Key identifies the record: its type and PG id, or its type and payment when it has no
// PG id (a payment has one void).
func (r Record) Key() string { return recordKey(r.Type, r.PGID, r.PaymentID) }

// recordKey is the key of a record of type t: "<type>#id:<pg id>", or
// "<type>#pay:<payment id>" without a PG id. A statement line with a PG id names the same
// key, so the PG id rule is one lookup.
func recordKey(t Type, pgID, paymentID string) string {
	if pgID != "" {
		return string(t) + "#id:" + pgID
	}
	return string(t) + "#pay:" + paymentID
}

// Day is the record's UTC day, YYYY-MM-DD.
func (r Record) Day() string { return r.At.UTC().Format(time.DateOnly) }

// ErrInvalidRecord means an event that should make a record cannot: it lacks what the
// record needs. Retrying does not help.
var ErrInvalidRecord = errors.New("event cannot be recorded for reconciliation")

// maxIDBytes bounds every id we store or read from a statement: ids are keys, and DynamoDB
// keys are bounded.
const maxIDBytes = 255

// RecordFromEvent returns the record a payment event makes: authorized, captured, refunded
// and voided events do; any other event makes none (ok is false). Returns an error wrapping
// ErrInvalidRecord for one of the four that lacks an id, an amount or a currency.
func RecordFromEvent(ev payment.Event) (rec Record, ok bool, err error) {
	rec = Record{
		MerchantID: ev.MerchantID, PaymentID: ev.PaymentID,
		Currency: ev.Data.Currency, Amount: ev.Data.Amount, At: ev.OccurredAt.UTC(),
	}
	switch ev.Type {
	case payment.EventAuthorized:
		rec.Type, rec.PGID = Auth, ev.Data.PGTransactionID
	case payment.EventCaptured:
		rec.Type, rec.PGID = Capture, ev.Data.PGOperationID
	case payment.EventRefunded:
		rec.Type, rec.PGID = Refund, ev.Data.PGOperationID
	case payment.EventVoided:
		rec.Type = Void
	default:
		return Record{}, false, nil
	}
	if err := rec.validate(); err != nil {
		return Record{}, false, fmt.Errorf("%w: event %s (%s): %w", ErrInvalidRecord, ev.ID, ev.Type, err)
	}
	return rec, true, nil
}

func (r Record) validate() error {
	switch {
	case r.Type != Void && r.PGID == "":
		// Without it a capture or refund could only be matched by amount and time, and
		// two refunds of one payment would have the same key.
		return fmt.Errorf("a %s record needs the PG's id", r.Type)
	case r.MerchantID == "" || r.PaymentID == "":
		return errors.New("merchant and payment ids are required")
	case r.Amount <= 0:
		return fmt.Errorf("amount %d is not positive", r.Amount)
	case r.Currency == "":
		return errors.New("currency is required")
	case r.At.IsZero():
		return errors.New("the time is missing")
	}
	for name, id := range map[string]string{"PG id": r.PGID, "merchant id": r.MerchantID, "payment id": r.PaymentID} {
		if reason := checkID(id); reason != "" {
			return fmt.Errorf("%s %s", name, reason)
		}
	}
	return nil
}

// checkID returns why id cannot be a key, or "". Control characters are refused because
// the stores use them as separators in keys.
func checkID(id string) string {
	switch {
	case len(id) > maxIDBytes:
		return fmt.Sprintf("is longer than %d bytes", maxIDBytes)
	case !utf8.ValidString(id):
		return "is not UTF-8"
	}
	for _, c := range id {
		if unicode.IsControl(c) {
			return "holds a control character"
		}
	}
	return ""
}
