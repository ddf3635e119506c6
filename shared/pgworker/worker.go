// Package pgworker moves money at the PG after the API recorded the intent: the capture,
// refund and void workers behind the capture, refund and void queues (ARCHITECTURE.md §1).
//
// Each message is an EventBridge envelope whose detail is a payment.Event. Delivery is
// at-least-once and unordered, so a worker decides from the stored payment, not from the
// message: a capture whose payment is no longer CAPTURE_REQUESTED was settled already,
// and the message is done. Every PG call carries a key derived from the payment or refund
// ("capture:<paymentId>", "refund:<refundId>", "void:<paymentId>"), so a repeated call is
// answered by the PG's stored outcome and never moves money twice; and a call whose
// outcome is unknown is confirmed with Lookup before it is sent again.
//
// A message fails (it is reported as a batch item failure, comes back after the
// visibility timeout and ends in the queue's DLQ after maxReceiveCount) when the PG's
// outcome stays unknown within the invocation's time budget, or when something is wrong
// that a retry may mend or a human must see; its reason is recorded for `payctl dlq show`.
package pgworker

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/idempotency"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/pgclient"
)

// PG is the payment gateway as the workers need it; *pgclient.Client satisfies it. Every
// call returns a *pgclient.Refusal when the PG decided not to (definitive), an error
// wrapping pgclient.ErrUnavailable when the outcome is unknown; Lookup returns an error
// wrapping pgclient.ErrNotPerformed when the PG never performed the operation.
type PG interface {
	Capture(ctx context.Context, key, pgTransactionID string, amount int64) (pgclient.Result, error)
	Refund(ctx context.Context, key, pgTransactionID string, amount int64) (pgclient.Result, error)
	Void(ctx context.Context, key, pgTransactionID string) (pgclient.Result, error)
	Lookup(ctx context.Context, key, operation string) (pgclient.Outcome, error)
}

var _ PG = (*pgclient.Client)(nil)

// Payments is the part of payment.Store the workers use.
type Payments interface {
	// Get returns a fault.NotFound error when there is no such payment.
	Get(ctx context.Context, merchantID, paymentID string) (*payment.Payment, error)
	// Update returns payment.ErrConflict when the payment changed since it was read.
	Update(ctx context.Context, p *payment.Payment, events []payment.Event, done *idempotency.Completion) error
}

// Failures remembers why a message failed, for `payctl dlq show`.
type Failures interface {
	Record(ctx context.Context, queue, messageID, reason string) error
}

// Defaults for a Worker's zero fields.
const (
	DefaultBackoff = 200 * time.Millisecond
	DefaultMargin  = 5 * time.Second
)

// maxParallel bounds the payments one invocation works on at once: a batch's messages
// wait on the PG, not on the CPU, but the PG should not see a burst from one instance.
const maxParallel = 8

// Worker handles the messages of one queue. Its methods are safe for concurrent use when
// NewID and Now are.
type Worker struct {
	Payments Payments
	PG       PG
	// Failures records why messages failed; nothing is recorded when nil.
	Failures Failures
	// Queue names the queue in the failure records (its name, as `payctl dlq` shows it).
	Queue string
	// NewID returns a unique event id (a random UUID in production). Required.
	NewID func() string
	// Now stamps the events; time.Now when nil.
	Now func() time.Time
	// Log gets a line per settled or failed message; discarded when nil.
	Log *slog.Logger
	// Backoff is the first pause after a PG call with an unknown outcome; each next
	// pause doubles (with jitter). DefaultBackoff when zero.
	Backoff time.Duration
	// Margin is kept free before the Lambda's deadline: no PG call starts and no pause
	// ends later than deadline - Margin, so a call in flight plus the writes after it
	// (and the failure record) still fit. Make it longer than the PG client's timeout.
	// DefaultMargin when zero.
	Margin time.Duration
}

// HandleCaptures settles payment.capture_requested messages: PG capture, then CAPTURED or
// CAPTURE_FAILED with its event.
func (w *Worker) HandleCaptures(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	return w.handle(ctx, ev, payment.EventCaptureRequested, w.capture)
}

// HandleRefunds settles payment.refund_requested messages: PG refund, then the refund
// REFUNDED or REFUND_FAILED with its event.
func (w *Worker) HandleRefunds(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	return w.handle(ctx, ev, payment.EventRefundRequested, w.refund)
}

// HandleVoids releases the authorizations of payment.voided messages at the PG.
func (w *Worker) HandleVoids(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	return w.handle(ctx, ev, payment.EventVoided, w.void)
}

var errMisconfigured = errors.New("pgworker: Payments, PG and NewID are required")

// settle carries out one message; an error fails it.
type settle func(ctx context.Context, m message) error

// handle settles a batch. Messages of one payment are settled one after the other, in
// the batch's order, so two of them never race on the payment or call the PG twice at
// once; different payments are settled concurrently, so one slow PG call does not eat
// the others' time. Only a worker that cannot work at all fails the whole batch.
func (w *Worker) handle(ctx context.Context, batch events.SQSEvent, want payment.EventType, do settle) (events.SQSEventResponse, error) {
	if w.Payments == nil || w.PG == nil || w.NewID == nil {
		return events.SQSEventResponse{}, errMisconfigured
	}
	failed := make([]bool, len(batch.Records))
	var groups [][]int
	byPayment := map[string]int{}
	msgs := make([]message, len(batch.Records))
	for i, rec := range batch.Records {
		m, err := decode(rec, want)
		if err != nil {
			w.fail(ctx, rec.MessageId, slog.Group("message", slog.String("id", rec.MessageId)), err)
			failed[i] = true
			continue
		}
		msgs[i] = m
		g, ok := byPayment[m.event.PaymentID]
		if !ok {
			g = len(groups)
			byPayment[m.event.PaymentID] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}

	var wg sync.WaitGroup
	sem := make(chan struct{}, maxParallel)
	for _, g := range groups {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			for _, i := range g {
				if err := do(ctx, msgs[i]); err != nil {
					w.fail(ctx, msgs[i].id, msgs[i].logAttr(), err)
					failed[i] = true
				}
			}
		}()
	}
	wg.Wait()

	// An empty list, not null, says "all succeeded" in every reading of the response.
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for i, f := range failed {
		if f {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: batch.Records[i].MessageId})
		}
	}
	return resp, nil
}

// fail logs and records why a message failed. An unknown PG outcome, or no time to ask,
// is expected while the PG is down (a warning); anything else needs someone to look.
func (w *Worker) fail(ctx context.Context, messageID string, attr slog.Attr, err error) {
	level := slog.LevelError
	if errors.Is(err, pgclient.ErrUnavailable) || errors.Is(err, errNoTime) {
		level = slog.LevelWarn
	}
	w.log().LogAttrs(ctx, level, "message failed; it comes back later", attr, slog.String("error", err.Error()))
	w.recordReason(ctx, messageID, attr, err.Error())
}

// recordReason keeps reason for `payctl dlq show`. Failing to keep it changes nothing
// about the message: the log line says why.
func (w *Worker) recordReason(ctx context.Context, messageID string, attr slog.Attr, reason string) {
	if w.Failures == nil {
		return
	}
	if err := w.Failures.Record(ctx, w.Queue, messageID, reason); err != nil {
		w.log().LogAttrs(ctx, slog.LevelError, "recording why a message failed", attr, slog.String("error", err.Error()))
	}
}

func (w *Worker) log() *slog.Logger {
	if w.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Log
}

func (w *Worker) now() time.Time {
	if w.Now == nil {
		return time.Now()
	}
	return w.Now()
}
