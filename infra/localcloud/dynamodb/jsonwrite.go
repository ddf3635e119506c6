package dynamodb

import (
	"strconv"
	"unicode/utf8"
)

// Responses of the item operations are appended by hand for the same reason
// requests are scanned by hand: they are the hot path.

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string literal.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
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
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
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
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendKey appends "name": to an object being built.
func appendKey(dst []byte, name string) []byte {
	dst = appendString(dst, name)
	return append(dst, ':')
}

// appendFloat appends a capacity figure the way DynamoDB prints them (1.0, 0.5).
func appendFloat(dst []byte, f float64) []byte {
	if f == float64(int64(f)) {
		dst = strconv.AppendInt(dst, int64(f), 10)
		return append(dst, '.', '0')
	}
	return strconv.AppendFloat(dst, f, 'f', -1, 64)
}

// appendComma appends a comma unless dst ends an opening brace/bracket.
func appendComma(dst []byte) []byte {
	if n := len(dst); n > 0 && dst[n-1] != '{' && dst[n-1] != '[' {
		return append(dst, ',')
	}
	return dst
}
