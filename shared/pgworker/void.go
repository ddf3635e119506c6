package pgworker

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/pgclient"
)

// void releases a voided payment's authorization at the PG. The payment is VOIDED already
// (the API wrote it with the event), so nothing is written back.
func (w *Worker) void(ctx context.Context, m message) error {
	p, err := w.Payments.Get(ctx, m.event.MerchantID, m.event.PaymentID)
	if err != nil {
		return fmt.Errorf("reading payment %s: %w", m.event.PaymentID, err)
	}
	if p.Status != payment.Voided {
		// VOIDED is final, and the event was written with it: this cannot be, so a human
		// must see it before anything is released.
		return fmt.Errorf("payment %s is %s, yet event %s says it was voided", p.ID, p.Status, m.event.ID)
	}
	key := "void:" + p.ID
	pgTx := p.PGTransactionID
	a, err := w.ask(ctx, operation{name: "void", key: key, send: func(ctx context.Context) (pgclient.Result, error) {
		return w.PG.Void(ctx, key, pgTx)
	}}, m.redelivered)
	switch {
	case err != nil:
		return err
	case a.refusal == nil:
		w.log().LogAttrs(ctx, slog.LevelInfo, "authorization released", m.logAttr(), slog.String("pgVoidId", a.result.ID))
	case a.refusal.Code == codeAuthorizationVoided:
		w.done(ctx, m, "authorization already voided at the PG")
	default:
		// Captured, declined or unknown at the PG: retrying gets the same answer, and the
		// payment is VOIDED for the merchant. Done here; a human follows the reason up.
		reason := fmt.Sprintf("the PG refused to release authorization %s of voided payment %s: %v", pgTx, p.ID, a.refusal)
		w.log().LogAttrs(ctx, slog.LevelError, "void refused by the PG: a human must look", m.logAttr(), slog.String("reason", reason))
		w.recordReason(ctx, m.id, m.logAttr(), reason)
	}
	return nil
}
