package logging

import "strings"

type keyClass int

const (
	plainKey keyClass = iota
	secretKey
	paymentMethodKey
)

// secretWords are what a secret's key contains once lower-cased and stripped
// of '-', '_', '.' and spaces: "X-Signature", "client_secret", "apiKey",
// "accessToken", "AWS_CREDENTIALS". "authorization" must end the key, so
// the Authorization header is hidden but the PG's authorizationId is not.
func isSecretWord(norm string) bool {
	for _, w := range [...]string{"secret", "signature", "password", "token", "apikey", "credential"} {
		if strings.Contains(norm, w) {
			return true
		}
	}
	return strings.HasSuffix(norm, "authorization")
}

// classifyKey says whether an attribute or group key names a secret or a
// payment method. It is on every attribute's path, so it normalizes into a
// stack buffer and allocates nothing for keys up to 64 bytes.
func classifyKey(key string) keyClass {
	var buf [64]byte
	norm := buf[:0]
	for i := range len(key) {
		c := key[i]
		switch {
		case c == '-' || c == '_' || c == '.' || c == ' ':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		norm = append(norm, c)
	}
	switch {
	case string(norm) == "paymentmethod":
		return paymentMethodKey
	case isSecretWord(string(norm)):
		return secretKey
	}
	return plainKey
}
