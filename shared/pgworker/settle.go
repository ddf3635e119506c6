package pgworker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/pgclient"
)

// maxConflictRetries bounds how often an outcome is re-applied after another write of the
// same payment came first (a refund request while its capture is recorded, say).
const maxConflictRetries = 5

// The PG's refusal codes the workers act on (shared/mockpg's protocol).
const (
	codeAlreadyCaptured     = "already_captured"
	codeAuthorizationVoided = "authorization_voided"
)

// record writes the PG's outcome into the payment: apply makes the transition and its
// event, and the payment is updated on condition of the version it was read at. When
// another write came first, the payment is read again and, if still waiting (waiting
// says), the outcome applied again; if no longer, the work is done.
func (w *Worker) record(ctx context.Context, m message, p *payment.Payment,
	waiting func(*payment.Payment) (bool, error), apply func(*payment.Payment) (payment.Event, error)) error {
	for attempt := 0; ; attempt++ {
		ev, err := apply(p)
		if err != nil {
			return fmt.Errorf("applying the PG's answer to payment %s: %w", p.ID, err)
		}
		err = w.Payments.Update(ctx, p, []payment.Event{ev}, nil)
		if err == nil {
			w.log().LogAttrs(ctx, slog.LevelInfo, "settled", m.logAttr(),
				slog.String("event", string(ev.Type)), slog.String("status", string(p.Status)))
			return nil
		}
		if !errors.Is(err, payment.ErrConflict) || attempt == maxConflictRetries {
			return fmt.Errorf("recording the PG's answer for payment %s: %w", p.ID, err)
		}
		if p, err = w.Payments.Get(ctx, m.event.MerchantID, m.event.PaymentID); err != nil {
			return fmt.Errorf("reading payment %s again: %w", m.event.PaymentID, err)
		}
		still, err := waiting(p)
		if err != nil || !still {
			return err
		}
	}
}

// done logs a message whose work was done before: a duplicate delivery, or one that
// arrived after the payment moved on.
func (w *Worker) done(ctx context.Context, m message, status string) {
	w.log().LogAttrs(ctx, slog.LevelInfo, "nothing to do: settled already", m.logAttr(), slog.String("status", status))
}

// reasonOf is the failure reason a refusal gives the payment's event: the PG's code.
func reasonOf(r *pgclient.Refusal) string {
	if r.Code != "" {
		return r.Code
	}
	return fmt.Sprintf("pg_refused_%d_%s", r.Status, http.StatusText(r.Status))
}
