package merchantapi

import (
	"time"

	"github.com/paylane/paylane/shared/payment"
)

// paymentJSON is the payment object of API.md.
type paymentJSON struct {
	ID               string            `json:"id"`
	MerchantID       string            `json:"merchantId"`
	OrderID          string            `json:"orderId"`
	Amount           int64             `json:"amount"`
	Currency         string            `json:"currency"`
	Status           payment.Status    `json:"status"`
	AuthorizedAmount int64             `json:"authorizedAmount"`
	CapturedAmount   int64             `json:"capturedAmount"`
	RefundedAmount   int64             `json:"refundedAmount"`
	PGTransactionID  *string           `json:"pgTransactionId"`
	DeclineCode      *string           `json:"declineCode"`
	Description      string            `json:"description,omitempty"`
	Metadata         map[string]string `json:"metadata,omitempty"`
	Refunds          []refundJSON      `json:"refunds"`
	CreatedAt        string            `json:"createdAt"`
	UpdatedAt        string            `json:"updatedAt"`
}

// refundJSON is the refund object of API.md.
type refundJSON struct {
	ID        string               `json:"id"`
	PaymentID string               `json:"paymentId"`
	Amount    int64                `json:"amount"`
	Status    payment.RefundStatus `json:"status"`
	Reason    string               `json:"reason,omitempty"`
	CreatedAt string               `json:"createdAt"`
}

func timeJSON(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func renderPayment(p *payment.Payment) paymentJSON {
	out := paymentJSON{
		ID: p.ID, MerchantID: p.MerchantID, OrderID: p.OrderID, Amount: p.Amount, Currency: p.Currency,
		Status: p.Status, AuthorizedAmount: p.AuthorizedAmount, CapturedAmount: p.CapturedAmount,
		RefundedAmount: p.RefundedAmount, PGTransactionID: optional(p.PGTransactionID),
		DeclineCode: optional(p.DeclineCode), Description: p.Description, Metadata: p.Metadata,
		Refunds: make([]refundJSON, 0, len(p.Refunds)), CreatedAt: timeJSON(p.CreatedAt), UpdatedAt: timeJSON(p.UpdatedAt),
	}
	for _, r := range p.Refunds {
		out.Refunds = append(out.Refunds, renderRefund(r))
	}
	return out
}

func renderRefund(r payment.Refund) refundJSON {
	return refundJSON{ID: r.ID, PaymentID: r.PaymentID, Amount: r.Amount, Status: r.Status, Reason: r.Reason, CreatedAt: timeJSON(r.CreatedAt)}
}
