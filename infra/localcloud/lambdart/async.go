package lambdart

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// maxAsyncPayload is Lambda's limit on an asynchronous invocation's payload: 1 MB
// (https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html).
const maxAsyncPayload = 1024 * 1024

// asyncAttempts is the first attempt and Lambda's two retries
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
const asyncAttempts = 3

// InvokeAsync queues an asynchronous invocation and returns: the function runs
// when an instance is free. On an error Lambda retries twice, waiting
// AsyncRetryDelay then twice that; every attempt carries the same request id.
// An event that fails every attempt is discarded with a line on the console
// (destinations and dead-letter queues are not implemented).
func (r *Runtime) InvokeAsync(ctx context.Context, function string, payload []byte) error {
	f, ref, err := r.lookup(function)
	if err != nil {
		return err
	}
	if len(payload) > maxAsyncPayload {
		return fmt.Errorf("%w: %d bytes; an asynchronous invocation takes at most %d", ErrRequestTooLarge, len(payload), maxAsyncPayload)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("lambdart: queueing an invocation of %s: %w", f.cfg.Name, err)
	}
	id, arn, body := awsproto.NewRequestID(), ref.invokedARN(r.opts.Region), bytes.Clone(payload)
	if err := r.spawn(func() { r.runAsync(f, id, arn, body) }); err != nil {
		return fmt.Errorf("lambdart: queueing an invocation of %s: %w", f.cfg.Name, err)
	}
	return nil
}

func (r *Runtime) runAsync(f *function, id, arn string, payload []byte) {
	name := f.cfg.Name
	delay := r.opts.AsyncRetryDelay
	for attempt := 1; ; attempt++ {
		_, err := r.await(r.ctx, f, newInvocation(id, arn, payload, time.Now()))
		switch {
		case err == nil:
			return
		case errors.Is(err, ErrClosed) || errors.Is(err, context.Canceled) && r.ctx.Err() != nil:
			r.console.printf(name, "lambdart: asynchronous invocation %s dropped: the runtime is closing", id)
			return
		case attempt == asyncAttempts:
			r.console.printf(name, "lambdart: asynchronous invocation %s discarded after %d attempts: %v", id, attempt, err)
			return
		}
		r.console.printf(name, "lambdart: asynchronous invocation %s failed (attempt %d of %d), retrying in %v: %v", id, attempt, asyncAttempts, delay, err)
		timer := time.NewTimer(delay)
		select {
		case <-timer.C:
		case <-r.ctx.Done():
			timer.Stop()
			r.console.printf(name, "lambdart: asynchronous invocation %s dropped: the runtime is closing", id)
			return
		}
		delay *= 2
	}
}
