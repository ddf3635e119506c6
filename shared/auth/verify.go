package auth

import (
	"context"
	"crypto/hmac"
	"errors"
	"time"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/merchant"
)

// DefaultMaxSkew is how far X-Timestamp may be from the server's clock (API.md).
const DefaultMaxSkew = 300 * time.Second

// maxMerchantID bounds X-Merchant-Id before it reaches the store: ids are
// short, and a garbage key must answer 401, not a store validation error
// (a DynamoDB key is at most 2,048 bytes) that would become a 500.
const maxMerchantID = 64

// The message of every authentication failure: API.md wants the same 401
// body whatever the cause, so that a caller learns nothing about which part
// was wrong (does this merchant exist? is its clock off?).
const unauthenticatedMessage = "the request is not signed correctly"

// Causes of an authentication failure. They stay inside the *fault.Error
// (for logs and tests); the client sees only unauthenticatedMessage.
var (
	errMissingHeader    = errors.New("missing X-Merchant-Id, X-Timestamp or X-Signature")
	errMalformedRequest = errors.New("merchant id, method or path not well formed")
	errBadTimestamp     = errors.New("timestamp is not a Unix time in seconds")
	errSkew             = errors.New("timestamp too far from the server clock")
	errUnknownMerchant  = errors.New("unknown merchant")
	errDisabledMerchant = errors.New("merchant disabled or without a secret")
	errBadSignature     = errors.New("signature does not match")
)

// MerchantSource finds a merchant by id; merchant.Store is one.
type MerchantSource interface {
	// Get returns the merchant, or a fault.NotFound error if there is none.
	Get(ctx context.Context, id string) (*merchant.Merchant, error)
}

// Request is what Verify needs from an HTTP request: the three
// authentication headers and what the signature covers.
type Request struct {
	MerchantID    string // X-Merchant-Id
	Timestamp     string // X-Timestamp
	Signature     string // X-Signature
	Method        string
	PathWithQuery string // the path and, if any, "?" and the raw query string
	Body          []byte
}

// Verifier checks request signatures.
type Verifier struct {
	Merchants MerchantSource
	// Now is the server clock; time.Now when nil.
	Now func() time.Time
	// MaxSkew is how far X-Timestamp may be from Now, either way; 0 means
	// DefaultMaxSkew.
	MaxSkew time.Duration
}

// Verify returns the merchant that signed r. It returns a fault.Unauthenticated
// error, with the same message whatever the cause, when a header is missing,
// the timestamp is not an integer or is more than MaxSkew away from Now, the
// merchant is unknown or disabled, or the signature does not match. When the
// merchant store fails (other than fault.NotFound), it returns that error
// wrapped as fault.Internal: the API must answer 500, not blame the caller.
func (v *Verifier) Verify(ctx context.Context, r Request) (*merchant.Merchant, error) {
	if r.MerchantID == "" || r.Timestamp == "" || r.Signature == "" {
		return nil, unauthenticated(errMissingHeader)
	}
	if !wellFormed(r) {
		return nil, unauthenticated(errMalformedRequest)
	}
	ts, ok := parseUnixSeconds(r.Timestamp)
	if !ok {
		return nil, unauthenticated(errBadTimestamp)
	}
	// The clock is checked before the store is read: replays of old requests
	// cost no lookup.
	if !v.withinSkew(ts) {
		return nil, unauthenticated(errSkew)
	}
	if v.Merchants == nil {
		return nil, fault.New(fault.Internal, "auth: no merchant source configured")
	}
	m, err := v.Merchants.Get(ctx, r.MerchantID)
	switch {
	case fault.Is(err, fault.NotFound):
		return nil, unauthenticated(errUnknownMerchant)
	case err != nil:
		return nil, fault.Wrap(fault.Internal, err, "reading merchant")
	case m == nil:
		return nil, unauthenticated(errUnknownMerchant)
	case m.Status != merchant.Active || m.Secret == "":
		// An empty secret would make the HMAC computable by anyone.
		return nil, unauthenticated(errDisabledMerchant)
	}
	want := Sign(m.Secret, r.Timestamp, r.Method, r.PathWithQuery, r.Body)
	if !hmac.Equal([]byte(r.Signature), []byte(want)) {
		return nil, unauthenticated(errBadSignature)
	}
	return m, nil
}

func unauthenticated(cause error) *fault.Error {
	return fault.Wrap(fault.Unauthenticated, cause, unauthenticatedMessage)
}

func (v *Verifier) withinSkew(ts int64) bool {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	maxSkew := v.MaxSkew
	if maxSkew <= 0 {
		maxSkew = DefaultMaxSkew
	}
	limit := int64(maxSkew / time.Second)
	// Both are non-negative here, so the difference cannot overflow.
	diff := now().Unix() - ts
	return diff >= -limit && diff <= limit
}

// parseUnixSeconds accepts 1 to 18 ASCII digits: no sign, no spaces, nothing
// strconv would also accept ("+1", "0x1", "1_000"), and few enough digits
// that the value fits an int64.
func parseUnixSeconds(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := range len(s) {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// wellFormed rejects what no HTTP request line can carry. It also keeps the
// canonical string unambiguous: with no "\n" in the method or the path, no
// two requests share one.
func wellFormed(r Request) bool {
	if len(r.MerchantID) > maxMerchantID || !printable(r.MerchantID) {
		return false
	}
	if len(r.Method) == 0 || len(r.Method) > 16 {
		return false
	}
	for i := range len(r.Method) {
		if c := r.Method[i]; c < 'A' || c > 'Z' {
			return false
		}
	}
	if len(r.PathWithQuery) == 0 || r.PathWithQuery[0] != '/' {
		return false
	}
	for i := range len(r.PathWithQuery) {
		if c := r.PathWithQuery[i]; c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

// printable reports visible ASCII only (no spaces, no controls).
func printable(s string) bool {
	for i := range len(s) {
		if c := s[i]; c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}
