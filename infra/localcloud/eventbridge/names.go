package eventbridge

import (
	"strconv"
	"strings"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// validName checks the API's name constraints: length and the character
// class [\.\-_A-Za-z0-9] (plus '/' where extra says so).
func validName(field, value string, maxLen int, extra string) error {
	if value == "" || len(value) > maxLen {
		return validationErr("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length between 1 and %d", value, field, maxLen)
	}
	for _, c := range value {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._-"+extra, c) {
			continue
		}
		return validationErr("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [%s\\.\\-_A-Za-z0-9]+", value, field, extra)
	}
	return nil
}

// busName resolves an EventBusName parameter, a name or an ARN, to a name;
// an absent parameter means the default bus.
func (s *Service) busName(param *string) (string, error) {
	if param == nil || *param == "" {
		return defaultBus, nil
	}
	v := *param
	if strings.HasPrefix(v, "arn:") {
		service, region, account, resource, err := awsproto.ParseARN(v)
		name, isBus := strings.CutPrefix(resource, "event-bus/")
		if err != nil || service != "events" || !isBus {
			return "", validationErr("Parameter EventBusName is not valid: %s is not an event bus ARN.", v)
		}
		if region != s.region || account != awsproto.AccountID {
			return "", busNotFoundErr(v)
		}
		v = name
	}
	if err := validName("eventBusName", v, 256, "/"); err != nil {
		return "", err
	}
	return v, nil
}

// lookupBus returns the bus named by an EventBusName parameter. Callers hold s.mu.
func (s *Service) lookupBus(param *string) (*bus, error) {
	name, err := s.busName(param)
	if err != nil {
		return nil, err
	}
	b, ok := s.buses[name]
	if !ok {
		return nil, busNotFoundErr(name)
	}
	return b, nil
}

// lookupRule returns a rule by name on the bus named by busParam. Callers hold s.mu.
func (s *Service) lookupRule(name string, busParam *string) (*rule, error) {
	if err := validName("name", name, 64, ""); err != nil {
		return nil, err
	}
	b, err := s.lookupBus(busParam)
	if err != nil {
		return nil, err
	}
	r, ok := b.rules[name]
	if !ok {
		return nil, ruleNotFoundErr(name, b.name)
	}
	return r, nil
}

// page applies Limit and NextToken to a sorted list. The token is the
// offset of the next item, opaque to clients.
func page[T any](items []T, limit *int32, token *string) ([]T, *string, error) {
	n := 100
	if limit != nil {
		if *limit < 1 || *limit > 100 {
			return nil, nil, validationErr("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100", *limit)
		}
		n = int(*limit)
	}
	start := 0
	if token != nil && *token != "" {
		v, err := strconv.Atoi(*token)
		if err != nil || v < 0 || v > len(items) {
			return nil, nil, validationErr("The NextToken provided is invalid.")
		}
		start = v
	}
	end := min(start+n, len(items))
	var next *string
	if end < len(items) {
		t := strconv.Itoa(end)
		next = &t
	}
	return items[start:end], next, nil
}
