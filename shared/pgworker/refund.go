package pgworker

import (
	"context"
	"fmt"

	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/pgclient"
)

// refundWaiting says whether the payment's refund still waits for the PG. A refund the
// payment does not hold cannot be: the event was written with it.
func refundWaiting(refundID string) func(*payment.Payment) (bool, error) {
	return func(p *payment.Payment) (bool, error) {
		r, ok := p.Refund(refundID)
		if !ok {
			return false, fmt.Errorf("payment %s has no refund %s", p.ID, refundID)
		}
		return r.Status == payment.RefundRequested, nil
	}
}

// refund settles a refund_requested message.
func (w *Worker) refund(ctx context.Context, m message) error {
	refundID := m.event.Data.RefundID
	p, err := w.Payments.Get(ctx, m.event.MerchantID, m.event.PaymentID)
	if err != nil {
		return fmt.Errorf("reading payment %s: %w", m.event.PaymentID, err)
	}
	waiting := refundWaiting(refundID)
	if still, err := waiting(p); err != nil || !still {
		if err == nil {
			r, _ := p.Refund(refundID)
			w.done(ctx, m, string(r.Status))
		}
		return err
	}
	r, _ := p.Refund(refundID)
	key := "refund:" + refundID
	pgTx, amount := p.PGTransactionID, r.Amount
	a, err := w.ask(ctx, operation{name: "refund", key: key, send: func(ctx context.Context) (pgclient.Result, error) {
		return w.PG.Refund(ctx, key, pgTx, amount)
	}}, m.redelivered)
	if err != nil {
		return err
	}
	return w.record(ctx, m, p, waiting, func(p *payment.Payment) (payment.Event, error) {
		if a.refusal != nil {
			return p.RefundRefused(refundID, reasonOf(a.refusal), w.NewID(), w.now())
		}
		return p.RefundSucceeded(refundID, a.result.ID, w.NewID(), w.now())
	})
}
