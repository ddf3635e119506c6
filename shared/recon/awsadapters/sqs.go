package awsadapters

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/paylane/paylane/shared/recon"
)

// SendMessageBatchAPI is what DiscrepancyQueue needs of *sqs.Client.
type SendMessageBatchAPI interface {
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

var _ SendMessageBatchAPI = (*sqs.Client)(nil)

// DefaultRecheckDelay is how long a discrepancy waits before its first re-check: long
// enough for a capture in flight when the statement came to be recorded.
const DefaultRecheckDelay = 5 * time.Minute

// maxDelay is SQS's longest message delay.
const maxDelay = 15 * time.Minute

// DiscrepancyQueue sends discrepancies to the discrepancy queue, each delayed so that its
// first re-check comes after the things that resolve themselves had time to.
type DiscrepancyQueue struct {
	client SendMessageBatchAPI
	url    string
	delay  time.Duration
}

var _ recon.DiscrepancySink = (*DiscrepancyQueue)(nil)

// NewDiscrepancyQueue sends to the queue at url, each message delayed by delay (0 means
// DefaultRecheckDelay; at most 15 minutes, SQS's limit).
func NewDiscrepancyQueue(client SendMessageBatchAPI, url string, delay time.Duration) *DiscrepancyQueue {
	if delay <= 0 {
		delay = DefaultRecheckDelay
	}
	return &DiscrepancyQueue{client: client, url: url, delay: min(delay, maxDelay)}
}

// Send sends up to recon.MaxDiscrepancyBatch discrepancies in one SendMessageBatch. When
// SQS refuses some, the error names them; the caller sends the batch again, and the
// re-check of a discrepancy received twice finds it as the first one left it.
func (q *DiscrepancyQueue) Send(ctx context.Context, ds []recon.Result) error {
	if len(ds) == 0 {
		return nil
	}
	if len(ds) > recon.MaxDiscrepancyBatch {
		return fmt.Errorf("sending %d discrepancies in one batch, at most %d", len(ds), recon.MaxDiscrepancyBatch)
	}
	entries := make([]types.SendMessageBatchRequestEntry, len(ds))
	for i, d := range ds {
		body, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("encoding discrepancy %s of run %s: %w", d.Key(), d.RunID, err)
		}
		entries[i] = types.SendMessageBatchRequestEntry{
			Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(string(body)),
			DelaySeconds: int32(q.delay / time.Second),
		}
	}
	out, err := q.client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.url), Entries: entries})
	if err != nil {
		return fmt.Errorf("sending %d discrepancies: %w", len(ds), err)
	}
	var errs []error
	for _, f := range out.Failed {
		i, _ := strconv.Atoi(aws.ToString(f.Id))
		key := "?"
		if i >= 0 && i < len(ds) {
			key = ds[i].RunID + "/" + ds[i].Key()
		}
		errs = append(errs, fmt.Errorf("discrepancy %s: %s: %s", key, aws.ToString(f.Code), aws.ToString(f.Message)))
	}
	if len(errs) > 0 {
		return fmt.Errorf("SQS refused %d of %d discrepancies: %w", len(errs), len(ds), errors.Join(errs...))
	}
	return nil
}
