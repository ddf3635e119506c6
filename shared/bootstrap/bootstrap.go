// Package bootstrap builds what a function needs from its environment, once per instance:
// configuration, AWS clients with X-Ray, the adapters and the services. Every function's
// main calls one of its constructors and hands the result to lambda.Start, so the wiring
// is written once and the functions never know whether they run in AWS, on LocalStack or
// on the local cloud (config.LoadDefaultConfig honours AWS_ENDPOINT_URL).
package bootstrap

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/paylane/paylane/shared/auth"
	"github.com/paylane/paylane/shared/dynamostore"
	"github.com/paylane/paylane/shared/idempotency"
	"github.com/paylane/paylane/shared/ledger"
	"github.com/paylane/paylane/shared/logging"
	"github.com/paylane/paylane/shared/merchant"
	"github.com/paylane/paylane/shared/merchantapi"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/ratelimit"
	"github.com/paylane/paylane/shared/tracing"
)

// Env reads configuration; os.Getenv in production, a map in tests.
type Env func(string) string

func (e Env) required(name string) (string, error) {
	v := e(name)
	if v == "" {
		return "", fmt.Errorf("environment variable %s is not set", name)
	}
	return v, nil
}

func (e Env) duration(name string, def time.Duration) (time.Duration, error) {
	v := e(name)
	if v == "" {
		return def, nil
	}
	ms, err := strconv.Atoi(v)
	if err != nil || ms <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive number of milliseconds", name, v)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// Logger is the one logger of a function: JSON through the masking handler.
func Logger() *slog.Logger {
	return logging.New(os.Stdout)
}

// AWS loads the SDK configuration from the environment, with X-Ray instrumentation.
func AWS(ctx context.Context) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading AWS configuration: %w", err)
	}
	tracing.AWS(&cfg)
	return cfg, nil
}

// MerchantAPI builds the merchant API from the environment: PAYMENTS_TABLE,
// MERCHANTS_TABLE, RATE_LIMIT_TABLE, LEDGER_TABLE, SETTLEMENTS_TABLE, PG_BASE_URL and
// PG_TIMEOUT_MS (default 3000).
func MerchantAPI(ctx context.Context, env Env, log *slog.Logger) (*merchantapi.API, error) {
	tracing.Configure()
	var names struct{ payments, merchants, rateLimit, ledger, settlements, pg string }
	var err error
	for _, f := range []struct {
		dst  *string
		name string
	}{{&names.payments, "PAYMENTS_TABLE"}, {&names.merchants, "MERCHANTS_TABLE"}, {&names.rateLimit, "RATE_LIMIT_TABLE"}, {&names.ledger, "LEDGER_TABLE"}, {&names.settlements, "SETTLEMENTS_TABLE"}, {&names.pg, "PG_BASE_URL"}} {
		if *f.dst, err = env.required(f.name); err != nil {
			return nil, err
		}
	}
	cfg, err := AWS(ctx)
	if err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(cfg)
	now := time.Now
	payments := dynamostore.NewPayments(db, names.payments, dynamostore.Options{Now: now})
	merchants := &merchant.Cache{Store: dynamostore.NewMerchants(db, names.merchants, dynamostore.Options{Now: now}), TTL: 10 * time.Second, Now: now}
	pg, _, err := pgClient(env, log, nil)
	if err != nil {
		return nil, err
	}
	return &merchantapi.API{
		Payments: &payment.Service{Store: payments, PG: pg, Unknown: payments, NewID: NewUUID, Now: now},
		Verifier: &auth.Verifier{Merchants: merchants, Now: now},
		Limiter: &ratelimit.Limiter{
			Counter: dynamostore.NewRateCounter(db, names.rateLimit, dynamostore.Options{Now: now}),
			Now:     now,
			FailedOpen: func(err error) {
				log.Warn("rate limiter store failed: request allowed", "metric", "RateLimiterFailOpen", "err", err)
			},
		},
		Guard:       &idempotency.Guard{Store: payments, Now: now, DefaultLease: 30 * time.Second},
		Balances:    dynamostore.NewLedger(db, names.ledger, dynamostore.Options{Now: now}),
		Settlements: dynamostore.NewSettlements(db, names.settlements, dynamostore.Options{Now: now}),
		Log:         log,
	}, nil
}

// LedgerWriter builds the ledger writer from LEDGER_TABLE.
func LedgerWriter(ctx context.Context, env Env, log *slog.Logger) (*ledger.Writer, error) {
	tracing.Configure()
	table, err := env.required("LEDGER_TABLE")
	if err != nil {
		return nil, err
	}
	cfg, err := AWS(ctx)
	if err != nil {
		return nil, err
	}
	return &ledger.Writer{Store: dynamostore.NewLedger(dynamodb.NewFromConfig(cfg), table, dynamostore.Options{Now: time.Now}), Log: log}, nil
}

// NewUUID returns a random (version 4) UUID.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// Exit reports a start-up failure the way Lambda shows it (an init error) and stops.
func Exit(log *slog.Logger, err error) {
	log.Error("function could not start", "err", err)
	os.Exit(1)
}
