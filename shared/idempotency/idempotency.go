// Package idempotency makes a merchant's retries safe (API.md "Idempotency", ARCHITECTURE.md
// §4): one Idempotency-Key of one merchant has at most one effect, and its first response is
// replayed. A request claims the key with a lease bounded by the invocation's remaining
// time; the effect, its events and the stored response are written in one transaction that
// also completes the record, conditioned on still owning it.
package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Status of a record.
type Status string

const (
	InProgress Status = "IN_PROGRESS"
	Completed  Status = "COMPLETED"
)

// TTL is how long keys are kept (API.md).
const TTL = 24 * time.Hour

// Record is the state of one merchant's key.
type Record struct {
	MerchantID     string
	Key            string
	RequestHash    string
	Status         Status
	ResponseStatus int
	ResponseBody   []byte
	Owner          string    // the invocation holding the lease
	LeaseUntil     time.Time // IN_PROGRESS only: after it, another request may take over
	ExpiresAt      time.Time
}

// Completion is what the final transaction writes into the record: COMPLETED with the
// response, on condition that Owner still holds it.
type Completion struct {
	MerchantID     string
	Key            string
	Owner          string
	ResponseStatus int
	ResponseBody   []byte
	ExpiresAt      time.Time
}

// Store keeps records.
type Store interface {
	// Claim writes r (IN_PROGRESS, owned by r.Owner) unless a record for the key exists that
	// is COMPLETED, or IN_PROGRESS with a lease alive at now, or has another request hash;
	// an IN_PROGRESS record of the same request whose lease ran out is taken over, and an
	// expired record counts as absent. When it cannot claim, it returns the existing record
	// and a nil error.
	Claim(ctx context.Context, r Record, now time.Time) (existing *Record, err error)

	// Release deletes the IN_PROGRESS record still owned by owner: the request ended
	// without an effect, so the client may retry with the same key.
	Release(ctx context.Context, merchantID, key, owner string) error

	// Complete marks the record COMPLETED with a response, for requests whose effect was
	// written without a transaction of the payment store. Returns a fault.InProgress error
	// if owner no longer holds it.
	Complete(ctx context.Context, c Completion) error
}

// RequestHash identifies a request: same method, path and body, same hash.
func RequestHash(method, path string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(method))
	h.Write([]byte{0})
	h.Write([]byte(path))
	h.Write([]byte{0})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// ValidKey reports whether k is 1 to 255 printable ASCII characters (API.md).
func ValidKey(k string) bool {
	if len(k) == 0 || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}
