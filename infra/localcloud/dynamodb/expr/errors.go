// Package expr parses and evaluates DynamoDB expressions: condition and
// filter expressions, update expressions, projection expressions and key
// condition expressions, with the grammar and semantics of
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.html
//
// Every error is an *attr.ValidationError carrying DynamoDB's message text
// where it is known.
package expr

import (
	"strconv"
	"strings"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// exprKind names the request parameter an expression came from; DynamoDB
// prefixes parse errors with it ("Invalid UpdateExpression: ...").
type exprKind uint8

const (
	kindCondition exprKind = iota
	kindFilter
	kindKeyCondition
	kindUpdate
	kindProjection
)

func (k exprKind) String() string {
	switch k {
	case kindFilter:
		return "FilterExpression"
	case kindKeyCondition:
		return "KeyConditionExpression"
	case kindUpdate:
		return "UpdateExpression"
	case kindProjection:
		return "ProjectionExpression"
	}
	return "ConditionExpression"
}

// maxExpressionSize is DynamoDB's limit on any expression string, from
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-expression-parameters
const maxExpressionSize = 4096

// maxPathDepth is how deeply a document path may nest.
const maxPathDepth = attr.MaxDepth

// maxInOperands is the most operands IN takes, counting its left-hand side
// (DynamoDB accepts 99 values after IN).
const maxInOperands = 100

func invalid(msg string) error { return &attr.ValidationError{Message: msg} }

// DynamoDB's messages for failures while applying an update to an item.
const (
	msgBadOperandType = "An operand in the update expression has an incorrect data type"
	msgMissingAttr    = "The provided expression refers to an attribute that does not exist in the item"
	msgBadPath        = "The document path provided in the update expression is invalid for update"
)

// longTypeName is how DynamoDB spells types in ADD and DELETE errors.
func longTypeName(k attr.Kind) string {
	switch k {
	case attr.KindS:
		return "STRING"
	case attr.KindN:
		return "NUMBER"
	case attr.KindB:
		return "BINARY"
	case attr.KindBOOL:
		return "BOOLEAN"
	case attr.KindNULL:
		return "NULL"
	case attr.KindM:
		return "MAP"
	case attr.KindL:
		return "LIST"
	case attr.KindSS:
		return "STRING_SET"
	case attr.KindNS:
		return "NUMBER_SET"
	case attr.KindBS:
		return "BINARY_SET"
	}
	return k.String()
}

// describeValue renders a value the way DynamoDB quotes constants in
// messages ("AttributeValue: {N:5}").
func describeValue(v attr.Value) string {
	var b strings.Builder
	b.WriteString("AttributeValue: {")
	b.WriteString(v.Kind().String())
	b.WriteByte(':')
	switch v.Kind() {
	case attr.KindS:
		b.WriteString(v.Str())
	case attr.KindN:
		b.WriteString(v.NumStr())
	case attr.KindBOOL:
		b.WriteString(strconv.FormatBool(v.BoolVal()))
	case attr.KindNULL:
		b.WriteString("true")
	default:
		js, _ := v.MarshalJSON()
		b.Write(js)
	}
	b.WriteByte('}')
	return b.String()
}
