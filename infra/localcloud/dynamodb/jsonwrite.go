package dynamodb

import (
	"strconv"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// Responses of the item operations are appended by hand for the same reason
// requests are scanned by hand: they are the hot path.

// appendKey appends "name": to an object being built.
func appendKey(dst []byte, name string) []byte {
	dst = attr.AppendJSONString(dst, name)
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
