package sqs

import (
	"encoding/base64"
	"sort"
	"strings"
	"time"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

const (
	maxListResults = 1000
	// purgeInterval: AWS allows one PurgeQueue per queue every 60 seconds.
	purgeInterval = 60 * time.Second
)

func (s *Service) createQueue(c *call) (any, error) {
	in, err := decode[createQueueInput](c)
	if err != nil {
		return nil, err
	}
	if in.QueueName == nil {
		return nil, errMissingParameter("QueueName")
	}
	name := *in.QueueName
	if strings.HasSuffix(name, ".fifo") {
		return nil, errNotImplemented("FIFO queues (queue name %q ends in .fifo)", name)
	}
	if !validQueueName(name) {
		return nil, errInvalidParameterValue("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length; got %q.", name)
	}
	cfg, apiErr := applyAttributes(defaultQueueConfig(), in.Attributes, true)
	if apiErr != nil {
		return nil, apiErr
	}
	arn := s.queueARN(name)
	if apiErr := s.checkRedriveTarget(arn, cfg.Redrive); apiErr != nil {
		return nil, apiErr
	}

	s.mu.Lock()
	existing := s.queues[name]
	if existing == nil {
		tags := make(map[string]string, len(in.Tags))
		for k, v := range in.Tags {
			tags[k] = v
		}
		s.queues[name] = newQueue(name, arn, cfg, tags, s.now())
	}
	s.mu.Unlock()

	if existing != nil {
		// Idempotent only when every given attribute equals the existing
		// value (CreateQueue: "exact same names and values").
		existing.mu.Lock()
		current := existing.cfg
		existing.mu.Unlock()
		wanted, apiErr := applyAttributes(current, in.Attributes, true)
		if apiErr != nil {
			return nil, apiErr
		}
		for attr := range in.Attributes {
			was, _ := current.configAttribute(attr)
			want, _ := wanted.configAttribute(attr)
			if was != want {
				return nil, errQueueNameExists(attr)
			}
		}
	}
	return queueURLOutput{QueueUrl: c.queueURL(name)}, nil
}

// checkRedriveTarget verifies that a RedrivePolicy names an existing queue
// whose RedriveAllowPolicy admits the source queue.
func (s *Service) checkRedriveTarget(sourceARN string, p *redrivePolicy) *awsproto.Error {
	if p == nil {
		return nil
	}
	target := s.lookupARN(p.DeadLetterTargetArn)
	if target == nil {
		return errInvalidParameterValue("Value %s for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.", render(p))
	}
	target.mu.Lock()
	allowed := target.cfg.RedriveAllow.allows(sourceARN)
	target.mu.Unlock()
	if !allowed {
		return errInvalidParameterValue("Value %s for parameter RedrivePolicy is invalid. Reason: Queue %s does not allow this queue to use it as a dead-letter queue (RedriveAllowPolicy).", render(p), p.DeadLetterTargetArn)
	}
	return nil
}

func (s *Service) getQueueURL(c *call) (any, error) {
	in, err := decode[getQueueURLInput](c)
	if err != nil {
		return nil, err
	}
	if in.QueueName == nil {
		return nil, errMissingParameter("QueueName")
	}
	if in.QueueOwnerAWSAccountId != nil && *in.QueueOwnerAWSAccountId != awsproto.AccountID {
		return nil, errQueueDoesNotExist()
	}
	if s.lookup(*in.QueueName) == nil {
		return nil, errQueueDoesNotExist()
	}
	return queueURLOutput{QueueUrl: c.queueURL(*in.QueueName)}, nil
}

func (s *Service) listQueues(c *call) (any, error) {
	in, err := decode[listQueuesInput](c)
	if err != nil {
		return nil, err
	}
	prefix := ""
	if in.QueueNamePrefix != nil {
		prefix = *in.QueueNamePrefix
	}
	var names []string
	for _, q := range s.snapshotQueues() {
		if strings.HasPrefix(q.name, prefix) {
			names = append(names, q.name)
		}
	}
	page, next, apiErr := paginate(names, in.MaxResults, in.NextToken)
	if apiErr != nil {
		return nil, apiErr
	}
	out := listQueuesOutput{NextToken: next}
	for _, name := range page {
		out.QueueUrls = append(out.QueueUrls, c.queueURL(name))
	}
	return out, nil
}

// paginate pages through sorted names. As in ListQueues, a NextToken is
// only returned when the caller set MaxResults.
func paginate(names []string, maxResults *int64, token *string) ([]string, string, *awsproto.Error) {
	limit := maxListResults
	if maxResults != nil {
		if *maxResults < 1 || *maxResults > maxListResults {
			return nil, "", errInvalidParameterValue("Value %d for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and %d.", *maxResults, maxListResults)
		}
		limit = int(*maxResults)
	}
	if token != nil && *token != "" {
		after, err := base64.RawURLEncoding.DecodeString(*token)
		if err != nil || len(after) == 0 {
			return nil, "", errInvalidParameterValue("Invalid NextToken value.")
		}
		start := sort.SearchStrings(names, string(after))
		if start < len(names) && names[start] == string(after) {
			start++
		}
		names = names[start:]
	}
	if len(names) <= limit {
		return names, "", nil
	}
	page := names[:limit]
	if maxResults == nil {
		return page, "", nil
	}
	return page, base64.RawURLEncoding.EncodeToString([]byte(page[len(page)-1])), nil
}

func (s *Service) deleteQueue(c *call) (any, error) {
	q, err := s.decodeQueueURLInput(c)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.queues[q.name] == q {
		delete(s.queues, q.name)
	}
	s.mu.Unlock()

	q.mu.Lock()
	q.deleted = true
	q.purgeLocked()
	// Release the long polls: they find the queue deleted and return.
	close(q.wake)
	q.wake = make(chan struct{})
	q.mu.Unlock()
	return emptyOutput{}, nil
}

func (s *Service) purgeQueue(c *call) (any, error) {
	q, err := s.decodeQueueURLInput(c)
	if err != nil {
		return nil, err
	}
	now := s.now()
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.lastPurge.IsZero() && now.Sub(q.lastPurge) < purgeInterval {
		return nil, errPurgeQueueInProgress(q.arn)
	}
	q.lastPurge = now
	q.purgeLocked()
	return emptyOutput{}, nil
}
