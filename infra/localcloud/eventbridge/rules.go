package eventbridge

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
	"github.com/paylane/paylane/infra/localcloud/eventbridge/pattern"
	"github.com/paylane/paylane/infra/localcloud/eventbridge/schedule"
)

type putRuleInput struct {
	Name               string
	EventBusName       *string
	EventPattern       *string
	ScheduleExpression *string
	State              *string
	Description        *string
	RoleArn            *string
	Tags               []wireTag
}

type putRuleOutput struct {
	RuleArn string `json:"RuleArn"`
}

// putRule creates or replaces a rule. As the API reference says, omitted
// arguments of an update are not kept; the rule's targets are.
func (s *Service) putRule(_ context.Context, body []byte) (any, error) {
	var in putRuleInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	if err := validName("name", in.Name, 64, ""); err != nil {
		return nil, err
	}
	if in.EventPattern == nil && in.ScheduleExpression == nil {
		return nil, validationErr("Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	state := stateEnabled
	if in.State != nil {
		switch *in.State {
		case stateEnabled, stateDisabled, stateEnabledCloudTrail:
			state = *in.State
		default:
			return nil, validationErr("1 validation error detected: Value '%s' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]", *in.State)
		}
	}
	if in.Description != nil && len(*in.Description) > 512 {
		return nil, validationErr("Description must be at most 512 characters.")
	}
	var pat *pattern.Pattern
	if in.EventPattern != nil {
		p, err := pattern.Parse(*in.EventPattern)
		if err != nil {
			return nil, invalidPatternErr(err)
		}
		pat = p
	}
	tags, err := tagMap(in.Tags)
	if err != nil {
		return nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.lookupBus(in.EventBusName)
	if err != nil {
		return nil, err
	}
	if in.ScheduleExpression != nil && b.name != defaultBus {
		return nil, validationErr("ScheduleExpression is supported only on the default event bus.")
	}
	r, exists := b.rules[in.Name]
	if !exists {
		r = &rule{name: in.Name, bus: b.name, arn: ruleARN(s.region, b.name, in.Name)}
	}
	if in.ScheduleExpression == nil {
		r.sched, r.nextFire = nil, time.Time{}
	} else if r.scheduleExpr == nil || *r.scheduleExpr != *in.ScheduleExpression {
		// A new or changed schedule counts its rate from now.
		created := s.scheduleTime(s.clock.Now())
		sched, err := schedule.Parse(*in.ScheduleExpression, created)
		if err != nil {
			return nil, validationErr("Parameter ScheduleExpression is not valid: %s", reason(err, schedule.ErrInvalid))
		}
		r.sched, r.nextFire = sched, sched.NextFire(created)
	}
	r.scheduleExpr = in.ScheduleExpression
	r.eventPattern, r.pattern = in.EventPattern, pat
	r.state, r.description, r.roleARN = state, in.Description, in.RoleArn
	b.rules[in.Name] = r
	if len(tags) > 0 {
		merged := maps.Clone(s.tags[r.arn])
		if merged == nil {
			merged = make(map[string]string)
		}
		maps.Copy(merged, tags)
		s.tags[r.arn] = merged
	}
	s.poke()
	return putRuleOutput{RuleArn: r.arn}, nil
}

func invalidPatternErr(err error) *awsproto.Error {
	return awsproto.Errorf("InvalidEventPatternException", "Event pattern is not valid. Reason: %s", reason(err, pattern.ErrInvalid))
}

type ruleRef struct {
	Name         string
	EventBusName *string
}

type describeRuleOutput struct {
	wireRule
	CreatedBy string `json:"CreatedBy"`
}

func (s *Service) describeRule(_ context.Context, body []byte) (any, error) {
	var in ruleRef
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookupRule(in.Name, in.EventBusName)
	if err != nil {
		return nil, err
	}
	return describeRuleOutput{wireRule: r.wire(), CreatedBy: awsproto.AccountID}, nil
}

type listRulesInput struct {
	NamePrefix   *string
	EventBusName *string
	Limit        *int32
	NextToken    *string
}

type listRulesOutput struct {
	Rules     []wireRule `json:"Rules"`
	NextToken *string    `json:"NextToken,omitempty"`
}

func (s *Service) listRules(_ context.Context, body []byte) (any, error) {
	var in listRulesInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	rules, next, err := pageRules(s, in.EventBusName, in.Limit, in.NextToken, func(name string, r *rule) (wireRule, bool) {
		if in.NamePrefix == nil || strings.HasPrefix(name, *in.NamePrefix) {
			return r.wire(), true
		}
		return wireRule{}, false
	})
	if err != nil {
		return nil, err
	}
	return listRulesOutput{Rules: rules, NextToken: next}, nil
}

// pageRules lists, in name order, what pick returns for the rules of the
// bus busParam names that it keeps, one page at a time. pick runs under
// s.mu.
func pageRules[T any](s *Service, busParam *string, limit *int32, token *string, pick func(name string, r *rule) (T, bool)) ([]T, *string, error) {
	s.mu.Lock()
	b, err := s.lookupBus(busParam)
	if err != nil {
		s.mu.Unlock()
		return nil, nil, err
	}
	var all []T
	for _, name := range slices.Sorted(maps.Keys(b.rules)) {
		if v, ok := pick(name, b.rules[name]); ok {
			all = append(all, v)
		}
	}
	s.mu.Unlock()
	items, next, err := page(all, limit, token)
	if err != nil {
		return nil, nil, err
	}
	// A copy, never nil, so that an empty page encodes as [] rather than null.
	return append([]T{}, items...), next, nil
}

type listRuleNamesByTargetInput struct {
	TargetArn    string
	EventBusName *string
	Limit        *int32
	NextToken    *string
}

type listRuleNamesByTargetOutput struct {
	RuleNames []string `json:"RuleNames"`
	NextToken *string  `json:"NextToken,omitempty"`
}

func (s *Service) listRuleNamesByTarget(_ context.Context, body []byte) (any, error) {
	var in listRuleNamesByTargetInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	if in.TargetArn == "" {
		return nil, validationErr("Parameter TargetArn is required.")
	}
	names, next, err := pageRules(s, in.EventBusName, in.Limit, in.NextToken, func(name string, r *rule) (string, bool) {
		return name, slices.ContainsFunc(r.targets, func(t *target) bool { return t.wire.Arn == in.TargetArn })
	})
	if err != nil {
		return nil, err
	}
	return listRuleNamesByTargetOutput{RuleNames: names, NextToken: next}, nil
}

type deleteRuleInput struct {
	Name         string
	EventBusName *string
	Force        bool
}

// deleteRule refuses a rule that still has targets, as AWS does, and is
// idempotent for a rule that does not exist.
func (s *Service) deleteRule(_ context.Context, body []byte) (any, error) {
	var in deleteRuleInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	if err := validName("name", in.Name, 64, ""); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.lookupBus(in.EventBusName)
	if err != nil {
		return nil, err
	}
	r, ok := b.rules[in.Name]
	if !ok {
		return struct{}{}, nil
	}
	if len(r.targets) > 0 {
		return nil, validationErr("Rule can't be deleted since it has targets.")
	}
	delete(b.rules, in.Name)
	delete(s.tags, r.arn)
	s.poke()
	return struct{}{}, nil
}

func (s *Service) enableRule(_ context.Context, body []byte) (any, error) {
	return s.setRuleState(body, stateEnabled)
}

func (s *Service) disableRule(_ context.Context, body []byte) (any, error) {
	return s.setRuleState(body, stateDisabled)
}

func (s *Service) setRuleState(body []byte, state string) (any, error) {
	var in ruleRef
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookupRule(in.Name, in.EventBusName)
	if err != nil {
		return nil, err
	}
	if state == stateEnabled && !r.enabled() && r.sched != nil {
		// Fire times missed while disabled are skipped, not caught up.
		r.nextFire = r.sched.NextFire(s.scheduleTime(s.clock.Now()))
	}
	r.state = state
	s.poke()
	return struct{}{}, nil
}
