package eventsource

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// StreamsAPI is the part of *dynamodbstreams.Client the pollers use.
type StreamsAPI interface {
	DescribeStream(ctx context.Context, params *dynamodbstreams.DescribeStreamInput, optFns ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error)
	GetShardIterator(ctx context.Context, params *dynamodbstreams.GetShardIteratorInput, optFns ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error)
	GetRecords(ctx context.Context, params *dynamodbstreams.GetRecordsInput, optFns ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error)
}

var _ StreamsAPI = (*dynamodbstreams.Client)(nil)

// StreamMapping is a DynamoDB stream event source mapping.
type StreamMapping struct {
	Function  string
	StreamARN string
	// StartingPosition is TRIM_HORIZON or LATEST.
	StartingPosition string
	// BatchSize is the most records per invocation: 1 to 10,000, 100 when 0.
	BatchSize int
	// MaximumBatchingWindow is how long to gather records before invoking (at
	// most 5 minutes); 0 invokes as soon as records are read.
	MaximumBatchingWindow time.Duration
	// MaximumRetryAttempts is how many times a failed batch is retried before
	// it is discarded: 0 to 10,000, or -1 to retry until the records expire
	// (24 hours in DynamoDB Streams). Note that 0 means no retry.
	MaximumRetryAttempts int
	// BisectBatchOnFunctionError splits a failed batch in two and retries the
	// halves; splitting does not consume retry attempts.
	BisectBatchOnFunctionError bool
	// ReportBatchItemFailures enables partial batch responses.
	ReportBatchItemFailures bool
	// OnFailureQueueURL receives an invocation record for each discarded batch;
	// "" discards silently (but logged).
	OnFailureQueueURL string
	// PollInterval is the pause when a shard has no new records, and the base
	// of the backoff between retries; 250 ms when 0 (Lambda polls about four
	// times a second). Shards are rediscovered every 10 poll intervals.
	PollInterval time.Duration
	// Now is the clock for record expiry and the on-failure record's
	// timestamps; time.Now when nil.
	Now func() time.Time
}

const (
	defaultStreamBatchSize    = 100
	maxStreamBatchSize        = 10000
	maxStreamBatchingWindow   = 300 * time.Second
	maxStreamRetryAttempts    = 10000
	defaultStreamPollInterval = 250 * time.Millisecond
	// streamRetention is how long DynamoDB Streams keeps a record.
	streamRetention = 24 * time.Hour
	// getRecordsLimit is the most records one GetRecords returns.
	getRecordsLimit = 1000
	// discoveryPolls is how many poll intervals pass between DescribeStream
	// calls looking for new shards.
	discoveryPolls = 10
)

// normalize applies the defaults and checks the limits AWS enforces when the
// mapping is created. It returns the region of the stream.
func (m *StreamMapping) normalize(queues SQSAPI) (string, error) {
	if m.Function == "" {
		return "", fmt.Errorf("%w: Function is required", ErrInvalidMapping)
	}
	svc, region, _, _, err := awsproto.ParseARN(m.StreamARN)
	if err != nil || svc != "dynamodb" {
		return "", fmt.Errorf("%w: StreamARN %q is not a DynamoDB stream ARN", ErrInvalidMapping, m.StreamARN)
	}
	if m.StartingPosition != "TRIM_HORIZON" && m.StartingPosition != "LATEST" {
		return "", fmt.Errorf("%w: StartingPosition %q (want TRIM_HORIZON or LATEST)", ErrInvalidMapping, m.StartingPosition)
	}
	if m.BatchSize == 0 {
		m.BatchSize = defaultStreamBatchSize
	}
	if m.BatchSize < 1 || m.BatchSize > maxStreamBatchSize {
		return "", fmt.Errorf("%w: BatchSize %d not in [1, %d]", ErrInvalidMapping, m.BatchSize, maxStreamBatchSize)
	}
	if m.MaximumBatchingWindow < 0 || m.MaximumBatchingWindow > maxStreamBatchingWindow {
		return "", fmt.Errorf("%w: MaximumBatchingWindow %v not in [0, %v]", ErrInvalidMapping, m.MaximumBatchingWindow, maxStreamBatchingWindow)
	}
	if m.MaximumRetryAttempts < -1 || m.MaximumRetryAttempts > maxStreamRetryAttempts {
		return "", fmt.Errorf("%w: MaximumRetryAttempts %d not in [-1, %d]", ErrInvalidMapping, m.MaximumRetryAttempts, maxStreamRetryAttempts)
	}
	if m.OnFailureQueueURL != "" && queues == nil {
		return "", fmt.Errorf("%w: OnFailureQueueURL set without an SQS client", ErrInvalidMapping)
	}
	if m.PollInterval <= 0 {
		m.PollInterval = defaultStreamPollInterval
	}
	if m.Now == nil {
		m.Now = time.Now
	}
	return region, nil
}
