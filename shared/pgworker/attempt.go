package pgworker

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/paylane/paylane/shared/pgclient"
)

// attemptsWithoutDeadline bounds the attempts of a call when the context has no
// deadline (outside Lambda): there is no budget to measure, and the queue retries anyway.
const attemptsWithoutDeadline = 3

// errNoTime: too little of the invocation is left to call the PG and record its answer.
// The message is not tried; it comes back after the visibility timeout.
var errNoTime = errors.New("too little time left in this invocation to call the PG")

// operation is one PG operation a message asks for.
type operation struct {
	name string // capture, refund or void, as Lookup names it
	key  string
	send func(ctx context.Context) (pgclient.Result, error)
}

// answer is what the PG decided: a result, or a definitive refusal.
type answer struct {
	result  pgclient.Result
	refusal *pgclient.Refusal
}

// ask gets the PG's answer to op. While the outcome is unknown it tries again after a
// pause that doubles each time, as long as the pause ends before the deadline minus the
// margin; every attempt after an unknown outcome (and the first, when lookupFirst) asks
// Lookup first, so an operation the PG performed is confirmed, not sent again. Returns
// an error wrapping pgclient.ErrUnavailable when the outcome stays unknown, errNoTime
// when there was no time to try, and any other error as it came (a bug on one side,
// which retrying now does not mend).
func (w *Worker) ask(ctx context.Context, op operation, lookupFirst bool) (answer, error) {
	if !w.hasTime(ctx, 0, 0) {
		return answer{}, fmt.Errorf("pg %s %s: %w", op.name, op.key, errNoTime)
	}
	pause := w.Backoff
	if pause <= 0 {
		pause = DefaultBackoff
	}
	for attempt := 1; ; attempt++ {
		a, err := w.try(ctx, op, lookupFirst)
		if err == nil || !errors.Is(err, pgclient.ErrUnavailable) {
			return a, err
		}
		lookupFirst = true
		wait := jitter(pause)
		if !w.hasTime(ctx, attempt, wait) {
			return answer{}, fmt.Errorf("the PG's %s outcome is still unknown after %d attempts: %w", op.name, attempt, err)
		}
		if serr := sleep(ctx, wait); serr != nil {
			return answer{}, fmt.Errorf("the PG's %s outcome is still unknown after %d attempts: %w (%w)", op.name, attempt, err, serr)
		}
		pause *= 2
	}
}

// try makes one attempt: Lookup when asked, then the operation unless the PG performed it.
func (w *Worker) try(ctx context.Context, op operation, lookupFirst bool) (answer, error) {
	if lookupFirst {
		o, err := w.PG.Lookup(ctx, op.key, op.name)
		switch {
		case err == nil:
			r, err := o.Result()
			return answerOf(r, err)
		case !errors.Is(err, pgclient.ErrNotPerformed):
			return answer{}, fmt.Errorf("looking up the PG's %s %s: %w", op.name, op.key, err)
		}
	}
	return answerOf(op.send(ctx))
}

func answerOf(r pgclient.Result, err error) (answer, error) {
	var refusal *pgclient.Refusal
	if errors.As(err, &refusal) {
		return answer{refusal: refusal}, nil
	}
	if err != nil {
		return answer{}, err
	}
	return answer{result: r}, nil
}

// hasTime says whether another attempt may start after waiting wait, attempts having been
// made: it must start before the deadline minus the margin.
func (w *Worker) hasTime(ctx context.Context, attempts int, wait time.Duration) bool {
	deadline, ok := ctx.Deadline()
	if !ok {
		return attempts < attemptsWithoutDeadline
	}
	margin := w.Margin
	if margin <= 0 {
		margin = DefaultMargin
	}
	return time.Now().Add(wait + margin).Before(deadline)
}

// jitter spreads a pause over [d/2, d], so the instances that failed together while the
// PG was down do not all come back at the same instant.
func jitter(d time.Duration) time.Duration {
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half+1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
