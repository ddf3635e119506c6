package bootstrap

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/paylane/paylane/shared/breaker"
	"github.com/paylane/paylane/shared/dynamostore"
	"github.com/paylane/paylane/shared/eventbus"
	"github.com/paylane/paylane/shared/expiry"
	"github.com/paylane/paylane/shared/janitor"
	"github.com/paylane/paylane/shared/pgclient"
	"github.com/paylane/paylane/shared/pgworker"
	"github.com/paylane/paylane/shared/relay"
	"github.com/paylane/paylane/shared/tracing"
)

// OutboxRelay builds the outbox relay from EVENT_BUS_NAME and OUTBOX_POISON_QUEUE_URL.
func OutboxRelay(ctx context.Context, env Env, log *slog.Logger) (*relay.Relay, error) {
	tracing.Configure()
	bus, err := env.required("EVENT_BUS_NAME")
	if err != nil {
		return nil, err
	}
	poison, err := env.required("OUTBOX_POISON_QUEUE_URL")
	if err != nil {
		return nil, err
	}
	cfg, err := AWS(ctx)
	if err != nil {
		return nil, err
	}
	return &relay.Relay{
		Publisher: eventbus.NewPublisher(eventbridge.NewFromConfig(cfg), bus),
		Poison:    eventbus.NewQuarantine(sqs.NewFromConfig(cfg), poison),
		Log:       log,
	}, nil
}

// PGWorker builds a worker for the PG operations queues from PAYMENTS_TABLE, OPS_TABLE,
// QUEUE_NAME, PG_BASE_URL and PG_TIMEOUT_MS. Its circuit breaker reports its state changes
// to the ops table, where `payctl pg status` reads them.
func PGWorker(ctx context.Context, env Env, log *slog.Logger) (*pgworker.Worker, error) {
	tracing.Configure()
	var payments, ops, queue string
	var err error
	for _, f := range []struct {
		dst  *string
		name string
	}{{&payments, "PAYMENTS_TABLE"}, {&ops, "OPS_TABLE"}, {&queue, "QUEUE_NAME"}} {
		if *f.dst, err = env.required(f.name); err != nil {
			return nil, err
		}
	}
	cfg, err := AWS(ctx)
	if err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(cfg)
	opsStore := dynamostore.NewOps(db, ops, dynamostore.Options{Now: time.Now})
	pg, timeout, err := pgClient(env, log, func(from, to breaker.State) {
		// The breaker holds its lock while telling: report without waiting.
		go func() {
			rctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if err := opsStore.BreakerChanged(rctx, "pg", instanceName(), to.String(), time.Now()); err != nil {
				log.Warn("recording the PG breaker state", "err", err)
			}
		}()
		log.Warn("PG circuit breaker changed", "from", from.String(), "to", to.String())
	})
	if err != nil {
		return nil, err
	}
	return &pgworker.Worker{
		Payments: dynamostore.NewPayments(db, payments, dynamostore.Options{Now: time.Now}),
		PG:       pg, Failures: opsStore, Queue: queue, NewID: NewUUID, Now: time.Now, Log: log,
		Backoff: pgworker.DefaultBackoff,
		// No PG call starts unless it can time out before the invocation does.
		Margin: timeout + 500*time.Millisecond,
	}, nil
}

// Janitor builds the janitor from PAYMENTS_TABLE, PG_BASE_URL, PG_TIMEOUT_MS and
// JANITOR_GRACE_SECONDS (default 120).
func Janitor(ctx context.Context, env Env, log *slog.Logger) (*janitor.Janitor, error) {
	tracing.Configure()
	table, err := env.required("PAYMENTS_TABLE")
	if err != nil {
		return nil, err
	}
	grace := 120 * time.Second
	if v := env("JANITOR_GRACE_SECONDS"); v != "" {
		secs, err := strconv.Atoi(v)
		if err != nil || secs < 0 {
			return nil, fmt.Errorf("JANITOR_GRACE_SECONDS=%q: want a whole number of seconds", v)
		}
		grace = time.Duration(secs) * time.Second
	}
	cfg, err := AWS(ctx)
	if err != nil {
		return nil, err
	}
	pg, _, err := pgClient(env, log, nil)
	if err != nil {
		return nil, err
	}
	payments := dynamostore.NewPayments(dynamodb.NewFromConfig(cfg), table, dynamostore.Options{Now: time.Now})
	return &janitor.Janitor{Pending: payments, Payments: payments, PG: pg, Grace: grace, Now: time.Now, Log: log}, nil
}

// pgClient builds the PG client with its timeout and circuit breaker.
func pgClient(env Env, log *slog.Logger, onChange func(from, to breaker.State)) (*pgclient.Client, time.Duration, error) {
	base, err := env.required("PG_BASE_URL")
	if err != nil {
		return nil, 0, err
	}
	timeout, err := env.duration("PG_TIMEOUT_MS", 3*time.Second)
	if err != nil {
		return nil, 0, err
	}
	return pgclient.New(pgclient.Options{
		BaseURL: base,
		HTTP:    tracing.HTTPClient(&http.Client{Transport: http.DefaultTransport}),
		Timeout: timeout,
		Breaker: breaker.New(breaker.Options{Now: time.Now, OnStateChange: onChange}),
		Log:     log,
	}), timeout, nil
}

// instanceName names this function instance in operational records: Lambda's log stream
// is unique per execution environment.
func instanceName() string {
	if s := os.Getenv("AWS_LAMBDA_LOG_STREAM_NAME"); s != "" {
		return s
	}
	host, _ := os.Hostname()
	return host + "-" + strconv.Itoa(os.Getpid())
}

// ExpirySweeper builds the authorization expiry sweeper from PAYMENTS_TABLE and
// AUTH_EXPIRY_HOURS (default 168: card networks release holds after about 7 days).
func ExpirySweeper(ctx context.Context, env Env, log *slog.Logger) (*expiry.Sweeper, error) {
	tracing.Configure()
	table, err := env.required("PAYMENTS_TABLE")
	if err != nil {
		return nil, err
	}
	window := expiry.DefaultWindow
	if v := env("AUTH_EXPIRY_HOURS"); v != "" {
		hours, err := strconv.ParseFloat(v, 64)
		if err != nil || hours <= 0 {
			return nil, fmt.Errorf("AUTH_EXPIRY_HOURS=%q: want a positive number of hours", v)
		}
		window = time.Duration(hours * float64(time.Hour))
	}
	cfg, err := AWS(ctx)
	if err != nil {
		return nil, err
	}
	return &expiry.Sweeper{
		Payments: dynamostore.NewPayments(dynamodb.NewFromConfig(cfg), table, dynamostore.Options{Now: time.Now}),
		Window:   window, NewID: NewUUID, Now: time.Now, Log: log,
	}, nil
}
