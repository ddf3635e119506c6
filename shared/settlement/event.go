package settlement

import "time"

// The settlement.closed event on the bus (ARCHITECTURE.md §5).
const (
	EventClosed = "settlement.closed"
	EventSource = "paylane.settlements"
)

// closedEventVersion is the envelope's schema version.
const closedEventVersion = 1

// ClosedEvent is the envelope of settlement.closed, the EventBridge detail: the envelope of
// ARCHITECTURE.md §5 about no payment, its data the batch.
type ClosedEvent struct {
	ID         string    `json:"id"` // the batch's GlobalID: a re-run publishes the same id
	Type       string    `json:"type"`
	OccurredAt time.Time `json:"occurredAt"`
	MerchantID string    `json:"merchantId"`
	PaymentID  string    `json:"paymentId"` // always "": a batch is about many payments
	Version    int       `json:"version"`
	Data       Batch     `json:"data"`
}

// NewClosedEvent is the settlement.closed event of b.
func NewClosedEvent(b Batch) ClosedEvent {
	return ClosedEvent{
		ID: b.GlobalID(), Type: EventClosed, OccurredAt: b.CreatedAt.UTC(), MerchantID: b.MerchantID,
		Version: closedEventVersion, Data: b,
	}
}
