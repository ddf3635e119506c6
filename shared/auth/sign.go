// Package auth verifies merchant requests signed with HMAC-SHA256 as API.md
// "Authentication" defines it: the merchant signs a canonical string made of
// the timestamp, the method, the path with its query and the SHA-256 of the
// body, with its secret; the server recomputes the signature and compares in
// constant time.
package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// SignatureVersion prefixes every signature: a new scheme gets a new prefix
// without ambiguity.
const SignatureVersion = "v1="

// Canonical returns the string a request's signature covers: the X-Timestamp
// value, the method, the path with its raw query and the lowercase hex
// SHA-256 of the raw body, joined by "\n". The method is taken as given:
// methods are case-sensitive (RFC 9110), so "post" is not "POST".
func Canonical(timestamp, method, pathWithQuery string, body []byte) string {
	sum := sha256.Sum256(body)
	return timestamp + "\n" + method + "\n" + pathWithQuery + "\n" + hex.EncodeToString(sum[:])
}

// Sign returns the X-Signature value for a request: "v1=" followed by the
// lowercase hex HMAC-SHA256 of the canonical string under secret.
func Sign(secret, timestamp, method, pathWithQuery string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(Canonical(timestamp, method, pathWithQuery, body)))
	return SignatureVersion + hex.EncodeToString(mac.Sum(nil))
}
