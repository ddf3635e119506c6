package sqs

import (
	"strconv"
	"strings"
	"time"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

const (
	maxReceiveMessages = 10
	// maxInflight is the documented in-flight quota of a standard queue;
	// a receive beyond it fails with OverLimit.
	maxInflight = 120000
)

// receiveParams are the validated options of one ReceiveMessage.
type receiveParams struct {
	max int
	// visibility is nil when the queue's VisibilityTimeout applies.
	visibility *time.Duration
	// wait is nil when the queue's ReceiveMessageWaitTimeSeconds applies.
	wait       *time.Duration
	systemAll  bool
	system     map[string]bool
	attrFilter attributeFilter
}

// messageSystemAttributeName reports whether name may be requested in
// MessageSystemAttributeNames.
func messageSystemAttributeName(name string) bool {
	switch name {
	case "All", "SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
		"SequenceNumber", "MessageDeduplicationId", "MessageGroupId", "AWSTraceHeader", "DeadLetterQueueSourceArn":
		return true
	}
	return false
}

func parseReceiveParams(in *receiveMessageInput) (receiveParams, *awsproto.Error) {
	p := receiveParams{max: 1, system: map[string]bool{}}
	if in.MaxNumberOfMessages != nil {
		n := *in.MaxNumberOfMessages
		if n < 1 || n > maxReceiveMessages {
			return p, errInvalidParameterValue("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and %d, if provided.", n, maxReceiveMessages)
		}
		p.max = int(n)
	}
	if in.VisibilityTimeout != nil {
		v := *in.VisibilityTimeout
		if v < 0 || v > maxVisibilityTimeout {
			return p, errInvalidParameterValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= %d, if provided.", v, maxVisibilityTimeout)
		}
		d := time.Duration(v) * time.Second
		p.visibility = &d
	}
	if in.WaitTimeSeconds != nil {
		v := *in.WaitTimeSeconds
		if v < 0 || v > maxWaitTimeSeconds {
			return p, errInvalidParameterValue("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= %d, if provided.", v, maxWaitTimeSeconds)
		}
		d := time.Duration(v) * time.Second
		p.wait = &d
	}
	for _, name := range in.MessageSystemAttributeNames {
		if !messageSystemAttributeName(name) {
			return p, errInvalidAttributeName(name)
		}
		p.system[name] = true
	}
	// The deprecated AttributeNames takes queue attribute names too; those
	// mean nothing for a message and are ignored, as AWS does.
	for _, name := range in.AttributeNames {
		if messageSystemAttributeName(name) {
			p.system[name] = true
		}
	}
	p.systemAll = p.system["All"]
	p.attrFilter = newAttributeFilter(in.MessageAttributeNames)
	return p, nil
}

// attributeFilter selects the message attributes a receive returns:
// "All" or ".*" for all, "prefix.*" for a prefix, or exact names.
type attributeFilter struct {
	all      bool
	names    map[string]bool
	prefixes []string
}

func newAttributeFilter(names []string) attributeFilter {
	f := attributeFilter{names: map[string]bool{}}
	for _, name := range names {
		switch {
		case name == "All" || name == ".*":
			f.all = true
		case strings.HasSuffix(name, ".*"):
			f.prefixes = append(f.prefixes, strings.TrimSuffix(name, "*"))
		default:
			f.names[name] = true
		}
	}
	return f
}

func (f attributeFilter) match(name string) bool {
	if f.all || f.names[name] {
		return true
	}
	for _, p := range f.prefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func (s *Service) receiveMessage(c *call) (any, error) {
	in, err := decode[receiveMessageInput](c)
	if err != nil {
		return nil, err
	}
	q, apiErr := s.queueFromURL(in.QueueUrl)
	if apiErr != nil {
		return nil, apiErr
	}
	p, apiErr := parseReceiveParams(in)
	if apiErr != nil {
		return nil, apiErr
	}

	wait := q.defaultWait()
	if p.wait != nil {
		wait = *p.wait
	}
	canWait := wait > 0
	msgs, wake, apiErr := s.receiveOnce(q, p, canWait)
	if apiErr != nil || len(msgs) > 0 || wake == nil {
		return receiveResult(msgs, apiErr)
	}
	// Long poll: block until a message may be available, the wait time
	// ends, the caller goes away or the service closes; never spin.
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case <-wake:
			q.removeWaiter()
			msgs, wake, apiErr = s.receiveOnce(q, p, true)
			if apiErr != nil || len(msgs) > 0 || wake == nil {
				return receiveResult(msgs, apiErr)
			}
		case <-timer.C:
			q.removeWaiter()
			msgs, _, apiErr = s.receiveOnce(q, p, false)
			return receiveResult(msgs, apiErr)
		case <-c.ctx.Done():
			q.removeWaiter()
			return receiveMessageOutput{}, nil
		case <-s.done:
			q.removeWaiter()
			return receiveMessageOutput{}, nil
		}
	}
}

func receiveResult(msgs []wireMessage, apiErr *awsproto.Error) (any, error) {
	if apiErr != nil {
		return nil, apiErr
	}
	return receiveMessageOutput{Messages: msgs}, nil
}

// defaultWait is the queue's ReceiveMessageWaitTimeSeconds.
func (q *queue) defaultWait() time.Duration {
	q.mu.Lock()
	defer q.mu.Unlock()
	return time.Duration(q.cfg.ReceiveMessageWaitTimeSeconds) * time.Second
}

