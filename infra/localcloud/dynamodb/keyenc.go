package dynamodb

import (
	"fmt"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// Items and index entries are kept in sorted indexes keyed by byte strings
// whose bytewise order is DynamoDB's order of the key values: strings and
// binaries by their unsigned bytes, numbers by value. Every encoding is also
// prefix-free, so encodings can be concatenated (partition key, sort key,
// then the table key for index entries) and still sort component by
// component.

// appendKeyValue appends the order-preserving, prefix-free encoding of a
// key value (S, N or B).
func appendKeyValue(dst []byte, v attr.Value) ([]byte, error) {
	switch v.Kind() {
	case attr.KindS:
		return appendEscaped(dst, v.Str(), true), nil
	case attr.KindB:
		return appendEscaped(dst, string(v.Bytes()), true), nil
	case attr.KindN:
		return appendNumber(dst, v.NumStr())
	}
	return dst, fmt.Errorf("key value of type %s cannot be encoded", v.Kind())
}

// appendEscaped writes s with 0x00 escaped as 0x00 0xFF and, when
// terminate, the terminator 0x00 0x01 (which sorts below any continuation).
func appendEscaped(dst []byte, s string, terminate bool) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			dst = append(dst, 0, 0xFF)
			continue
		}
		dst = append(dst, s[i])
	}
	if terminate {
		dst = append(dst, 0, 1)
	}
	return dst
}

// Number encodings start with a sign byte; zero sits between the signs.
const (
	numNeg  = 0x01
	numZero = 0x02
	numPos  = 0x03
)

// appendNumber encodes a decimal number given as text (the canonical form
// attr keeps, but any decimal notation is accepted) as sign, exponent and
// significant digits: value = 0.d1d2...dn × 10^exp with d1 != 0.
func appendNumber(dst []byte, s string) ([]byte, error) {
	neg, digits, exp, err := decomposeNumber(s)
	if err != nil {
		return dst, err
	}
	if len(digits) == 0 {
		return append(dst, numZero), nil
	}
	e := uint16(exp + 0x8000)
	if !neg {
		dst = append(dst, numPos, byte(e>>8), byte(e))
		dst = append(dst, digits...)
		return append(dst, 0), nil
	}
	e = ^e
	dst = append(dst, numNeg, byte(e>>8), byte(e))
	for i := 0; i < len(digits); i++ {
		dst = append(dst, 0xFF-digits[i])
	}
	return append(dst, 0xFF), nil
}

// decomposeNumber splits decimal text into sign, significant digits without
// leading or trailing zeros (empty for zero) and the exponent such that the
// value is 0.digits × 10^exp.
func decomposeNumber(s string) (neg bool, digits string, exp int, err error) {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	var buf [64]byte
	d := buf[:0]
	pointPos := -1 // number of digits before the decimal point
	seen := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if pointPos >= 0 {
				return false, "", 0, fmt.Errorf("invalid number %q", s)
			}
			pointPos = seen
			continue
		}
		if c < '0' || c > '9' {
			break
		}
		d = append(d, c)
		seen++
	}
	if seen == 0 {
		return false, "", 0, fmt.Errorf("invalid number %q", s)
	}
	if pointPos < 0 {
		pointPos = seen
	}
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return false, "", 0, fmt.Errorf("invalid number %q", s)
		}
		i++
		eneg := false
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			eneg = s[i] == '-'
			i++
		}
		if i == len(s) {
			return false, "", 0, fmt.Errorf("invalid number %q", s)
		}
		e := 0
		for ; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' || e > 100000 {
				return false, "", 0, fmt.Errorf("invalid number %q", s)
			}
			e = e*10 + int(s[i]-'0')
		}
		if eneg {
			e = -e
		}
		exp = e
	}
	lead := 0
	for lead < len(d) && d[lead] == '0' {
		lead++
	}
	d = d[lead:]
	for len(d) > 0 && d[len(d)-1] == '0' {
		d = d[:len(d)-1]
	}
	if len(d) == 0 {
		return false, "", 0, nil
	}
	exp += pointPos - lead
	if exp < -30000 || exp > 30000 {
		return false, "", 0, fmt.Errorf("number %q out of range", s)
	}
	return neg, string(d), exp, nil
}

// fnv64 hashes a partition key encoding; the hash orders Scan results and
// splits the key space into Scan segments, much as DynamoDB's partitioning
// does.
func fnv64(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// prefixEnd returns the smallest string greater than every string starting
// with p, or "" when there is none (p is all 0xFF).
func prefixEnd(p string) string {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xFF {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}
