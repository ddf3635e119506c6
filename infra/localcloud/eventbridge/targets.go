package eventbridge

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
	"github.com/paylane/paylane/infra/localcloud/eventbridge/transform"
)

// Documented limits: 5 targets per rule (a quota), 10 per PutTargets call
// and 100 ids per RemoveTargets call.
const (
	maxTargetsPerRule    = 5
	maxTargetsPerRequest = 10
	maxRemoveIDs         = 100
	maxInputLength       = 8192
)

type putTargetsInput struct {
	Rule         string
	EventBusName *string
	Targets      []json.RawMessage
}

type putTargetsOutput struct {
	FailedEntryCount int           `json:"FailedEntryCount"`
	FailedEntries    []failedEntry `json:"FailedEntries"`
}

// supportedTargetFields are the Target members the local cloud acts on; a
// target using any other (EcsParameters, SqsParameters, ...) fails with
// NotImplemented rather than being stored and ignored.
func supportedTargetField(name string) bool {
	switch name {
	case "Id", "Arn", "RoleArn", "Input", "InputPath", "InputTransformer", "DeadLetterConfig", "RetryPolicy":
		return true
	}
	return false
}

func (s *Service) putTargets(_ context.Context, body []byte) (any, error) {
	var in putTargetsInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	if len(in.Targets) == 0 || len(in.Targets) > maxTargetsPerRequest {
		return nil, validationErr("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length between 1 and %d", maxTargetsPerRequest)
	}
	// Validate everything first: a malformed target fails the whole call.
	var (
		valid  []*target
		failed []failedEntry
		seen   = make(map[string]bool)
	)
	for _, raw := range in.Targets {
		t, unsupported, err := parseTarget(raw)
		if err != nil {
			return nil, err
		}
		if seen[t.wire.Id] {
			return nil, validationErr("Target ids must be unique within a request: %s.", t.wire.Id)
		}
		seen[t.wire.Id] = true
		if unsupported != "" {
			failed = append(failed, failedEntry{TargetId: t.wire.Id, ErrorCode: "NotImplemented", ErrorMessage: unsupported + " is not implemented by the local cloud"})
			continue
		}
		valid = append(valid, t)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookupRule(in.Rule, in.EventBusName)
	if err != nil {
		return nil, err
	}
	targets := slices.Clone(r.targets)
	for _, t := range valid {
		if i := slices.IndexFunc(targets, func(old *target) bool { return old.wire.Id == t.wire.Id }); i >= 0 {
			targets[i] = t
		} else {
			targets = append(targets, t)
		}
	}
	if len(targets) > maxTargetsPerRule {
		return nil, awsproto.Errorf("LimitExceededException", "The requested resource exceeds the maximum number allowed.")
	}
	r.targets = targets
	return putTargetsOutput{FailedEntryCount: len(failed), FailedEntries: append([]failedEntry{}, failed...)}, nil
}

// parseTarget validates one Target. It returns a description of what the
// local cloud cannot deliver to, if anything, or an error for a target AWS
// would reject as malformed.
func parseTarget(raw json.RawMessage) (*target, string, error) {
	var w wireTarget
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, "", awsproto.Errorf("SerializationException", "malformed target: %v", err)
	}
	if err := validName("targets.member.id", w.Id, 64, ""); err != nil {
		return nil, "", err
	}
	if w.Arn == "" || len(w.Arn) > 1600 {
		return nil, "", validationErr("Target %s: Arn must be 1 to 1600 characters long.", w.Id)
	}
	t := &target{wire: w}
	inputs := 0
	if w.Input != nil {
		inputs++
		if len(*w.Input) > maxInputLength || !json.Valid([]byte(*w.Input)) {
			return nil, "", validationErr("Target %s: Input is not a valid JSON text of at most %d characters.", w.Id, maxInputLength)
		}
	}
	if w.InputPath != nil {
		inputs++
		p, err := transform.ParsePath(*w.InputPath)
		if err != nil || len(*w.InputPath) > 256 {
			return nil, "", validationErr("Target %s: InputPath is not valid: %s", w.Id, *w.InputPath)
		}
		t.inputPath = &p
	}
	if w.InputTransformer != nil {
		inputs++
		if len(w.InputTransformer.InputTemplate) > maxInputLength {
			return nil, "", validationErr("Target %s: InputTemplate is longer than %d characters.", w.Id, maxInputLength)
		}
		tr, err := transform.NewTransformer(w.InputTransformer.InputPathsMap, w.InputTransformer.InputTemplate)
		if err != nil {
			return nil, "", validationErr("Target %s: InputTransformer is not valid: %s", w.Id, reason(err, transform.ErrInvalid))
		}
		t.transformer = tr
	}
	if inputs > 1 {
		return nil, "", validationErr("Target %s: Only one of Input, InputPath, or InputTransformer can be specified.", w.Id)
	}
	if w.RetryPolicy != nil {
		if n := w.RetryPolicy.MaximumRetryAttempts; n != nil {
			if *n < 0 || *n > 185 {
				return nil, "", validationErr("Target %s: MaximumRetryAttempts must be between 0 and 185.", w.Id)
			}
			t.maxAttempts = int(*n) + 1
		}
		if age := w.RetryPolicy.MaximumEventAgeInSeconds; age != nil {
			if *age < 60 || *age > 86400 {
				return nil, "", validationErr("Target %s: MaximumEventAgeInSeconds must be between 60 and 86400.", w.Id)
			}
			t.maxAge = time.Duration(*age) * time.Second
		}
	}
	if w.DeadLetterConfig != nil && w.DeadLetterConfig.Arn != nil {
		if err := validateQueueARN("DeadLetterConfig.Arn", *w.DeadLetterConfig.Arn); err != nil {
			return nil, "", err
		}
		t.dlqARN = *w.DeadLetterConfig.Arn
	}

	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, "", awsproto.Errorf("SerializationException", "malformed target: %v", err)
	}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if !supportedTargetField(name) && string(fields[name]) != "null" {
			return t, fmt.Sprintf("target parameter %s", name), nil
		}
	}
	service, _, _, resource, err := awsproto.ParseARN(w.Arn)
	switch {
	case err != nil:
		return nil, "", validationErr("Target %s: %s is not a valid ARN.", w.Id, w.Arn)
	case service == "sqs":
		if strings.HasSuffix(resource, ".fifo") {
			return t, "delivery to FIFO queues (it needs SqsParameters.MessageGroupId)", nil
		}
		t.kind = targetQueue
	case service == "lambda" && strings.HasPrefix(resource, "function:"):
		t.kind = targetFunction
	default:
		return t, fmt.Sprintf("delivery to %s targets (only SQS queues and Lambda functions are)", service), nil
	}
	return t, "", nil
}

