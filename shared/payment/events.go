package payment

import "time"

// EventType names an event on the bus (ARCHITECTURE.md §5).
type EventType string

const (
	EventAuthorized       EventType = "payment.authorized"
	EventDeclined         EventType = "payment.declined"
	EventCaptureRequested EventType = "payment.capture_requested"
	EventCaptured         EventType = "payment.captured"
	EventCaptureFailed    EventType = "payment.capture_failed"
	EventVoided           EventType = "payment.voided"
	EventRefundRequested  EventType = "payment.refund_requested"
	EventRefunded         EventType = "payment.refunded"
	EventRefundFailed     EventType = "payment.refund_failed"
)

// EventSource is the EventBridge source of every payment event.
const EventSource = "paylane.payments"

// Event is an outbox record: written in the same transaction as the change it describes,
// published on the bus by the outbox relay. Its JSON form is the envelope of
// ARCHITECTURE.md §5.
type Event struct {
	ID         string    `json:"id"`
	Type       EventType `json:"type"`
	OccurredAt time.Time `json:"occurredAt"`
	MerchantID string    `json:"merchantId"`
	PaymentID  string    `json:"paymentId"`
	Version    int       `json:"version"`
	Data       EventData `json:"data"`
}

// EventData is what consumers need to act on an event without reading the payment.
type EventData struct {
	Amount           int64  `json:"amount"` // the amount this event is about (captured, refunded, ...)
	Currency         string `json:"currency"`
	Status           Status `json:"status"`
	PaymentVersion   int64  `json:"paymentVersion"` // the payment's version after the change, to order events
	AuthorizedAmount int64  `json:"authorizedAmount"`
	CapturedAmount   int64  `json:"capturedAmount,omitempty"`
	RefundID         string `json:"refundId,omitempty"`
	PGTransactionID  string `json:"pgTransactionId,omitempty"`
	// PGOperationID is the PG's id of the capture or refund the event records: what the
	// PG's statement lists, so reconciliation matches on it.
	PGOperationID string `json:"pgOperationId,omitempty"`
	DeclineCode   string `json:"declineCode,omitempty"`
	Reason        string `json:"reason,omitempty"`
}

// eventVersion is the envelope's schema version.
const eventVersion = 1

func (p *Payment) event(id string, typ EventType, amount int64, now time.Time) Event {
	return Event{
		ID: id, Type: typ, OccurredAt: now, MerchantID: p.MerchantID, PaymentID: p.ID, Version: eventVersion,
		Data: EventData{
			Amount: amount, Currency: p.Currency, Status: p.Status, PaymentVersion: p.Version,
			AuthorizedAmount: p.AuthorizedAmount, CapturedAmount: p.CapturedAmount,
			PGTransactionID: p.PGTransactionID, DeclineCode: p.DeclineCode,
		},
	}
}
