package sqs

import (
	"time"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// deleteByReceipt deletes the message a receipt handle names. A well-formed
// handle of a message that is gone, or of an older receive, succeeds
// without effect: AWS documents that an old handle "will succeed, but the
// message might not be deleted".
func (s *Service) deleteByReceipt(q *queue, handle *string) *awsproto.Error {
	if handle == nil {
		return errMissingParameter("ReceiptHandle")
	}
	r, err := decodeReceipt(*handle)
	if err != nil || r.queue != q.name {
		return errReceiptHandleIsInvalid(*handle)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if m := q.messages[r.messageID]; m != nil && m.receipt == r.gen {
		q.removeLocked(m)
	}
	return nil
}

func (s *Service) deleteMessage(c *call) (any, error) {
	in, err := decode[deleteMessageInput](c)
	if err != nil {
		return nil, err
	}
	return s.applyToQueue(in.QueueUrl, func(q *queue) *awsproto.Error {
		return s.deleteByReceipt(q, in.ReceiptHandle)
	})
}

func (s *Service) deleteMessageBatch(c *call) (any, error) {
	in, err := decode[deleteMessageBatchInput](c)
	if err != nil {
		return nil, err
	}
	return applyToBatch(s, in.QueueUrl, in.Entries, func(q *queue, e deleteMessageBatchEntry) *awsproto.Error {
		return s.deleteByReceipt(q, e.ReceiptHandle)
	})
}

// changeVisibility sets a new visibility timeout on an in-flight message,
// counted from now; 0 makes it visible at once.
func (s *Service) changeVisibility(q *queue, handle *string, timeout *int64) *awsproto.Error {
	if handle == nil {
		return errMissingParameter("ReceiptHandle")
	}
	if timeout == nil {
		return errMissingParameter("VisibilityTimeout")
	}
	r, err := decodeReceipt(*handle)
	if err != nil || r.queue != q.name {
		return errReceiptHandleIsInvalid(*handle)
	}
	if *timeout < 0 || *timeout > maxVisibilityTimeout {
		return errInvalidParameterValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and %d seconds.", *timeout, maxVisibilityTimeout)
	}
	now := s.now()
	q.mu.Lock()
	defer q.mu.Unlock()
	q.advanceLocked(now)
	m := q.messages[r.messageID]
	if m == nil || m.receipt != r.gen {
		return errInvalidParameterValue("Value %s for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.", *handle)
	}
	if m.state != stateInflight {
		return errMessageNotInflight()
	}
	d := time.Duration(*timeout) * time.Second
	// The total visibility of one receive cannot exceed 12 hours.
	if now.Add(d).After(m.receivedAt.Add(maxVisibilityTimeout * time.Second)) {
		return errInvalidParameterValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [%d seconds].", *timeout, maxVisibilityTimeout)
	}
	if d == 0 {
		q.makeVisibleLocked(m)
		return nil
	}
	m.until = now.Add(d)
	q.inflight.Fix(m)
	return nil
}

func (s *Service) changeMessageVisibility(c *call) (any, error) {
	in, err := decode[changeVisibilityInput](c)
	if err != nil {
		return nil, err
	}
	return s.applyToQueue(in.QueueUrl, func(q *queue) *awsproto.Error {
		return s.changeVisibility(q, in.ReceiptHandle, in.VisibilityTimeout)
	})
}

func (s *Service) changeMessageVisibilityBatch(c *call) (any, error) {
	in, err := decode[changeVisibilityBatchInput](c)
	if err != nil {
		return nil, err
	}
	return applyToBatch(s, in.QueueUrl, in.Entries, func(q *queue, e changeVisibilityBatchEntry) *awsproto.Error {
		return s.changeVisibility(q, e.ReceiptHandle, e.VisibilityTimeout)
	})
}
