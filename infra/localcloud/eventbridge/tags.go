package eventbridge

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

const maxTags = 50

// tagMap validates tags as TagResource documents them.
func tagMap(tags []wireTag) (map[string]string, error) {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 {
			return nil, validationErr("Tag keys must be 1 to 128 characters long.")
		}
		if len(t.Value) > 256 {
			return nil, validationErr("Tag values must be at most 256 characters long.")
		}
		m[t.Key] = t.Value
	}
	return m, nil
}

// requireResource checks that arn names an existing bus or rule. Callers hold s.mu.
func (s *Service) requireResource(arn string) error {
	service, region, account, resource, err := awsproto.ParseARN(arn)
	if err != nil || service != "events" {
		return validationErr("Parameter ResourceARN is not valid: %s.", arn)
	}
	if region == s.region && account == awsproto.AccountID {
		if name, ok := strings.CutPrefix(resource, "event-bus/"); ok {
			if _, exists := s.buses[name]; exists {
				return nil
			}
		}
		if path, ok := strings.CutPrefix(resource, "rule/"); ok {
			busName, ruleName := defaultBus, path
			if i := strings.LastIndexByte(path, '/'); i >= 0 {
				busName, ruleName = path[:i], path[i+1:]
			}
			if b, exists := s.buses[busName]; exists {
				if _, exists := b.rules[ruleName]; exists {
					return nil
				}
			}
		}
	}
	return notFoundErr("Resource %s does not exist.", arn)
}

// withResource runs fn under s.mu if arn names an existing bus or rule, the
// resources the tagging operations address.
func (s *Service) withResource(arn string, fn func() (any, error)) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.requireResource(arn); err != nil {
		return nil, err
	}
	return fn()
}

type tagResourceInput struct {
	ResourceARN string
	Tags        []wireTag
}

func (s *Service) tagResource(_ context.Context, body []byte) (any, error) {
	var in tagResourceInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	tags, err := tagMap(in.Tags)
	if err != nil {
		return nil, err
	}
	return s.withResource(in.ResourceARN, func() (any, error) {
		merged := maps.Clone(s.tags[in.ResourceARN])
		if merged == nil {
			merged = make(map[string]string)
		}
		maps.Copy(merged, tags)
		if len(merged) > maxTags {
			return nil, awsproto.Errorf("LimitExceededException", "A resource can have at most %d tags.", maxTags)
		}
		s.tags[in.ResourceARN] = merged
		return struct{}{}, nil
	})
}

type untagResourceInput struct {
	ResourceARN string
	TagKeys     []string
}

func (s *Service) untagResource(_ context.Context, body []byte) (any, error) {
	var in untagResourceInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	return s.withResource(in.ResourceARN, func() (any, error) {
		for _, k := range in.TagKeys {
			delete(s.tags[in.ResourceARN], k)
		}
		return struct{}{}, nil
	})
}

type listTagsForResourceInput struct {
	ResourceARN string
}

type listTagsForResourceOutput struct {
	Tags []wireTag `json:"Tags"`
}

func (s *Service) listTagsForResource(_ context.Context, body []byte) (any, error) {
	var in listTagsForResourceInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	return s.withResource(in.ResourceARN, func() (any, error) {
		tags := s.tags[in.ResourceARN]
		out := listTagsForResourceOutput{Tags: make([]wireTag, 0, len(tags))}
		for _, k := range slices.Sorted(maps.Keys(tags)) {
			out.Tags = append(out.Tags, wireTag{Key: k, Value: tags[k]})
		}
		return out, nil
	})
}
