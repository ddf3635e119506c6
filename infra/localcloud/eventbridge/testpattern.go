package eventbridge

import (
	"context"

	"github.com/paylane/paylane/infra/localcloud/eventbridge/pattern"
)

type testEventPatternInput struct {
	EventPattern string
	Event        string
}

type testEventPatternOutput struct {
	Result bool `json:"Result"`
}

// requiredEventFields are the members TestEventPattern requires of Event,
// per the API reference.
func requiredEventFields() []string {
	return []string{"id", "account", "source", "time", "region", "resources", "detail-type"}
}

func (s *Service) testEventPattern(_ context.Context, body []byte) (any, error) {
	var in testEventPatternInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	p, err := pattern.Parse(in.EventPattern)
	if err != nil {
		return nil, invalidPatternErr(err)
	}
	ev, err := pattern.Decode([]byte(in.Event))
	obj, isObject := ev.(map[string]any)
	if err != nil || !isObject {
		return nil, validationErr("Parameter Event is not valid.")
	}
	for _, f := range requiredEventFields() {
		if _, ok := obj[f]; !ok {
			return nil, validationErr("Parameter Event is not valid: the field %s is required.", f)
		}
	}
	return testEventPatternOutput{Result: p.MatchDecoded(ev)}, nil
}