// receiveOnce takes up to p.max visible messages. When it finds none and
// canWait, it registers a long-poll waiter in
// the same critical section, so no send can slip between the check and the
// wait, and returns the channel to wait on; the caller must removeWaiter.
func (s *Service) receiveOnce(q *queue, p receiveParams, canWait bool) ([]wireMessage, <-chan struct{}, *awsproto.Error) {
	// Resolve the dead-letter queue before locking q: no two queue locks,
	// and no service lock under a queue lock.
	q.mu.Lock()
	redrive := q.cfg.Redrive
	q.mu.Unlock()
	var dlq *queue
	if redrive != nil {
		dlq = s.lookupARN(redrive.DeadLetterTargetArn)
	}

	now := s.now()
	q.mu.Lock()
	if q.deleted {
		q.mu.Unlock()
		return nil, nil, nil
	}
	q.advanceLocked(now)
	if q.inflight.Len() >= maxInflight {
		q.mu.Unlock()
		return nil, nil, errOverLimit("Too many messages in flight on queue %s (limit %d).", q.name, maxInflight)
	}
	maxReceives := 0
	if redrive := q.cfg.Redrive; redrive != nil && dlq != nil && redrive.DeadLetterTargetArn == dlq.arn && dlq != q {
		maxReceives = redrive.MaxReceiveCount
	}
	visibility := q.cfg.visibilityTimeout()
	if p.visibility != nil {
		visibility = *p.visibility
	}
	var (
		out          []wireMessage
		deadLettered []*message
	)
	for len(out) < p.max {
		m := q.visible.Pop()
		if m == nil {
			break
		}
		if maxReceives > 0 && m.receiveCount >= maxReceives {
			// A receive that would exceed maxReceiveCount moves the message
			// to the dead-letter queue instead.
			q.retention.Remove(m)
			delete(q.messages, m.id)
			deadLettered = append(deadLettered, m)
			continue
		}
		q.nextReceipt++
		m.receipt = q.nextReceipt
		m.receiveCount++
		if m.firstReceiveAt.IsZero() {
			m.firstReceiveAt = now
		}
		m.receivedAt = now
		m.state = stateInflight
		m.until = now.Add(visibility)
		q.inflight.Push(m)
		out = append(out, s.render(q, m, p))
	}
	var wake <-chan struct{}
	if len(out) == 0 && canWait {
		wake = q.addWaiterLocked()
	}
	q.mu.Unlock()

	if len(deadLettered) > 0 {
		dlq.acceptDeadLetters(deadLettered, q.arn, now)
	}
	return out, wake, nil
}

// acceptDeadLetters enqueues messages moved from the source queue, keeping
// their id, body, attributes, receive count and original send time.
func (q *queue) acceptDeadLetters(msgs []*message, sourceARN string, now time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.deleted {
		return
	}
	for _, m := range msgs {
		m.dlqSourceARN = sourceARN
		m.until = time.Time{}
		if _, dup := q.messages[m.id]; dup {
			continue
		}
		q.enqueueLocked(m, 0, now)
	}
}

// render builds the wire form of a just-received message.
func (s *Service) render(q *queue, m *message, p receiveParams) wireMessage {
	w := wireMessage{
		MessageId:     m.id,
		ReceiptHandle: receipt{queue: q.name, messageID: m.id, gen: m.receipt}.encode(),
		MD5OfBody:     m.md5OfBody,
		Body:          m.body,
	}
	want := func(name string) bool { return p.systemAll || p.system[name] }
	attrs := map[string]string{}
	if want("SenderId") {
		attrs["SenderId"] = m.senderID
	}
	if want("SentTimestamp") {
		attrs["SentTimestamp"] = strconv.FormatInt(m.sentAt.UnixMilli(), 10)
	}
	if want("ApproximateReceiveCount") {
		attrs["ApproximateReceiveCount"] = strconv.Itoa(m.receiveCount)
	}
	if want("ApproximateFirstReceiveTimestamp") {
		attrs["ApproximateFirstReceiveTimestamp"] = strconv.FormatInt(m.firstReceiveAt.UnixMilli(), 10)
	}
	if want("AWSTraceHeader") && m.traceHeader != "" {
		attrs["AWSTraceHeader"] = m.traceHeader
	}
	if want("DeadLetterQueueSourceArn") && m.dlqSourceARN != "" {
		attrs["DeadLetterQueueSourceArn"] = m.dlqSourceARN
	}
	if want("MessageGroupId") && m.groupID != "" {
		attrs["MessageGroupId"] = m.groupID
	}
	if len(attrs) > 0 {
		w.Attributes = attrs
	}
	selected := map[string]attrValue{}
	for name, v := range m.attrs {
		if p.attrFilter.match(name) {
			selected[name] = v
		}
	}
	if len(selected) > 0 {
		w.MessageAttributes = make(map[string]wireAttributeValue, len(selected))
		for name, v := range selected {
			wv := wireAttributeValue{DataType: v.DataType}
			if v.isBinary() {
				wv.BinaryValue = v.BinaryValue
			} else {
				sv := v.StringValue
				wv.StringValue = &sv
			}
			w.MessageAttributes[name] = wv
		}
		// The digest covers the attributes returned, which is what SDKs
		// that verify it (Java's MD5 interceptor) recompute.
		w.MD5OfMessageAttributes = md5OfAttributes(selected)
	}
	return w
}
