package eventsource

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// process invokes the function with one batch and deletes what succeeded.
// Nothing is deleted when the invocation fails: the messages come back after
// their visibility timeout and reach the dead-letter queue through the
// queue's redrive policy, as with Lambda.
func (p *sqsPoller) process(ctx context.Context, batch []types.Message) {
	payload, err := json.Marshal(buildSQSEvent(batch, p.m.QueueARN, p.region))
	if err != nil {
		p.log.Error("encoding the SQS event", "err", err)
		return
	}
	out, err := p.inv.Invoke(ctx, p.m.Function, payload)
	if err != nil {
		p.log.Warn("invocation failed; the batch returns to the queue after its visibility timeout",
			"messages", len(batch), "err", err)
		return
	}
	done := batch
	if p.m.ReportBatchItemFailures {
		known := make(map[string]bool, len(batch))
		for _, m := range batch {
			known[aws.ToString(m.MessageId)] = true
		}
		failed, err := parseBatchItemFailures(out, known)
		if err != nil {
			p.log.Warn("partial batch response fails the whole batch", "messages", len(batch), "err", err)
			return
		}
		done = without(batch, failed)
	}
	p.delete(ctx, done)
}

func without(batch []types.Message, ids []string) []types.Message {
	if len(ids) == 0 {
		return batch
	}
	drop := make(map[string]bool, len(ids))
	for _, id := range ids {
		drop[id] = true
	}
	kept := make([]types.Message, 0, len(batch))
	for _, m := range batch {
		if !drop[aws.ToString(m.MessageId)] {
			kept = append(kept, m)
		}
	}
	return kept
}

// delete removes processed messages, ten per DeleteMessageBatch call. It runs
// even when ctx is done: the function has processed the messages, and leaving
// them would deliver them again.
func (p *sqsPoller) delete(ctx context.Context, msgs []types.Message) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	for start := 0; start < len(msgs); start += sqsMaxReceive {
		chunk := msgs[start:min(start+sqsMaxReceive, len(msgs))]
		entries := make([]types.DeleteMessageBatchRequestEntry, len(chunk))
		for i, m := range chunk {
			entries[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle}
		}
		out, err := p.client.DeleteMessageBatch(cctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(p.m.QueueURL), Entries: entries})
		if err != nil {
			p.log.Warn("deleting processed messages failed; they will be delivered again", "messages", len(chunk), "err", err)
			continue
		}
		for _, f := range out.Failed {
			i, _ := strconv.Atoi(aws.ToString(f.Id))
			p.log.Warn("deleting a processed message failed; it will be delivered again",
				"messageId", aws.ToString(chunk[min(i, len(chunk)-1)].MessageId), "code", aws.ToString(f.Code), "message", aws.ToString(f.Message))
		}
	}
}
