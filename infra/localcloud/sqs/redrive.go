package sqs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

const (
	minMaxReceiveCount      = 1
	maxMaxReceiveCount      = 1000
	maxRedriveAllowSources  = 10
	redrivePermissionAll    = "allowAll"
	redrivePermissionDeny   = "denyAll"
	redrivePermissionQueues = "byQueue"
)

// redrivePolicy is a source queue's RedrivePolicy attribute.
type redrivePolicy struct {
	DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	MaxReceiveCount     int    `json:"maxReceiveCount"`
}

// redriveAllowPolicy is a dead-letter queue's RedriveAllowPolicy attribute.
type redriveAllowPolicy struct {
	RedrivePermission string   `json:"redrivePermission"`
	SourceQueueArns   []string `json:"sourceQueueArns,omitempty"`
}

// allows reports whether a queue with ARN source may use this queue as its
// dead-letter queue; a nil policy allows all, as AWS's default does.
func (p *redriveAllowPolicy) allows(source string) bool {
	if p == nil {
		return true
	}
	switch p.RedrivePermission {
	case redrivePermissionDeny:
		return false
	case redrivePermissionQueues:
		for _, arn := range p.SourceQueueArns {
			if arn == source {
				return true
			}
		}
		return false
	default:
		return true
	}
}

func render(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// parseRedrivePolicy parses the JSON value; maxReceiveCount may be a JSON
// number or a numeric string, as AWS (and CloudFormation templates) allow.
func parseRedrivePolicy(raw string) (*redrivePolicy, *awsproto.Error) {
	invalid := func(reason string) *awsproto.Error {
		return errInvalidParameterValue("Value %s for parameter RedrivePolicy is invalid. Reason: %s", raw, reason)
	}
	var wire struct {
		DeadLetterTargetArn *string         `json:"deadLetterTargetArn"`
		MaxReceiveCount     json.RawMessage `json:"maxReceiveCount"`
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&wire); err != nil {
		return nil, invalid(fmt.Sprintf("Redrive policy is not a valid JSON map: %v.", err))
	}
	if wire.DeadLetterTargetArn == nil || *wire.DeadLetterTargetArn == "" {
		return nil, invalid("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.")
	}
	if len(wire.MaxReceiveCount) == 0 {
		return nil, invalid("Redrive policy does not contain mandatory attribute: maxReceiveCount.")
	}
	text := string(wire.MaxReceiveCount)
	if unquoted, err := strconv.Unquote(text); err == nil {
		text = unquoted
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < minMaxReceiveCount || n > maxMaxReceiveCount {
		return nil, invalid(fmt.Sprintf("Invalid value for maxReceiveCount: %s, valid values are from %d to %d both inclusive.", string(wire.MaxReceiveCount), minMaxReceiveCount, maxMaxReceiveCount))
	}
	return &redrivePolicy{DeadLetterTargetArn: *wire.DeadLetterTargetArn, MaxReceiveCount: n}, nil
}

func parseRedriveAllowPolicy(raw string) (*redriveAllowPolicy, *awsproto.Error) {
	invalid := func(reason string) *awsproto.Error {
		return errInvalidParameterValue("Value %s for parameter RedriveAllowPolicy is invalid. Reason: %s", raw, reason)
	}
	var p redriveAllowPolicy
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, invalid(fmt.Sprintf("Redrive allow policy is not a valid JSON map: %v.", err))
	}
	switch p.RedrivePermission {
	case redrivePermissionAll, redrivePermissionDeny:
		if len(p.SourceQueueArns) > 0 {
			return nil, invalid("Only byQueue redrivePermission can have sourceQueueArns.")
		}
	case redrivePermissionQueues:
		if len(p.SourceQueueArns) == 0 || len(p.SourceQueueArns) > maxRedriveAllowSources {
			return nil, invalid(fmt.Sprintf("byQueue redrivePermission needs 1 to %d sourceQueueArns.", maxRedriveAllowSources))
		}
	default:
		return nil, invalid("redrivePermission must be one of allowAll, denyAll, byQueue.")
	}
	return &p, nil
}
