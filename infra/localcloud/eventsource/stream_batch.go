package eventsource

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// pendingBatch is a batch not yet delivered, with its failure history.
type pendingBatch struct {
	records []types.Record
	retries int // failed attempts that count against MaximumRetryAttempts
	invokes int // invocations of exactly these records, for approximateInvokeCount
}

// outcome is the result of one invocation of a batch.
type outcome struct {
	err error // the batch failed as a whole (function error or bad response)
	// functionError reports that err is the invocation's own failure rather
	// than an unusable partial batch response.
	functionError bool
	firstFailed   int // index of the lowest failed record of a partial failure, -1 if none
}

// Retry conditions of the on-failure invocation record.
const (
	conditionRetriesExhausted = "RetryAttemptsExhausted"
	conditionRecordExpired    = "RecordAgeExceeded"
)

// deliver invokes the function until every record of the batch has succeeded
// or been discarded, in order. It returns false if ctx ended first, leaving
// the rest undelivered.
//
// On failure (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html):
// with BisectBatchOnFunctionError a batch of several records is split in two
// and the halves are delivered in order, without consuming retry attempts;
// otherwise the batch is retried until MaximumRetryAttempts retries have
// failed, then discarded and reported to the on-failure queue. A partial batch
// response checkpoints before the lowest failed record and retries from it
// (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html).
func (s *shardReader) deliver(ctx context.Context, records []types.Record) bool {
	queue := []pendingBatch{{records: records}}
	for len(queue) > 0 {
		b := &queue[0]
		res := s.invokeBatch(ctx, b.records)
		b.invokes++
		if ctx.Err() != nil {
			return false
		}
		switch {
		case res.err == nil && res.firstFailed < 0:
			queue = queue[1:]
			continue
		case res.err == nil:
			// Records before the lowest failure are done; only the rest is retried.
			if res.firstFailed > 0 {
				b.records, b.invokes = b.records[res.firstFailed:], 1
			}
		case s.m.BisectBatchOnFunctionError && len(b.records) > 1:
			half := len(b.records) / 2
			first := pendingBatch{records: b.records[:half], retries: b.retries}
			second := pendingBatch{records: b.records[half:], retries: b.retries}
			queue = append([]pendingBatch{first, second}, queue[1:]...)
			continue
		}
		b.retries++
		if cond := s.exhausted(*b); cond != "" {
			s.discard(ctx, *b, res, cond)
			queue = queue[1:]
			continue
		}
		s.log.Warn("batch failed; retrying", "records", len(b.records), "retry", b.retries,
			"startSequenceNumber", sequenceNumber(b.records[0]), "err", res.err)
		if !sleep(ctx, s.retryDelay(b.retries)) {
			return false
		}
	}
	return true
}

// exhausted returns the condition under which a failed batch is discarded, or
// "" to retry it.
func (s *shardReader) exhausted(b pendingBatch) string {
	if s.m.MaximumRetryAttempts >= 0 {
		if b.retries > s.m.MaximumRetryAttempts {
			return conditionRetriesExhausted
		}
		return ""
	}
	// Unlimited retries end when the oldest record leaves the stream.
	if first := b.records[0].Dynamodb; first != nil && first.ApproximateCreationDateTime != nil &&
		s.m.Now().Sub(*first.ApproximateCreationDateTime) >= streamRetention {
		return conditionRecordExpired
	}
	return ""
}

// retryDelay backs off exponentially from the poll interval, up to 32 of them.
func (s *shardReader) retryDelay(retries int) time.Duration {
	return s.m.PollInterval << min(max(retries-1, 0), 5)
}

// invokeBatch invokes the function once with the records.
func (s *shardReader) invokeBatch(ctx context.Context, records []types.Record) outcome {
	ev := events.DynamoDBEvent{Records: make([]events.DynamoDBEventRecord, len(records))}
	for i, r := range records {
		ev.Records[i] = LambdaRecord(r, s.m.StreamARN, s.region)
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return outcome{err: fmt.Errorf("encoding the stream event: %w", err), firstFailed: -1}
	}
	out, err := s.inv.Invoke(ctx, s.m.Function, payload)
	if err != nil {
		return outcome{err: err, functionError: true, firstFailed: -1}
	}
	if !s.m.ReportBatchItemFailures {
		return outcome{firstFailed: -1}
	}
	index := make(map[string]int, len(records))
	known := make(map[string]bool, len(records))
	for i, r := range records {
		if r.Dynamodb != nil {
			seq := aws.ToString(r.Dynamodb.SequenceNumber)
			index[seq], known[seq] = i, true
		}
	}
	failed, err := parseBatchItemFailures(out, known)
	if err != nil {
		return outcome{err: err, firstFailed: -1}
	}
	first := -1
	for _, id := range failed {
		if i := index[id]; first < 0 || i < first {
			first = i
		}
	}
	return outcome{firstFailed: first}
}
