package eventbridge

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
)

type createEventBusInput struct {
	Name             string
	EventSourceName  *string
	Description      *string
	KmsKeyIdentifier *string
	DeadLetterConfig *wireDeadLetterConfig
	LogConfig        json.RawMessage
	Tags             []wireTag
}

type createEventBusOutput struct {
	EventBusArn      string                `json:"EventBusArn"`
	Description      *string               `json:"Description,omitempty"`
	KmsKeyIdentifier *string               `json:"KmsKeyIdentifier,omitempty"`
	DeadLetterConfig *wireDeadLetterConfig `json:"DeadLetterConfig,omitempty"`
	LogConfig        json.RawMessage       `json:"LogConfig,omitempty"`
}

func (s *Service) createEventBus(_ context.Context, body []byte) (any, error) {
	var in createEventBusInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	if in.EventSourceName != nil {
		return nil, notImplementedErr("partner event buses (EventSourceName)")
	}
	if err := validName("name", in.Name, 256, ""); err != nil {
		return nil, err
	}
	if strings.HasPrefix(in.Name, "aws.") {
		return nil, validationErr("Event bus name must not start with 'aws.'.")
	}
	if in.Description != nil && len(*in.Description) > 512 {
		return nil, validationErr("Description must be at most 512 characters.")
	}
	if in.DeadLetterConfig != nil && in.DeadLetterConfig.Arn != nil {
		if err := validateQueueARN("DeadLetterConfig.Arn", *in.DeadLetterConfig.Arn); err != nil {
			return nil, err
		}
	}
	tags, err := tagMap(in.Tags)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.buses[in.Name]; ok {
		return nil, alreadyExistsErr("Event bus %s already exists.", in.Name)
	}
	b := newBus(s.region, in.Name, s.now())
	b.description, b.kmsKey, b.deadLetter, b.logConfig = in.Description, in.KmsKeyIdentifier, in.DeadLetterConfig, in.LogConfig
	s.buses[in.Name] = b
	if len(tags) > 0 {
		s.tags[b.arn] = tags
	}
	return createEventBusOutput{
		EventBusArn:      b.arn,
		Description:      b.description,
		KmsKeyIdentifier: b.kmsKey,
		DeadLetterConfig: b.deadLetter,
		LogConfig:        b.logConfig,
	}, nil
}

type describeEventBusInput struct {
	Name *string
}

func (s *Service) describeEventBus(_ context.Context, body []byte) (any, error) {
	var in describeEventBusInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.lookupBus(in.Name)
	if err != nil {
		return nil, err
	}
	return b.wire(), nil
}

type listEventBusesInput struct {
	NamePrefix *string
	Limit      *int32
	NextToken  *string
}

type listEventBusesOutput struct {
	EventBuses []wireEventBus `json:"EventBuses"`
	NextToken  *string        `json:"NextToken,omitempty"`
}

func (s *Service) listEventBuses(_ context.Context, body []byte) (any, error) {
	var in listEventBusesInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	all := make([]wireEventBus, 0, len(s.buses))
	for _, b := range s.buses {
		if in.NamePrefix == nil || strings.HasPrefix(b.name, *in.NamePrefix) {
			all = append(all, b.wire())
		}
	}
	s.mu.Unlock()
	slices.SortFunc(all, func(a, b wireEventBus) int { return strings.Compare(a.Name, b.Name) })
	items, next, err := page(all, in.Limit, in.NextToken)
	if err != nil {
		return nil, err
	}
	return listEventBusesOutput{EventBuses: items, NextToken: next}, nil
}

type deleteEventBusInput struct {
	Name string
}

// deleteEventBus is idempotent for a bus that does not exist, as in AWS, and
// refuses a bus that still has rules.
func (s *Service) deleteEventBus(_ context.Context, body []byte) (any, error) {
	var in deleteEventBusInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	name, err := s.busName(&in.Name)
	if err != nil {
		return nil, err
	}
	if name == defaultBus {
		return nil, validationErr("Cannot delete event bus default.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buses[name]
	if !ok {
		return struct{}{}, nil
	}
	if len(b.rules) > 0 {
		return nil, validationErr("EventBus can't be deleted since it has rules.")
	}
	delete(s.buses, name)
	delete(s.tags, b.arn)
	return struct{}{}, nil
}
