package dynamodb

import (
	"sort"
	"strings"
)

// Tags are kept so that templates declaring them provision cleanly and
// ListTagsOfResource reports them; they have no other effect.

const maxTags = 50

type tagResourceInput struct {
	ResourceArn string
	Tags        []tagJSON
}

type untagResourceInput struct {
	ResourceArn string
	TagKeys     []string
}

type listTagsInput struct {
	ResourceArn string
	NextToken   string
}

// tableByARN resolves a table ARN (tags are addressed by ARN).
func (s *Service) tableByARN(arn string) (*table, error) {
	i := strings.Index(arn, ":table/")
	if !strings.HasPrefix(arn, "arn:") || i < 0 {
		return nil, validationf("Invalid TableArn: %s", arn)
	}
	name := arn[i+len(":table/"):]
	if strings.Contains(name, "/") {
		return nil, validationf("Invalid TableArn: %s", arn)
	}
	t, err := s.table(name)
	if err != nil {
		return nil, notFoundf("Requested resource not found: ResourceArn: %s not found", arn)
	}
	return t, nil
}

// decodeTagRequest decodes a tagging request into in and resolves the table
// named by its ResourceArn, which resourceARN points to.
func (s *Service) decodeTagRequest(body []byte, in any, resourceARN *string) (*table, error) {
	if err := decodeStrict(body, in); err != nil {
		return nil, err
	}
	return s.tableByARN(*resourceARN)
}

func (s *Service) tagResource(dst, body []byte) ([]byte, error) {
	var in tagResourceInput
	t, err := s.decodeTagRequest(body, &in, &in.ResourceArn)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tags == nil {
		t.tags = make(map[string]string)
	}
	n := len(t.tags)
	for _, tg := range in.Tags {
		if _, ok := t.tags[tg.Key]; !ok {
			n++
		}
	}
	if n > maxTags {
		return nil, apiError("LimitExceededException", "The number of tags exceeds the limit of %d", maxTags)
	}
	for _, tg := range in.Tags {
		t.tags[tg.Key] = tg.Value
	}
	return append(dst, '{', '}'), nil
}

func (s *Service) untagResource(dst, body []byte) ([]byte, error) {
	var in untagResourceInput
	t, err := s.decodeTagRequest(body, &in, &in.ResourceArn)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	for _, k := range in.TagKeys {
		delete(t.tags, k)
	}
	t.mu.Unlock()
	return append(dst, '{', '}'), nil
}

func (s *Service) listTagsOfResource(dst, body []byte) ([]byte, error) {
	var in listTagsInput
	t, err := s.decodeTagRequest(body, &in, &in.ResourceArn)
	if err != nil {
		return nil, err
	}
	t.mu.RLock()
	tags := make([]tagJSON, 0, len(t.tags))
	for k, v := range t.tags {
		tags = append(tags, tagJSON{Key: k, Value: v})
	}
	t.mu.RUnlock()
	sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
	return appendJSONObject(dst, struct{ Tags []tagJSON }{tags})
}

// describeEndpoints answers the SDKs' endpoint discovery with this endpoint.
func (s *Service) describeEndpoints(dst, _ []byte) ([]byte, error) {
	return append(dst, `{"Endpoints":[{"Address":"localhost","CachePeriodInMinutes":1440}]}`...), nil
}

// describeLimits reports the default account quotas.
func (s *Service) describeLimits(dst, _ []byte) ([]byte, error) {
	return append(dst, `{"AccountMaxReadCapacityUnits":80000,"AccountMaxWriteCapacityUnits":80000,"TableMaxReadCapacityUnits":40000,"TableMaxWriteCapacityUnits":40000}`...), nil
}