func validateQueueARN(field, arn string) error {
	service, _, _, _, err := awsproto.ParseARN(arn)
	if err != nil || service != "sqs" {
		return validationErr("%s must be the ARN of an SQS queue: %s.", field, arn)
	}
	return nil
}

type removeTargetsInput struct {
	Rule         string
	EventBusName *string
	Ids          []string
	Force        bool
}

// removeTargets ignores ids the rule does not have, as AWS does.
func (s *Service) removeTargets(_ context.Context, body []byte) (any, error) {
	var in removeTargetsInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	if len(in.Ids) == 0 || len(in.Ids) > maxRemoveIDs {
		return nil, validationErr("1 validation error detected: Value at 'ids' failed to satisfy constraint: Member must have length between 1 and %d", maxRemoveIDs)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookupRule(in.Rule, in.EventBusName)
	if err != nil {
		return nil, err
	}
	r.targets = slices.DeleteFunc(slices.Clone(r.targets), func(t *target) bool { return slices.Contains(in.Ids, t.wire.Id) })
	return putTargetsOutput{FailedEntries: []failedEntry{}}, nil
}

type listTargetsByRuleInput struct {
	Rule         string
	EventBusName *string
	Limit        *int32
	NextToken    *string
}

type listTargetsByRuleOutput struct {
	Targets   []wireTarget `json:"Targets"`
	NextToken *string      `json:"NextToken,omitempty"`
}

func (s *Service) listTargetsByRule(_ context.Context, body []byte) (any, error) {
	var in listTargetsByRuleInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	r, err := s.lookupRule(in.Rule, in.EventBusName)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	all := make([]wireTarget, 0, len(r.targets))
	for _, t := range r.targets {
		all = append(all, t.wire)
	}
	s.mu.Unlock()
	items, next, err := page(all, in.Limit, in.NextToken)
	if err != nil {
		return nil, err
	}
	return listTargetsByRuleOutput{Targets: items, NextToken: next}, nil
}
