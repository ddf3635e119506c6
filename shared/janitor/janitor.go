// Package janitor settles authorizations whose PG outcome is unknown. When the PG does not
// answer an authorization in time, the API tells the merchant nothing was charged (503)
// and leaves a note (payment.PendingAuthorization); yet the PG may have approved, holding
// the cardholder's funds. The janitor, on a schedule, asks the PG what became of each note
// older than a grace period and settles it: what the PG approved and we never recorded is
// voided at the PG; everything else is only forgotten.
package janitor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/pgclient"
)

// Pending keeps the notes; *dynamostore.Payments satisfies it.
type Pending interface {
	// ListPending returns up to limit notes taken before olderThan, oldest first.
	ListPending(ctx context.Context, olderThan time.Time, limit int) ([]payment.PendingAuthorization, error)
	// Resolve forgets a note; forgetting one that is gone is not an error.
	Resolve(ctx context.Context, a payment.PendingAuthorization) error
}

// Payments tells whether a payment was recorded.
type Payments interface {
	// Get returns a fault.NotFound error when the merchant has no such payment.
	Get(ctx context.Context, merchantID, paymentID string) (*payment.Payment, error)
}

// PG is the payment gateway as the janitor needs it; *pgclient.Client satisfies it.
// Lookup returns an error wrapping pgclient.ErrNotPerformed when the PG never performed
// the operation; both return one wrapping pgclient.ErrUnavailable when it did not answer,
// and Void a *pgclient.Refusal when the PG refused.
type PG interface {
	Lookup(ctx context.Context, key, operation string) (pgclient.Outcome, error)
	Void(ctx context.Context, key, pgTransactionID string) (pgclient.Result, error)
}

var _ PG = (*pgclient.Client)(nil)

// Defaults for a Janitor's zero fields.
const (
	// DefaultGrace leaves a note alone for a quarter of an hour: long enough for the
	// merchant's retries with backoff, after which a retry is unlikely.
	DefaultGrace = 15 * time.Minute
	DefaultLimit = 200
)

// maxUnavailableInARow ends a run when the PG keeps not answering: each call would wait
// for its full timeout, and the next run will find the notes again.
const maxUnavailableInARow = 3

// codeAuthorizationVoided is the PG's refusal of a void it performed already.
const codeAuthorizationVoided = "authorization_voided"

// Janitor settles pending authorizations.
type Janitor struct {
	Pending  Pending
	Payments Payments
	PG       PG
	// Grace is how old a note must be before it is settled: until then the merchant may
	// still retry, and the retry records the authorization. DefaultGrace when zero.
	Grace time.Duration
	// Limit bounds the notes one run settles, oldest first. DefaultLimit when zero.
	Limit int
	Now   func() time.Time // time.Now when nil
	Log   *slog.Logger     // discarded when nil
}

// Report counts what one run did with the notes it read.
type Report struct {
	Voided          int // the PG approved, we never recorded it: released at the PG
	RecordedByRetry int // the PG approved and the merchant's retry recorded it
	Declined        int // the PG declined or refused: nothing held
	NotPerformed    int // the PG never authorized: nothing held
	StillUnknown    int // the PG did not answer: left for the next run
	Failed          int // something needs a look (logged at error); left for the next run
}

// outcome is what became of one note.
type outcome int

const (
	voided outcome = iota
	recordedByRetry
	declined
	notPerformed
	stillUnknown
	failed
)

func (r *Report) add(o outcome, n int) {
	switch o {
	case voided:
		r.Voided += n
	case recordedByRetry:
		r.RecordedByRetry += n
	case declined:
		r.Declined += n
	case notPerformed:
		r.NotPerformed += n
	case stillUnknown:
		r.StillUnknown += n
	case failed:
		r.Failed += n
	}
}

var errMisconfigured = errors.New("janitor: Pending, Payments and PG are required")

// Run settles the notes older than the grace period, oldest first. It returns an error
// only when it could not read the notes; a note it could not settle is counted, logged
// and left for the next run.
func (j *Janitor) Run(ctx context.Context) (Report, error) {
	if j.Pending == nil || j.Payments == nil || j.PG == nil {
		return Report{}, errMisconfigured
	}
	grace, limit := j.Grace, j.Limit
	if grace <= 0 {
		grace = DefaultGrace
	}
	if limit <= 0 {
		limit = DefaultLimit
	}
	notes, err := j.Pending.ListPending(ctx, j.now().Add(-grace), limit)
	if err != nil {
		return Report{}, fmt.Errorf("janitor: listing pending authorizations: %w", err)
	}
	var rep Report
	inARow := 0
	for i, a := range notes {
		if inARow == maxUnavailableInARow || ctx.Err() != nil {
			rep.add(stillUnknown, len(notes)-i)
			j.log().LogAttrs(ctx, slog.LevelWarn, "janitor stops early: the PG does not answer or time is up",
				slog.Int("left", len(notes)-i))
			break
		}
		o := j.settle(ctx, a)
		rep.add(o, 1)
		if o == stillUnknown {
			inARow++
		} else {
			inARow = 0
		}
	}
	return rep, nil
}

// Handle runs the janitor for the EventBridge schedule.
func (j *Janitor) Handle(ctx context.Context, _ events.EventBridgeEvent) error {
	rep, err := j.Run(ctx)
	if err != nil {
		return err
	}
	j.log().LogAttrs(ctx, slog.LevelInfo, "janitor run",
		slog.Int("voided", rep.Voided), slog.Int("recordedByRetry", rep.RecordedByRetry),
		slog.Int("declined", rep.Declined), slog.Int("notPerformed", rep.NotPerformed),
		slog.Int("stillUnknown", rep.StillUnknown), slog.Int("failed", rep.Failed))
	return nil
}

func (j *Janitor) now() time.Time {
	if j.Now == nil {
		return time.Now()
	}
	return j.Now()
}

func (j *Janitor) log() *slog.Logger {
	if j.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return j.Log
}
