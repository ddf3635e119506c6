package attr

import (
	"encoding/base64"
	"unicode/utf8"
)

// MarshalJSON encodes v as DynamoDB JSON ({"S":"x"}, {"N":"1.5"}, ...).
func (v Value) MarshalJSON() ([]byte, error) {
	return AppendValueJSON(make([]byte, 0, 32), v), nil
}

// AppendItemJSON appends the DynamoDB JSON object of it to dst. Attribute
// order is unspecified, as in DynamoDB responses.
func AppendItemJSON(dst []byte, it Item) []byte {
	return appendMapJSON(dst, it)
}

func appendMapJSON(dst []byte, m map[string]Value) []byte {
	dst = append(dst, '{')
	first := true
	for k, v := range m {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = AppendJSONString(dst, k)
		dst = append(dst, ':')
		dst = AppendValueJSON(dst, v)
	}
	return append(dst, '}')
}

// AppendValueJSON appends the DynamoDB JSON of one value to dst. The zero
// Value encodes as {"NULL":true} so that output is always valid.
func AppendValueJSON(dst []byte, v Value) []byte {
	switch v.kind {
	case KindS:
		dst = append(dst, `{"S":`...)
		dst = AppendJSONString(dst, v.s)
	case KindN:
		dst = append(dst, `{"N":"`...)
		dst = append(dst, v.s...)
		dst = append(dst, '"')
	case KindB:
		dst = append(dst, `{"B":`...)
		dst = appendBase64(dst, v.s)
	case KindBOOL:
		if v.b {
			return append(dst, `{"BOOL":true}`...)
		}
		return append(dst, `{"BOOL":false}`...)
	case KindM:
		dst = append(dst, `{"M":`...)
		dst = appendMapJSON(dst, v.mapElems())
	case KindL:
		dst = append(dst, `{"L":[`...)
		for i, e := range v.listElems() {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendValueJSON(dst, e)
		}
		dst = append(dst, ']')
	case KindSS, KindNS, KindBS:
		dst = append(dst, `{"`...)
		dst = append(dst, v.kind.String()...)
		dst = append(dst, `":[`...)
		for i, m := range v.setMembers() {
			if i > 0 {
				dst = append(dst, ',')
			}
			switch v.kind {
			case KindBS:
				dst = appendBase64(dst, m)
			case KindNS:
				dst = append(dst, '"')
				dst = append(dst, m...)
				dst = append(dst, '"')
			default:
				dst = AppendJSONString(dst, m)
			}
		}
		dst = append(dst, ']')
	default:
		return append(dst, `{"NULL":true}`...)
	}
	return append(dst, '}')
}

func appendBase64(dst []byte, s string) []byte {
	dst = append(dst, '"')
	n := base64.StdEncoding.EncodedLen(len(s))
	start := len(dst)
	dst = append(dst, make([]byte, n)...)
	base64.StdEncoding.Encode(dst[start:], []byte(s))
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string. Like encoding/json it
// escapes control characters, U+2028 and U+2029, and replaces invalid UTF-8
// with U+FFFD; unlike it, it leaves <, > and & alone (this is not HTML).
func AppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
