package sqs

import "strconv"

// queueAttributeNames are the names GetQueueAttributes accepts, in the order
// "All" reports them.
func queueAttributeNames() []string {
	return []string{
		"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed", "ApproximateNumberOfMessagesNotVisible",
		"CreatedTimestamp", "DelaySeconds", "LastModifiedTimestamp", "MaximumMessageSize", "MessageRetentionPeriod",
		"Policy", "QueueArn", "ReceiveMessageWaitTimeSeconds", "RedriveAllowPolicy", "RedrivePolicy",
		"SqsManagedSseEnabled", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "VisibilityTimeout",
		// FIFO-only: valid names, never reported by a standard queue.
		"FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit",
	}
}

// attributeLocked renders one queue attribute, false when it has no value.
func (q *queue) attributeLocked(name string) (string, bool) {
	switch name {
	case "ApproximateNumberOfMessages":
		return strconv.Itoa(q.visible.Len()), true
	case "ApproximateNumberOfMessagesNotVisible":
		return strconv.Itoa(q.inflight.Len()), true
	case "ApproximateNumberOfMessagesDelayed":
		return strconv.Itoa(q.delayed.Len()), true
	case "CreatedTimestamp":
		return strconv.FormatInt(q.createdAt.Unix(), 10), true
	case "LastModifiedTimestamp":
		return strconv.FormatInt(q.lastModified.Unix(), 10), true
	case "QueueArn":
		return q.arn, true
	}
	return q.cfg.configAttribute(name)
}

func (s *Service) getQueueAttributes(c *call) (any, error) {
	in, err := decode[getQueueAttributesInput](c)
	if err != nil {
		return nil, err
	}
	q, apiErr := s.queueFromURL(in.QueueUrl)
	if apiErr != nil {
		return nil, apiErr
	}
	known := map[string]bool{}
	for _, name := range queueAttributeNames() {
		known[name] = true
	}
	var names []string
	for _, name := range in.AttributeNames {
		switch {
		case name == "All":
			names = append(names, queueAttributeNames()...)
		case known[name]:
			names = append(names, name)
		default:
			return nil, errInvalidAttributeName(name)
		}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.advanceLocked(s.now())
	out := map[string]string{}
	for _, name := range names {
		if v, ok := q.attributeLocked(name); ok {
			out[name] = v
		}
	}
	return attributesOutput{Attributes: out}, nil
}

func (s *Service) setQueueAttributes(c *call) (any, error) {
	in, err := decode[setQueueAttributesInput](c)
	if err != nil {
		return nil, err
	}
	q, apiErr := s.queueFromURL(in.QueueUrl)
	if apiErr != nil {
		return nil, apiErr
	}
	if in.Attributes == nil {
		return nil, errMissingParameter("Attributes")
	}
	// Validate against a snapshot first: checking the redrive target locks
	// another queue, which must not happen while q is locked.
	q.mu.Lock()
	cfg, apiErr := applyAttributes(q.cfg, in.Attributes, false)
	q.mu.Unlock()
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := s.checkRedriveTarget(q.arn, cfg.Redrive); apiErr != nil {
		return nil, apiErr
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	// Re-apply on the current config so concurrent changes to other
	// attributes are kept; validation cannot fail differently.
	cfg, apiErr = applyAttributes(q.cfg, in.Attributes, false)
	if apiErr != nil {
		return nil, apiErr
	}
	q.cfg = cfg
	q.lastModified = s.now()
	return emptyOutput{}, nil
}

func (s *Service) listDeadLetterSourceQueues(c *call) (any, error) {
	in, err := decode[listDeadLetterSourceQueuesInput](c)
	if err != nil {
		return nil, err
	}
	dlq, apiErr := s.queueFromURL(in.QueueUrl)
	if apiErr != nil {
		return nil, apiErr
	}
	names := s.deadLetterSources(dlq.arn)
	page, next, apiErr := paginate(names, in.MaxResults, in.NextToken)
	if apiErr != nil {
		return nil, apiErr
	}
	out := listDeadLetterSourceQueuesOutput{QueueUrls: []string{}, NextToken: next}
	for _, name := range page {
		out.QueueUrls = append(out.QueueUrls, c.queueURL(name))
	}
	return out, nil
}

// deadLetterSources returns, sorted, the names of the queues whose
// RedrivePolicy targets dlqARN.
func (s *Service) deadLetterSources(dlqARN string) []string {
	var names []string
	for _, q := range s.snapshotQueues() {
		q.mu.Lock()
		if q.cfg.Redrive != nil && q.cfg.Redrive.DeadLetterTargetArn == dlqARN {
			names = append(names, q.name)
		}
		q.mu.Unlock()
	}
	return names
}

func (s *Service) tagQueue(c *call) (any, error) {
	in, err := decode[tagQueueInput](c)
	if err != nil {
		return nil, err
	}
	q, apiErr := s.queueFromURL(in.QueueUrl)
	if apiErr != nil {
		return nil, apiErr
	}
	if len(in.Tags) == 0 {
		return nil, errMissingParameter("Tags")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for k, v := range in.Tags {
		q.tags[k] = v
	}
	return emptyOutput{}, nil
}

func (s *Service) untagQueue(c *call) (any, error) {
	in, err := decode[untagQueueInput](c)
	if err != nil {
		return nil, err
	}
	q, apiErr := s.queueFromURL(in.QueueUrl)
	if apiErr != nil {
		return nil, apiErr
	}
	if len(in.TagKeys) == 0 {
		return nil, errMissingParameter("TagKeys")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, k := range in.TagKeys {
		delete(q.tags, k)
	}
	return emptyOutput{}, nil
}

func (s *Service) listQueueTags(c *call) (any, error) {
	q, err := s.decodeQueueURLInput(c)
	if err != nil {
		return nil, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	tags := make(map[string]string, len(q.tags))
	for k, v := range q.tags {
		tags[k] = v
	}
	return listQueueTagsOutput{Tags: tags}, nil
}
