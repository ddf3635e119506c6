package sqs

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// queueConfig holds the settable attributes of a queue, with AWS's defaults
// and ranges (CreateQueue, Attributes).
type queueConfig struct {
	VisibilityTimeout             int
	DelaySeconds                  int
	ReceiveMessageWaitTimeSeconds int
	MessageRetentionPeriod        int
	MaximumMessageSize            int
	Policy                        string
	Redrive                       *redrivePolicy
	RedriveAllow                  *redriveAllowPolicy
	KmsMasterKeyID                string
	KmsDataKeyReusePeriodSeconds  int
	SqsManagedSseEnabled          bool
}

func defaultQueueConfig() queueConfig {
	return queueConfig{
		VisibilityTimeout:            30,
		MessageRetentionPeriod:       345600,
		MaximumMessageSize:           maxMessageSize,
		KmsDataKeyReusePeriodSeconds: 300,
		// New queues get SSE-SQS unless a KMS key is given.
		SqsManagedSseEnabled: true,
	}
}

const (
	maxMessageSize       = 1 << 20 // 1 MiB, the AWS maximum and default
	minMessageSize       = 1024
	maxVisibilityTimeout = 43200 // 12 hours
	maxDelaySeconds      = 900
	maxWaitTimeSeconds   = 20
)

func (c queueConfig) visibilityTimeout() time.Duration {
	return time.Duration(c.VisibilityTimeout) * time.Second
}

func (c queueConfig) retention() time.Duration {
	return time.Duration(c.MessageRetentionPeriod) * time.Second
}

// intAttribute describes a numeric attribute and its valid range.
type intAttribute struct {
	min, max int
	field    func(*queueConfig) *int
}

// intAttributeSpec returns the range of a numeric attribute.
func intAttributeSpec(name string) (intAttribute, bool) {
	switch name {
	case "VisibilityTimeout":
		return intAttribute{0, maxVisibilityTimeout, func(c *queueConfig) *int { return &c.VisibilityTimeout }}, true
	case "DelaySeconds":
		return intAttribute{0, maxDelaySeconds, func(c *queueConfig) *int { return &c.DelaySeconds }}, true
	case "ReceiveMessageWaitTimeSeconds":
		return intAttribute{0, maxWaitTimeSeconds, func(c *queueConfig) *int { return &c.ReceiveMessageWaitTimeSeconds }}, true
	case "MessageRetentionPeriod":
		return intAttribute{60, 1209600, func(c *queueConfig) *int { return &c.MessageRetentionPeriod }}, true
	case "MaximumMessageSize":
		return intAttribute{minMessageSize, maxMessageSize, func(c *queueConfig) *int { return &c.MaximumMessageSize }}, true
	case "KmsDataKeyReusePeriodSeconds":
		return intAttribute{60, 86400, func(c *queueConfig) *int { return &c.KmsDataKeyReusePeriodSeconds }}, true
	}
	return intAttribute{}, false
}

// applyAttributes returns cfg with attrs applied. creating allows the
// create-only FifoQueue attribute. It checks syntax and ranges only; the
// redrive target is checked by the service, which can see other queues.
func applyAttributes(cfg queueConfig, attrs map[string]string, creating bool) (queueConfig, *awsproto.Error) {
	for name, value := range attrs {
		if spec, ok := intAttributeSpec(name); ok {
			n, err := strconv.Atoi(value)
			if err != nil || n < spec.min || n > spec.max {
				return cfg, errInvalidAttributeValue("Invalid value for the parameter %s: %q is not an integer from %d to %d.", name, value, spec.min, spec.max)
			}
			*spec.field(&cfg) = n
			continue
		}
		switch name {
		case "Policy":
			if value != "" && !json.Valid([]byte(value)) {
				return cfg, errInvalidAttributeValue("Invalid value for the parameter Policy: not a JSON policy document.")
			}
			cfg.Policy = value
		case "RedrivePolicy":
			cfg.Redrive = nil
			if value != "" {
				p, err := parseRedrivePolicy(value)
				if err != nil {
					return cfg, err
				}
				cfg.Redrive = p
			}
		case "RedriveAllowPolicy":
			cfg.RedriveAllow = nil
			if value != "" {
				p, err := parseRedriveAllowPolicy(value)
				if err != nil {
					return cfg, err
				}
				cfg.RedriveAllow = p
			}
		case "KmsMasterKeyId":
			cfg.KmsMasterKeyID = value
			if value != "" {
				cfg.SqsManagedSseEnabled = false
			}
		case "SqsManagedSseEnabled":
			b, err := strconv.ParseBool(value)
			if err != nil || (value != "true" && value != "false") {
				return cfg, errInvalidAttributeValue("Invalid value for the parameter SqsManagedSseEnabled: %q.", value)
			}
			cfg.SqsManagedSseEnabled = b
		case "FifoQueue":
			if !creating {
				return cfg, errInvalidAttributeName(name)
			}
			switch value {
			case "false":
			case "true":
				return cfg, errNotImplemented("FIFO queues (FifoQueue=true)")
			default:
				return cfg, errInvalidAttributeValue("Invalid value for the parameter FifoQueue: %q.", value)
			}
		default:
			// Includes the FIFO-only ContentBasedDeduplication,
			// DeduplicationScope and FifoThroughputLimit, which AWS rejects
			// on standard queues.
			return cfg, errInvalidAttributeName(name)
		}
	}
	if cfg.SqsManagedSseEnabled && cfg.KmsMasterKeyID != "" {
		return cfg, errInvalidAttributeValue("Only one server-side encryption option is supported per queue: SqsManagedSseEnabled and KmsMasterKeyId.")
	}
	return cfg, nil
}

// configAttribute renders one settable attribute, false when it has no value.
func (c queueConfig) configAttribute(name string) (string, bool) {
	if name == "KmsDataKeyReusePeriodSeconds" && c.KmsMasterKeyID == "" {
		return "", false // AWS reports it only for SSE-KMS queues
	}
	if spec, ok := intAttributeSpec(name); ok {
		return strconv.Itoa(*spec.field(&c)), true
	}
	switch name {
	case "Policy":
		return c.Policy, c.Policy != ""
	case "RedrivePolicy":
		if c.Redrive == nil {
			return "", false
		}
		return render(c.Redrive), true
	case "RedriveAllowPolicy":
		if c.RedriveAllow == nil {
			return "", false
		}
		return render(c.RedriveAllow), true
	case "KmsMasterKeyId":
		return c.KmsMasterKeyID, c.KmsMasterKeyID != ""
	case "SqsManagedSseEnabled":
		return strconv.FormatBool(c.SqsManagedSseEnabled), true
	case "FifoQueue":
		// Only FIFO queues report it; standard queues omit it.
		return "", false
	}
	return "", false
}
