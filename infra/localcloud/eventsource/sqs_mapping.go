package eventsource

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// SQSAPI is the part of *sqs.Client the pollers use.
type SQSAPI interface {
	ReceiveMessage(ctx context.Context, params *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(ctx context.Context, params *sqs.DeleteMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
	ChangeMessageVisibilityBatch(ctx context.Context, params *sqs.ChangeMessageVisibilityBatchInput, optFns ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error)
	SendMessage(ctx context.Context, params *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	GetQueueAttributes(ctx context.Context, params *sqs.GetQueueAttributesInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
}

var _ SQSAPI = (*sqs.Client)(nil)

// SQSMapping is an SQS event source mapping.
type SQSMapping struct {
	Function string
	QueueARN string // eventSourceARN of the records; its region is awsRegion
	QueueURL string
	// BatchSize is the most messages per invocation: 1 to 10,000, 10 when 0.
	// Above 10 a MaximumBatchingWindow is required, as in AWS.
	BatchSize int
	// MaximumBatchingWindow is how long to gather messages before invoking
	// (at most 5 minutes); 0 invokes with what one ReceiveMessage returns.
	MaximumBatchingWindow time.Duration
	// ReportBatchItemFailures enables partial batch responses.
	ReportBatchItemFailures bool
	// MaxConcurrency is how many batches may be in flight at once
	// (ScalingConfig.MaximumConcurrency); 5 when 0, at most 1,000.
	MaxConcurrency int
	// PollInterval is the pause after a failed ReceiveMessage and between short
	// polls at the end of a batching window; 1 s when 0.
	PollInterval time.Duration
}

const (
	defaultSQSBatchSize      = 10
	maxSQSBatchSize          = 10000
	maxSQSBatchingWindow     = 300 * time.Second
	defaultSQSMaxConcurrency = 5
	maxSQSMaxConcurrency     = 1000
	defaultSQSPollInterval   = time.Second
	// sqsLongPollSeconds is the longest long poll SQS allows, which Lambda uses.
	sqsLongPollSeconds = 20
	// sqsMaxReceive is the most messages one ReceiveMessage returns.
	sqsMaxReceive = 10
)

// normalize applies the defaults and checks the limits AWS enforces when the
// mapping is created. It returns the region of the queue.
func (m *SQSMapping) normalize() (string, error) {
	if m.Function == "" || m.QueueURL == "" {
		return "", fmt.Errorf("%w: Function and QueueURL are required", ErrInvalidMapping)
	}
	svc, region, _, _, err := awsproto.ParseARN(m.QueueARN)
	if err != nil || svc != "sqs" {
		return "", fmt.Errorf("%w: QueueARN %q is not an SQS queue ARN", ErrInvalidMapping, m.QueueARN)
	}
	if m.BatchSize == 0 {
		m.BatchSize = defaultSQSBatchSize
	}
	if m.BatchSize < 1 || m.BatchSize > maxSQSBatchSize {
		return "", fmt.Errorf("%w: BatchSize %d not in [1, %d]", ErrInvalidMapping, m.BatchSize, maxSQSBatchSize)
	}
	if m.MaximumBatchingWindow < 0 || m.MaximumBatchingWindow > maxSQSBatchingWindow {
		return "", fmt.Errorf("%w: MaximumBatchingWindow %v not in [0, %v]", ErrInvalidMapping, m.MaximumBatchingWindow, maxSQSBatchingWindow)
	}
	if m.BatchSize > sqsMaxReceive && m.MaximumBatchingWindow == 0 {
		return "", fmt.Errorf("%w: a BatchSize above %d needs a MaximumBatchingWindow", ErrInvalidMapping, sqsMaxReceive)
	}
	if m.MaxConcurrency == 0 {
		m.MaxConcurrency = defaultSQSMaxConcurrency
	}
	if m.MaxConcurrency < 1 || m.MaxConcurrency > maxSQSMaxConcurrency {
		return "", fmt.Errorf("%w: MaxConcurrency %d not in [1, %d]", ErrInvalidMapping, m.MaxConcurrency, maxSQSMaxConcurrency)
	}
	if m.PollInterval <= 0 {
		m.PollInterval = defaultSQSPollInterval
	}
	return region, nil
}
