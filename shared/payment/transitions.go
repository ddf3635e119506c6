package payment

import (
	"time"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/money"
)

// Every transition below checks its rule, changes the payment, raises its version and
// returns the event to record with it. A transition that is refused leaves the payment
// untouched. The store writes the result conditioned on the state the rule was checked
// against, so a concurrent change makes the write fail instead of breaking the rule.

// Authorization is the PG's answer to an authorization request.
type Authorization struct {
	Approved        bool
	PGTransactionID string
	DeclineCode     string
}

// NewPayment is an authorization request, validated.
type NewPayment struct {
	ID, MerchantID, OrderID string
	Amount                  int64
	Currency                string
	Description             string
	Metadata                map[string]string
}

// Authorize records the PG's answer: an AUTHORIZED payment, or a DECLINED one.
func Authorize(req NewPayment, pg Authorization, eventID string, now time.Time) (*Payment, Event) {
	p := &Payment{
		ID: req.ID, MerchantID: req.MerchantID, OrderID: req.OrderID, Amount: req.Amount, Currency: req.Currency,
		Description: req.Description, Metadata: req.Metadata, PGTransactionID: pg.PGTransactionID,
		Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if !pg.Approved {
		p.Status, p.DeclineCode = Declined, pg.DeclineCode
		return p, p.event(eventID, EventDeclined, req.Amount, now)
	}
	p.Status, p.AuthorizedAmount = Authorized, req.Amount
	return p, p.event(eventID, EventAuthorized, req.Amount, now)
}

// RequestCapture asks for amount (0 = the full authorized amount) to be captured:
// AUTHORIZED -> CAPTURE_REQUESTED. The PG capture happens asynchronously.
func (p *Payment) RequestCapture(amount int64, eventID string, now time.Time) (Event, error) {
	if p.Status != Authorized {
		return Event{}, fault.New(fault.InvalidState, "a %s payment cannot be captured", p.Status)
	}
	if amount == 0 {
		amount = p.AuthorizedAmount
	}
	if err := money.ValidateAmount("amount", amount); err != nil {
		return Event{}, err
	}
	if amount > p.AuthorizedAmount {
		return Event{}, fault.Field("amount", "amount %d exceeds the authorized amount %d", amount, p.AuthorizedAmount)
	}
	p.Status, p.CapturedAmount = CaptureRequested, amount
	p.touch(now)
	return p.event(eventID, EventCaptureRequested, amount, now), nil
}

// Void releases an authorization that was not captured: AUTHORIZED -> VOIDED.
func (p *Payment) Void(eventID string, now time.Time) (Event, error) {
	if p.Status != Authorized {
		return Event{}, fault.New(fault.InvalidState, "a %s payment cannot be voided", p.Status)
	}
	p.Status = Voided
	p.touch(now)
	return p.event(eventID, EventVoided, p.AuthorizedAmount, now), nil
}

// RequestRefund reserves amount (0 = all that is still refundable) for a new refund. Allowed
// on CAPTURED and PARTIALLY_REFUNDED payments; refunds in flight count against what remains.
func (p *Payment) RequestRefund(refundID string, amount int64, reason, eventID string, now time.Time) (Refund, Event, error) {
	if p.Status != Captured && p.Status != PartiallyRefunded {
		return Refund{}, Event{}, fault.New(fault.InvalidState, "a %s payment cannot be refunded", p.Status)
	}
	if amount == 0 {
		amount = p.Refundable()
		if amount == 0 {
			return Refund{}, Event{}, fault.New(fault.AmountExceeds, "nothing remains to refund")
		}
	}
	if err := money.ValidateAmount("amount", amount); err != nil {
		return Refund{}, Event{}, err
	}
	if amount > p.Refundable() {
		return Refund{}, Event{}, fault.New(fault.AmountExceeds, "amount %d exceeds the %d that remains refundable", amount, p.Refundable())
	}
	r := Refund{ID: refundID, PaymentID: p.ID, Amount: amount, Status: RefundRequested, Reason: reason, CreatedAt: now, UpdatedAt: now}
	p.RefundReserved += amount
	p.Refunds = append(p.Refunds, r)
	p.touch(now)
	ev := p.event(eventID, EventRefundRequested, amount, now)
	ev.Data.RefundID, ev.Data.Reason = refundID, reason
	return r, ev, nil
}

// CaptureSucceeded records the PG's capture pgCaptureID: CAPTURE_REQUESTED -> CAPTURED.
func (p *Payment) CaptureSucceeded(pgCaptureID, eventID string, now time.Time) (Event, error) {
	if p.Status != CaptureRequested {
		return Event{}, fault.New(fault.InvalidState, "a %s payment cannot become captured", p.Status)
	}
	p.Status, p.PGCaptureID = Captured, pgCaptureID
	p.touch(now)
	ev := p.event(eventID, EventCaptured, p.CapturedAmount, now)
	ev.Data.PGOperationID = pgCaptureID
	return ev, nil
}

// CaptureRefused records the PG's definitive refusal: CAPTURE_REQUESTED -> CAPTURE_FAILED.
// Nothing was captured.
func (p *Payment) CaptureRefused(reason, eventID string, now time.Time) (Event, error) {
	if p.Status != CaptureRequested {
		return Event{}, fault.New(fault.InvalidState, "a %s payment cannot fail its capture", p.Status)
	}
	amount := p.CapturedAmount
	p.Status, p.CapturedAmount = CaptureFailed, 0
	p.touch(now)
	ev := p.event(eventID, EventCaptureFailed, amount, now)
	ev.Data.Reason = reason
	return ev, nil
}

// RefundSucceeded records a refund done at the PG as pgRefundID. The payment becomes
// REFUNDED when completed refunds reach the captured amount, PARTIALLY_REFUNDED before.
func (p *Payment) RefundSucceeded(refundID, pgRefundID, eventID string, now time.Time) (Event, error) {
	r, err := p.pendingRefund(refundID)
	if err != nil {
		return Event{}, err
	}
	r.Status, r.UpdatedAt, r.PGRefundID = RefundSucceeded, now, pgRefundID
	p.RefundedAmount += r.Amount
	if p.RefundedAmount == p.CapturedAmount {
		p.Status = Refunded
	} else {
		p.Status = PartiallyRefunded
	}
	p.touch(now)
	ev := p.event(eventID, EventRefunded, r.Amount, now)
	ev.Data.RefundID, ev.Data.PGOperationID = refundID, pgRefundID
	return ev, nil
}

// RefundRefused records the PG's definitive refusal of a refund; its amount becomes
// refundable again.
func (p *Payment) RefundRefused(refundID, reason, eventID string, now time.Time) (Event, error) {
	r, err := p.pendingRefund(refundID)
	if err != nil {
		return Event{}, err
	}
	r.Status, r.UpdatedAt = RefundFailed, now
	p.RefundReserved -= r.Amount
	p.touch(now)
	ev := p.event(eventID, EventRefundFailed, r.Amount, now)
	ev.Data.RefundID, ev.Data.Reason = refundID, reason
	return ev, nil
}

func (p *Payment) pendingRefund(id string) (*Refund, error) {
	r, ok := p.Refund(id)
	if !ok {
		return nil, fault.New(fault.NotFound, "payment %s has no refund %s", p.ID, id)
	}
	if r.Status != RefundRequested {
		return nil, fault.New(fault.InvalidState, "refund %s is already %s", id, r.Status)
	}
	return r, nil
}

func (p *Payment) touch(now time.Time) {
	p.Version++
	p.UpdatedAt = now
}
