// Package payment is the payment domain: a card payment's life from authorization to
// capture, void and refunds, the rules that guard every transition (API.md, "Payment
// states"), and the events each transition records. It imports nothing from AWS: the store
// and the PG are ports declared here and implemented by adapters.
package payment

import (
	"time"
)

// Status is a payment's state (API.md, "Payment states").
type Status string

const (
	Authorized        Status = "AUTHORIZED"
	Declined          Status = "DECLINED"
	CaptureRequested  Status = "CAPTURE_REQUESTED"
	Captured          Status = "CAPTURED"
	CaptureFailed     Status = "CAPTURE_FAILED"
	Voided            Status = "VOIDED"
	PartiallyRefunded Status = "PARTIALLY_REFUNDED"
	Refunded          Status = "REFUNDED"
)

// Valid reports whether s is one of the statuses above.
func (s Status) Valid() bool {
	switch s {
	case Authorized, Declined, CaptureRequested, Captured, CaptureFailed, Voided, PartiallyRefunded, Refunded:
		return true
	}
	return false
}

// RefundStatus is a refund's state: REFUND_REQUESTED -> REFUNDED | REFUND_FAILED.
type RefundStatus string

const (
	RefundRequested RefundStatus = "REFUND_REQUESTED"
	RefundSucceeded RefundStatus = "REFUNDED"
	RefundFailed    RefundStatus = "REFUND_FAILED"
)

// Payment is one card payment of one merchant. Amounts are minor units of Currency.
type Payment struct {
	ID         string
	MerchantID string
	OrderID    string
	Amount     int64
	Currency   string
	Status     Status

	AuthorizedAmount int64
	CapturedAmount   int64
	// RefundedAmount counts completed refunds only (API.md).
	RefundedAmount int64
	// RefundReserved counts refunds requested or completed, not failed ones: what is no
	// longer available to refund. RefundedAmount <= RefundReserved <= CapturedAmount.
	RefundReserved int64

	PGTransactionID string // the PG's authorization
	PGCaptureID     string // the PG's capture, once CAPTURED
	DeclineCode     string
	Description     string
	Metadata        map[string]string
	Refunds         []Refund

	// Version counts the writes of the payment; every transition raises it by one.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Refund is one refund of a captured payment.
type Refund struct {
	ID        string
	PaymentID string
	Amount    int64
	Status    RefundStatus
	Reason    string
	// PGRefundID is the PG's id of the refund, once REFUNDED.
	PGRefundID string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Refundable is what may still be refunded: captured minus refunds requested or done.
func (p *Payment) Refundable() int64 { return p.CapturedAmount - p.RefundReserved }

// Refund returns the payment's refund with the given id.
func (p *Payment) Refund(id string) (*Refund, bool) {
	for i := range p.Refunds {
		if p.Refunds[i].ID == id {
			return &p.Refunds[i], true
		}
	}
	return nil, false
}
