package pgworker

import (
	"context"
	"fmt"

	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/pgclient"
)

func captureWaiting(p *payment.Payment) (bool, error) {
	return p.Status == payment.CaptureRequested, nil
}

// capture settles a capture_requested message.
func (w *Worker) capture(ctx context.Context, m message) error {
	p, err := w.Payments.Get(ctx, m.event.MerchantID, m.event.PaymentID)
	if err != nil {
		return fmt.Errorf("reading payment %s: %w", m.event.PaymentID, err)
	}
	if still, _ := captureWaiting(p); !still {
		w.done(ctx, m, string(p.Status))
		return nil
	}
	key := "capture:" + p.ID
	pgTx, amount := p.PGTransactionID, p.CapturedAmount
	a, err := w.ask(ctx, operation{name: "capture", key: key, send: func(ctx context.Context) (pgclient.Result, error) {
		return w.PG.Capture(ctx, key, pgTx, amount)
	}}, m.redelivered)
	if err != nil {
		return err
	}
	if a.refusal != nil && a.refusal.Code == codeAlreadyCaptured {
		// Our key's first answer is replayed to every retry, so a capture under another
		// key took the money: recording CAPTURE_FAILED would hide money that moved, and
		// recording CAPTURED would book an amount nobody confirmed. The message goes to
		// the DLQ for a human.
		return fmt.Errorf("the PG says authorization %s of payment %s was captured, not by %s: a human must look: %w",
			pgTx, p.ID, key, a.refusal)
	}
	return w.record(ctx, m, p, captureWaiting, func(p *payment.Payment) (payment.Event, error) {
		if a.refusal != nil {
			return p.CaptureRefused(reasonOf(a.refusal), w.NewID(), w.now())
		}
		return p.CaptureSucceeded(a.result.ID, w.NewID(), w.now())
	})
}
