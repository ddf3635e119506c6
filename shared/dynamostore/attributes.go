package dynamostore

import (
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// item is one DynamoDB item.
type item = map[string]types.AttributeValue

func avS(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func avN(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}
func avB(v []byte) types.AttributeValue { return &types.AttributeValueMemberB{Value: v} }

// avTime stores a time as an RFC 3339 string in UTC, with nanoseconds when it has them.
func avTime(t time.Time) types.AttributeValue { return avS(t.UTC().Format(time.RFC3339Nano)) }

// reader decodes the attributes of one stored item. It keeps the first error, so a decoder
// reads every attribute and checks once; a stored item that does not decode is corrupt,
// and the caller reports it as an internal error.
type reader struct {
	item item
	err  error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
}

// str reads a required string attribute.
func (r *reader) str(name string) string {
	v, ok := r.item[name]
	if !ok {
		r.fail("attribute %s is missing", name)
		return ""
	}
	return r.asStr(name, v)
}

// optStr reads a string attribute that may be absent.
func (r *reader) optStr(name string) string {
	v, ok := r.item[name]
	if !ok {
		return ""
	}
	return r.asStr(name, v)
}

func (r *reader) asStr(name string, v types.AttributeValue) string {
	s, ok := v.(*types.AttributeValueMemberS)
	if !ok {
		r.fail("attribute %s is a %T, not a string", name, v)
		return ""
	}
	return s.Value
}

// int reads a required number attribute that holds an integer.
func (r *reader) int(name string) int64 {
	v, ok := r.item[name]
	if !ok {
		r.fail("attribute %s is missing", name)
		return 0
	}
	return r.asInt(name, v)
}

// optInt reads an integer attribute that may be absent (0 then).
func (r *reader) optInt(name string) int64 {
	v, ok := r.item[name]
	if !ok {
		return 0
	}
	return r.asInt(name, v)
}

func (r *reader) asInt(name string, v types.AttributeValue) int64 {
	n, ok := v.(*types.AttributeValueMemberN)
	if !ok {
		r.fail("attribute %s is a %T, not a number", name, v)
		return 0
	}
	i, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		r.fail("attribute %s: %w", name, err)
	}
	return i
}

// optBytes reads a binary attribute that may be absent.
func (r *reader) optBytes(name string) []byte {
	v, ok := r.item[name]
	if !ok {
		return nil
	}
	b, ok := v.(*types.AttributeValueMemberB)
	if !ok {
		r.fail("attribute %s is a %T, not binary", name, v)
		return nil
	}
	return b.Value
}

// time reads a required RFC 3339 time attribute.
func (r *reader) time(name string) time.Time {
	s := r.str(name)
	return r.parseTime(name, s)
}

// optTime reads a time attribute that may be absent (the zero time then).
func (r *reader) optTime(name string) time.Time {
	s := r.optStr(name)
	if s == "" {
		return time.Time{}
	}
	return r.parseTime(name, s)
}

func (r *reader) parseTime(name, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	// RFC3339Nano also accepts times without fractional seconds, as the local cloud seeds.
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		r.fail("attribute %s: %w", name, err)
	}
	return t
}
