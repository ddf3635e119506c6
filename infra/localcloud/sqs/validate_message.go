package sqs

import (
	"strings"
	"unicode/utf8"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

const (
	maxMessageAttributes   = 10
	maxAttributeNameLength = 256
	maxDataTypeLength      = 256
	// Number attributes: up to 38 significant digits, magnitude between
	// 10^-128 and 10^+126 (SQS Developer Guide, message attribute data types).
	maxNumberDigits      = 38
	minNumberExponent    = -128
	maxNumberExponent    = 125
	maxNumberLiteralSize = 1024
)

// validMessageChars reports whether s holds only the characters SQS accepts
// in a body: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF.
// It returns the first offending rune when not.
func validMessageChars(s string) (rune, bool) {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return r, false
			}
		}
		switch {
		case r == 0x9 || r == 0xA || r == 0xD:
		case r >= 0x20 && r <= 0xD7FF:
		case r >= 0xE000 && r <= 0xFFFD:
		case r >= 0x10000 && r <= 0x10FFFF:
		default:
			return r, false
		}
	}
	return 0, true
}

// validateBody checks a message body against the SendMessage rules.
func validateBody(body *string) *awsproto.Error {
	if body == nil || *body == "" {
		return errMissingParameter("MessageBody")
	}
	if r, ok := validMessageChars(*body); !ok {
		return errInvalidMessageContents("Invalid binary character '#x%X' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF", r)
	}
	return nil
}

// validAttributeName applies the naming rules of message attributes.
func validAttributeName(name string) bool {
	if name == "" || len(name) > maxAttributeNameLength {
		return false
	}
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") {
		return false
	}
	if name[0] == '.' || name[len(name)-1] == '.' || strings.Contains(name, "..") {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(isAlnum(c) || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// convertMessageAttributes validates user message attributes from the wire.
func convertMessageAttributes(in map[string]wireAttributeValue) (map[string]attrValue, *awsproto.Error) {
	if len(in) == 0 {
		return nil, nil
	}
	if len(in) > maxMessageAttributes {
		return nil, errInvalidParameterValue("Number of message attributes [%d] exceeds the allowed maximum [%d].", len(in), maxMessageAttributes)
	}
	out := make(map[string]attrValue, len(in))
	for name, w := range in {
		if !validAttributeName(name) {
			return nil, errInvalidParameterValue("Message (user) attribute name '%s' is invalid: names contain only A-Z a-z 0-9 _ - . up to 256 characters, must not start with AWS. or Amazon., start or end with a period, or hold consecutive periods.", name)
		}
		v, err := convertAttributeValue("Message (user) attribute", name, w)
		if err != nil {
			return nil, err
		}
		out[name] = v
	}
	return out, nil
}

// convertSystemAttributes validates MessageSystemAttributes; AWSTraceHeader
// (a String) is the only one a sender may set.
func convertSystemAttributes(in map[string]wireAttributeValue) (map[string]attrValue, *awsproto.Error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make(map[string]attrValue, len(in))
	for name, w := range in {
		if name != "AWSTraceHeader" {
			return nil, errInvalidParameterValue("Message system attribute name '%s' is invalid.", name)
		}
		v, err := convertAttributeValue("Message system attribute", name, w)
		if err != nil {
			return nil, err
		}
		if v.DataType != "String" {
			return nil, errInvalidParameterValue("Message system attribute '%s' must be of type String.", name)
		}
		out[name] = v
	}
	return out, nil
}

func convertAttributeValue(kind, name string, w wireAttributeValue) (attrValue, *awsproto.Error) {
	if w.DataType == "" {
		return attrValue{}, errInvalidParameterValue("%s '%s' must contain a non-empty message attribute type.", kind, name)
	}
	if len(w.DataType) > maxDataTypeLength {
		return attrValue{}, errInvalidParameterValue("%s '%s' has a data type longer than %d characters.", kind, name, maxDataTypeLength)
	}
	if _, ok := validMessageChars(w.DataType); !ok {
		return attrValue{}, errInvalidParameterValue("%s '%s' has a data type with invalid characters.", kind, name)
	}
	if len(w.StringListValues) > 0 || len(w.BinaryListValues) > 0 {
		return attrValue{}, errNotImplemented("%s '%s' uses StringListValues/BinaryListValues, which SQS reserves for future use", kind, name)
	}
	base := baseDataType(w.DataType)
	switch base {
	case "String", "Number":
		if w.BinaryValue != nil {
			return attrValue{}, errInvalidParameterValue("%s '%s' with type '%s' must use field 'String'.", kind, name, base)
		}
		if w.StringValue == nil || *w.StringValue == "" {
			return attrValue{}, errInvalidParameterValue("%s '%s' must contain a non-empty message attribute value for message attribute type '%s'.", kind, name, base)
		}
		if _, ok := validMessageChars(*w.StringValue); !ok {
			return attrValue{}, errInvalidParameterValue("%s '%s' has a value with invalid characters.", kind, name)
		}
		if base == "Number" && !validNumber(*w.StringValue) {
			return attrValue{}, errInvalidParameterValue("Can't cast the value of message (user) attribute '%s' to a number.", name)
		}
		return attrValue{DataType: w.DataType, StringValue: *w.StringValue}, nil
	case "Binary":
		if w.StringValue != nil {
			return attrValue{}, errInvalidParameterValue("%s '%s' with type 'Binary' must use field 'Binary'.", kind, name)
		}
		if len(w.BinaryValue) == 0 {
			return attrValue{}, errInvalidParameterValue("%s '%s' must contain a non-empty message attribute value for message attribute type 'Binary'.", kind, name)
		}
		return attrValue{DataType: w.DataType, BinaryValue: w.BinaryValue}, nil
	default:
		return attrValue{}, errInvalidParameterValue("%s '%s' has an invalid message attribute type '%s', the set of supported type prefixes is Binary, Number, and String.", kind, name, w.DataType)
	}
}

// validNumber reports whether s is a Number attribute value: an optionally
// signed decimal with optional fraction and exponent, at most 38 significant
// digits, and (unless zero) a magnitude in [10^-128, 10^126).
func validNumber(s string) bool {
	if s == "" || len(s) > maxNumberLiteralSize {
		return false
	}
	i := 0
	if s[0] == '+' || s[0] == '-' {
		i++
	}
	intStart := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intPart := s[intStart:i]
	fracPart := ""
	if i < len(s) && s[i] == '.' {
		i++
		fracStart := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		fracPart = s[fracStart:i]
	}
	if intPart == "" && fracPart == "" {
		return false
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		neg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			neg = s[i] == '-'
			i++
		}
		expStart := i
		for i < len(s) && isDigit(s[i]) {
			if exp < 100000 {
				exp = exp*10 + int(s[i]-'0')
			}
			i++
		}
		if i == expStart {
			return false
		}
		if neg {
			exp = -exp
		}
	}
	if i != len(s) {
		return false
	}
	digits := intPart + fracPart
	first := strings.IndexFunc(digits, func(r rune) bool { return r != '0' })
	if first < 0 {
		return true // zero
	}
	last := strings.LastIndexFunc(digits, func(r rune) bool { return r != '0' })
	if last-first+1 > maxNumberDigits {
		return false
	}
	magnitude := len(intPart) - 1 - first + exp
	return magnitude >= minNumberExponent && magnitude <= maxNumberExponent
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
