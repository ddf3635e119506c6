package eventsource

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// cleanupTimeout bounds the calls made after ctx is done (deleting a processed
// batch, releasing an unprocessed one) so that shutdown cannot hang on them.
const cleanupTimeout = 10 * time.Second

type sqsPoller struct {
	client SQSAPI
	inv    Invoker
	m      SQSMapping
	region string
	log    *slog.Logger
}

// RunSQS polls the queue and invokes the function with batches until ctx is
// done; it then waits for the batches in flight and returns nil. It returns an
// error wrapping ErrInvalidMapping for a bad mapping, or the GetQueueAttributes
// error when the queue cannot be read at start.
func RunSQS(ctx context.Context, client SQSAPI, inv Invoker, m SQSMapping, log *slog.Logger) error {
	region, err := m.normalize()
	if err != nil {
		return err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &sqsPoller{client: client, inv: inv, m: m, region: region, log: log.With("queue", m.QueueARN, "function", m.Function)}
	attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(m.QueueURL),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameVisibilityTimeout},
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("eventsource: reading queue %s: %w", m.QueueURL, err)
	}
	if vt, err := strconv.Atoi(attrs.Attributes[string(types.QueueAttributeNameVisibilityTimeout)]); err == nil &&
		time.Duration(vt)*time.Second <= m.MaximumBatchingWindow {
		p.log.Warn("the batching window is not shorter than the queue's visibility timeout: messages may be delivered twice",
			"visibilityTimeout", vt, "window", m.MaximumBatchingWindow)
	}

	var inflight sync.WaitGroup
	defer inflight.Wait()
	slots := make(chan struct{}, m.MaxConcurrency)
	for {
		// Take a slot before receiving, so messages are never held invisible
		// while waiting for concurrency.
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		batch := p.gather(ctx)
		if ctx.Err() != nil {
			p.release(ctx, batch)
			<-slots
			return nil
		}
		if len(batch) == 0 {
			<-slots
			continue
		}
		inflight.Add(1)
		go func() {
			defer inflight.Done()
			defer func() { <-slots }()
			p.process(ctx, batch)
		}()
	}
}

// gather long-polls until a first message arrives, then keeps receiving until
// the batch is full or the batching window has passed since that message.
func (p *sqsPoller) gather(ctx context.Context) []types.Message {
	var batch []types.Message
	var deadline time.Time
	for len(batch) < p.m.BatchSize && ctx.Err() == nil {
		wait := int32(sqsLongPollSeconds)
		if len(batch) > 0 {
			remaining := time.Until(deadline)
			if remaining <= 0 {
				break
			}
			// Whole seconds only, and never past the window: the last part of
			// the window is covered by short polls.
			wait = int32(min(remaining/time.Second, sqsLongPollSeconds))
		}
		out, err := p.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(p.m.QueueURL),
			MaxNumberOfMessages:         int32(min(sqsMaxReceive, p.m.BatchSize-len(batch))),
			WaitTimeSeconds:             wait,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
			MessageAttributeNames:       []string{"All"},
		})
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			p.log.Warn("ReceiveMessage failed", "err", err)
			p.pause(ctx, deadline, len(batch) > 0)
			continue
		}
		if len(batch) == 0 && len(out.Messages) > 0 {
			deadline = time.Now().Add(p.m.MaximumBatchingWindow)
		}
		batch = append(batch, out.Messages...)
		if len(batch) > 0 && p.m.MaximumBatchingWindow == 0 {
			break
		}
		if len(out.Messages) == 0 && wait == 0 {
			p.pause(ctx, deadline, true)
		}
	}
	return batch
}

// pause waits a poll interval, but not past the batching window once a batch
// has started.
func (p *sqsPoller) pause(ctx context.Context, deadline time.Time, bounded bool) {
	d := p.m.PollInterval
	if bounded {
		d = min(d, time.Until(deadline))
	}
	sleep(ctx, d)
}

// release makes messages received but not processed visible again at once,
// so stopping the poller does not delay them by a visibility timeout.
func (p *sqsPoller) release(ctx context.Context, msgs []types.Message) {
	if len(msgs) == 0 {
		return
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	for start := 0; start < len(msgs); start += sqsMaxReceive {
		chunk := msgs[start:min(start+sqsMaxReceive, len(msgs))]
		entries := make([]types.ChangeMessageVisibilityBatchRequestEntry, len(chunk))
		for i, m := range chunk {
			entries[i] = types.ChangeMessageVisibilityBatchRequestEntry{
				Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0,
			}
		}
		out, err := p.client.ChangeMessageVisibilityBatch(cctx, &sqs.ChangeMessageVisibilityBatchInput{
			QueueUrl: aws.String(p.m.QueueURL), Entries: entries,
		})
		if err != nil {
			p.log.Warn("releasing unprocessed messages failed; they return after the visibility timeout", "err", err)
			continue
		}
		for _, f := range out.Failed {
			p.log.Warn("releasing a message failed", "id", aws.ToString(f.Id), "code", aws.ToString(f.Code), "message", aws.ToString(f.Message))
		}
	}
}
