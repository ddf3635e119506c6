package bootstrap

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/paylane/paylane/shared/dynamostore"
	"github.com/paylane/paylane/shared/recon"
	"github.com/paylane/paylane/shared/recon/awsadapters"
	"github.com/paylane/paylane/shared/tracing"
)

// reconClients is what every reconciliation function reads from its environment.
type reconClients struct {
	cfg   aws.Config
	store *dynamostore.Recon
}

func reconFrom(ctx context.Context, env Env) (reconClients, error) {
	tracing.Configure()
	table, err := env.required("RECONCILIATION_TABLE")
	if err != nil {
		return reconClients{}, err
	}
	cfg, err := AWS(ctx)
	if err != nil {
		return reconClients{}, err
	}
	return reconClients{cfg: cfg, store: dynamostore.NewRecon(dynamodb.NewFromConfig(cfg), table, dynamostore.Options{Now: time.Now})}, nil
}

// ReconRecorder builds the recorder of our PG operations (what statements are checked
// against) from RECONCILIATION_TABLE.
func ReconRecorder(ctx context.Context, env Env, log *slog.Logger) (*recon.Recorder, error) {
	c, err := reconFrom(ctx, env)
	if err != nil {
		return nil, err
	}
	return &recon.Recorder{Records: c.store, Log: log}, nil
}

// Reconciler builds the statement reconciliation from RECONCILIATION_TABLE,
// STATEMENTS_BUCKET, DISCREPANCY_QUEUE_URL, EVENT_BUS_NAME and DISCREPANCY_DELAY_MS (how
// long a discrepancy waits before its re-check; default 5 minutes, SQS allows 15 at most).
func Reconciler(ctx context.Context, env Env, log *slog.Logger) (*recon.Reconciler, error) {
	c, err := reconFrom(ctx, env)
	if err != nil {
		return nil, err
	}
	var bucket, queue, bus string
	for _, f := range []struct {
		dst  *string
		name string
	}{{&bucket, "STATEMENTS_BUCKET"}, {&queue, "DISCREPANCY_QUEUE_URL"}, {&bus, "EVENT_BUS_NAME"}} {
		if *f.dst, err = env.required(f.name); err != nil {
			return nil, err
		}
	}
	// Discrepancies are re-checked after a pause: a capture still in flight when the
	// statement came has usually landed by then.
	delay, err := env.duration("DISCREPANCY_DELAY_MS", 5*time.Minute)
	if err != nil {
		return nil, err
	}
	objects := awsadapters.NewBucket(s3.NewFromConfig(c.cfg), bucket)
	return &recon.Reconciler{
		Records: c.store, Results: c.store, Reports: objects, Objects: objects,
		Discrepancies: awsadapters.NewDiscrepancyQueue(sqs.NewFromConfig(c.cfg), queue, delay),
		Publisher:     awsadapters.NewBus(eventbridge.NewFromConfig(c.cfg), bus),
		Now:           time.Now, Log: log,
	}, nil
}

// Rechecker builds the discrepancy handler from RECONCILIATION_TABLE.
func Rechecker(ctx context.Context, env Env, log *slog.Logger) (*recon.Rechecker, error) {
	c, err := reconFrom(ctx, env)
	if err != nil {
		return nil, err
	}
	return &recon.Rechecker{Records: c.store, Results: c.store, Now: time.Now, Log: log}, nil
}

// ReconSweeper builds the sweep for days whose statement never came.
func ReconSweeper(ctx context.Context, env Env, log *slog.Logger) (*recon.Sweeper, error) {
	r, err := Reconciler(ctx, env, log)
	if err != nil {
		return nil, err
	}
	return &recon.Sweeper{Reconciler: r}, nil
}
