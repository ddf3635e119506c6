package sqs

import (
	"context"
	"fmt"
	"time"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// outgoing is a validated message not yet in a queue.
type outgoing struct {
	body        string
	attrs       map[string]attrValue
	traceHeader string
	groupID     string
	// delay is nil when the queue's DelaySeconds applies.
	delay   *time.Duration
	md5Sys  string
	size    int
	md5Body string
	md5Attr string
}

// prepareSend validates one SendMessage request (or batch entry).
func prepareSend(in *sendMessageInput) (*outgoing, *awsproto.Error) {
	if apiErr := validateBody(in.MessageBody); apiErr != nil {
		return nil, apiErr
	}
	if in.MessageDeduplicationId != nil {
		return nil, errInvalidParameterValue("The request include parameter MessageDeduplicationId that is not valid for this queue type (standard).")
	}
	attrs, apiErr := convertMessageAttributes(in.MessageAttributes)
	if apiErr != nil {
		return nil, apiErr
	}
	sys, apiErr := convertSystemAttributes(in.MessageSystemAttributes)
	if apiErr != nil {
		return nil, apiErr
	}
	out := &outgoing{
		body:    *in.MessageBody,
		attrs:   attrs,
		md5Body: md5Hex(*in.MessageBody),
		md5Attr: md5OfAttributes(attrs),
		md5Sys:  md5OfAttributes(sys),
		size:    payloadSize(*in.MessageBody, attrs),
	}
	if v, ok := sys["AWSTraceHeader"]; ok {
		out.traceHeader = v.StringValue
	}
	if in.MessageGroupId != nil {
		// Standard queues accept MessageGroupId (fair queues); it is kept
		// and reported, without ordering semantics.
		out.groupID = *in.MessageGroupId
	}
	if in.DelaySeconds != nil {
		if *in.DelaySeconds < 0 || *in.DelaySeconds > maxDelaySeconds {
			return nil, errInvalidParameterValue("Value %d for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= %d.", *in.DelaySeconds, maxDelaySeconds)
		}
		d := time.Duration(*in.DelaySeconds) * time.Second
		out.delay = &d
	}
	return out, nil
}

// send puts a prepared message into q.
func (s *Service) send(q *queue, o *outgoing, senderID string) (sendMessageOutput, *awsproto.Error) {
	now := s.now()
	m := &message{
		id:          awsproto.NewRequestID(),
		body:        o.body,
		md5OfBody:   o.md5Body,
		attrs:       o.attrs,
		traceHeader: o.traceHeader,
		groupID:     o.groupID,
		senderID:    senderID,
		sentAt:      now,
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.deleted {
		return sendMessageOutput{}, errQueueDoesNotExist()
	}
	if o.size > q.cfg.MaximumMessageSize {
		return sendMessageOutput{}, errInvalidParameterValue("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", q.cfg.MaximumMessageSize)
	}
	delay := time.Duration(q.cfg.DelaySeconds) * time.Second
	if o.delay != nil {
		delay = *o.delay
	}
	q.advanceLocked(now)
	q.enqueueLocked(m, delay, now)
	return sendMessageOutput{
		MessageId:                    m.id,
		MD5OfMessageBody:             o.md5Body,
		MD5OfMessageAttributes:       o.md5Attr,
		MD5OfMessageSystemAttributes: o.md5Sys,
	}, nil
}

func (s *Service) sendMessage(c *call) (any, error) {
	in, err := decode[sendMessageInput](c)
	if err != nil {
		return nil, err
	}
	q, apiErr := s.queueFromURL(in.QueueUrl)
	if apiErr != nil {
		return nil, apiErr
	}
	o, apiErr := prepareSend(in)
	if apiErr != nil {
		return nil, apiErr
	}
	out, apiErr := s.send(q, o, awsproto.AccountID)
	if apiErr != nil {
		return nil, apiErr
	}
	return out, nil
}

func (s *Service) sendMessageBatch(c *call) (any, error) {
	in, err := decode[sendMessageBatchInput](c)
	if err != nil {
		return nil, err
	}
	q, apiErr := s.queueFromURL(in.QueueUrl)
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := checkBatchIDs(in.Entries); apiErr != nil {
		return nil, apiErr
	}
	prepared := make([]*outgoing, len(in.Entries))
	failures := make([]*awsproto.Error, len(in.Entries))
	total := 0
	for i := range in.Entries {
		prepared[i], failures[i] = prepareSend(&in.Entries[i].sendMessageInput)
		if prepared[i] != nil {
			total += prepared[i].size
		}
	}
	if total > maxMessageSize {
		return nil, errBatchRequestTooLong(total, maxMessageSize)
	}
	out := sendMessageBatchOutput{Successful: []sendMessageBatchResultEntry{}, Failed: []batchResultErrorEntry{}}
	for i, entry := range in.Entries {
		if failures[i] == nil {
			var res sendMessageOutput
			res, failures[i] = s.send(q, prepared[i], awsproto.AccountID)
			if failures[i] == nil {
				out.Successful = append(out.Successful, sendMessageBatchResultEntry{Id: *entry.Id, sendMessageOutput: res})
				continue
			}
		}
		out.Failed = append(out.Failed, batchFailure(*entry.Id, failures[i]))
	}
	return out, nil
}

// SendToQueue sends body to the queue with the given ARN, for in-process
// senders such as EventBridge targets and S3 notifications. The error wraps
// ErrQueueNotFound when the queue does not exist, and the *awsproto.Error
// SQS would answer when the body is not a valid message.
func (s *Service) SendToQueue(ctx context.Context, queueARN, body string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqs: send to %s: %w", queueARN, err)
	}
	name, ok := s.queueNameFromARN(queueARN)
	if !ok {
		return fmt.Errorf("sqs: send to %s: %w", queueARN, ErrQueueNotFound)
	}
	q := s.lookup(name)
	if q == nil {
		return fmt.Errorf("sqs: send to %s: %w", queueARN, ErrQueueNotFound)
	}
	o, apiErr := prepareSend(&sendMessageInput{MessageBody: &body})
	if apiErr != nil {
		return fmt.Errorf("sqs: send to %s: %w", queueARN, apiErr)
	}
	if _, apiErr := s.send(q, o, awsproto.AccountID); apiErr != nil {
		if apiErr.Type == "QueueDoesNotExist" {
			return fmt.Errorf("sqs: send to %s: %w", queueARN, ErrQueueNotFound)
		}
		return fmt.Errorf("sqs: send to %s: %w", queueARN, apiErr)
	}
	return nil
}
