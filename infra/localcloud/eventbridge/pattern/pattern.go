// Package pattern parses EventBridge event patterns and matches events
// against them, following "Content filtering in Amazon EventBridge event
// patterns" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html)
// and the behaviour of AWS's reference matcher, Event Ruler.
package pattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ErrInvalid is wrapped by every error Parse returns; the service maps it to
// InvalidEventPatternException.
var ErrInvalid = errors.New("event pattern is not valid")

// Pattern is a parsed event pattern. It is immutable and safe for concurrent use.
type Pattern struct {
	root *objectPattern
}

// Parse parses and validates an event pattern.
func Parse(src string) (*Pattern, error) {
	v, err := decodeJSON([]byte(src))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, invalidf("Filter is not an object")
	}
	root, err := parseObject(obj, false)
	if err != nil {
		return nil, err
	}
	return &Pattern{root: root}, nil
}

// Decode decodes an event so that it can be matched against many patterns
// without decoding it again. Numbers are kept as json.Number so that their
// text survives for exact matching.
func Decode(event []byte) (any, error) {
	return decodeJSON(event)
}

// Match reports whether the JSON event matches the pattern.
func (p *Pattern) Match(event []byte) (bool, error) {
	v, err := Decode(event)
	if err != nil {
		return false, fmt.Errorf("decoding event: %w", err)
	}
	return p.MatchDecoded(v), nil
}

// MatchDecoded reports whether an event returned by Decode matches the pattern.
func (p *Pattern) MatchDecoded(event any) bool {
	return p.root.match(event, event != nil)
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("malformed JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("malformed JSON: unexpected data after the top-level value")
	}
	return v, nil
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
