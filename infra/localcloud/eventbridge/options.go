package eventbridge

import (
	"context"
	"log/slog"
	"time"
)

// QueueSender delivers to SQS targets; *sqs.Service implements it.
type QueueSender interface {
	SendToQueue(ctx context.Context, queueARN, body string) error
}

// FunctionInvoker delivers to Lambda targets as an asynchronous
// invocation; *lambdart.Runtime implements it.
type FunctionInvoker interface {
	InvokeAsync(ctx context.Context, functionARN string, payload []byte) error
}

// Clock is the time source of schedules and retry backoff, so that tests
// can drive both.
type Clock interface {
	Now() time.Time
	// After behaves like time.After.
	After(d time.Duration) <-chan time.Time
}

// RetryOptions bound the retries of a failed delivery. AWS retries for up to
// 24 hours and 185 attempts; the local cloud gives up much sooner, then
// sends the payload to the target's DeadLetterConfig queue if it has one,
// or logs and drops it. A target's RetryPolicy can only lower these bounds.
type RetryOptions struct {
	// MaxAttempts counts the first attempt; default 3.
	MaxAttempts int
	// InitialBackoff is the wait before the first retry, doubled before
	// each further one up to MaxBackoff; defaults 100ms and 2s.
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
}

// Options configure a Service. Nothing is read from the environment.
type Options struct {
	// Region of the ARNs the service builds; default us-east-1.
	Region string
	// Queues and Functions receive deliveries to SQS and Lambda targets; a
	// delivery to a kind of target without a backend fails (and is retried,
	// then dead-lettered or dropped).
	Queues    QueueSender
	Functions FunctionInvoker
	// Clock defaults to the system clock.
	Clock Clock
	// ScheduleSpeedup compresses schedule time relative to the service's
	// creation: with 60, rate(1 minute) fires every second and a cron
	// expression sees an hour go by every minute. Values <= 0 mean 1.
	ScheduleSpeedup float64
	Retry           RetryOptions
	// Logger receives dropped and dead-lettered deliveries; default slog.Default().
	Logger *slog.Logger
}

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

func (o Options) withDefaults() Options {
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.Clock == nil {
		o.Clock = systemClock{}
	}
	if o.ScheduleSpeedup <= 0 {
		o.ScheduleSpeedup = 1
	}
	if o.Retry.MaxAttempts <= 0 {
		o.Retry.MaxAttempts = 3
	}
	if o.Retry.InitialBackoff <= 0 {
		o.Retry.InitialBackoff = 100 * time.Millisecond
	}
	if o.Retry.MaxBackoff < o.Retry.InitialBackoff {
		o.Retry.MaxBackoff = max(2*time.Second, o.Retry.InitialBackoff)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}
