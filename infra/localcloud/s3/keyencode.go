package s3

import "strings"

// urlEncodeKey encodes a key the way S3 does in event notifications and in
// listings with encoding-type=url: application/x-www-form-urlencoded (a
// space becomes "+", "+" becomes "%2B"), except that "/" is left as is.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
// ("red flower.jpg" becomes "red+flower.jpg"). Decode with url.QueryUnescape.
func urlEncodeKey(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9',
			ch == '-', ch == '_', ch == '.', ch == '*', ch == '/':
			b.WriteByte(ch)
		case ch == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[ch>>4])
			b.WriteByte(hexDigits[ch&15])
		}
	}
	return b.String()
}
