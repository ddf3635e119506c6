package idempotency

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/paylane/paylane/shared/fault"
)

// Guard runs the protocol of ARCHITECTURE.md §4 around one request.
type Guard struct {
	Store Store
	Now   func() time.Time
	// DefaultLease bounds the lease when the context has no deadline (a Lambda context
	// always has one: the invocation's remaining time).
	DefaultLease time.Duration
}

// Ticket is a claimed key: the request runs, then completes or releases it.
type Ticket struct {
	record Record
	store  Store
}

// Replay is the stored response of a completed request.
type Replay struct {
	Status int
	Body   []byte
}

// Begin claims key for one request. It returns a Ticket when the request should run, or a
// Replay when the same request already completed. Errors: fault.KeyMissing for a missing
// or malformed key, fault.KeyReused when the key was used for another request,
// fault.InProgress while the first request still holds its lease.
func (g *Guard) Begin(ctx context.Context, merchantID, key, method, path string, body []byte) (*Ticket, *Replay, error) {
	if !ValidKey(key) {
		return nil, nil, fault.New(fault.KeyMissing, "Idempotency-Key must be 1 to 255 printable ASCII characters")
	}
	now := g.Now()
	lease := now.Add(g.DefaultLease)
	if d, ok := ctx.Deadline(); ok {
		lease = d
	}
	owner, err := newOwner()
	if err != nil {
		return nil, nil, err
	}
	r := Record{
		MerchantID: merchantID, Key: key, RequestHash: RequestHash(method, path, body),
		Status: InProgress, Owner: owner, LeaseUntil: lease, ExpiresAt: now.Add(TTL),
	}
	existing, err := g.Store.Claim(ctx, r, now)
	if err != nil {
		return nil, nil, fmt.Errorf("claiming idempotency key: %w", err)
	}
	if existing == nil {
		return &Ticket{record: r, store: g.Store}, nil, nil
	}
	switch {
	case existing.RequestHash != r.RequestHash:
		return nil, nil, fault.New(fault.KeyReused, "this Idempotency-Key was used for another request")
	case existing.Status == Completed:
		return nil, &Replay{Status: existing.ResponseStatus, Body: existing.ResponseBody}, nil
	default:
		return nil, nil, fault.New(fault.InProgress, "a request with this Idempotency-Key is still being processed")
	}
}

// Complete is the completion to write with the request's effect.
func (t *Ticket) Complete(status int, body []byte) *Completion {
	return &Completion{
		MerchantID: t.record.MerchantID, Key: t.record.Key, Owner: t.record.Owner,
		ResponseStatus: status, ResponseBody: body, ExpiresAt: t.record.ExpiresAt,
	}
}

// Release gives the key back when the request ended without an effect (a validation error
// found late, the PG unavailable): the client may retry with the same key.
func (t *Ticket) Release(ctx context.Context) error {
	return t.store.Release(ctx, t.record.MerchantID, t.record.Key, t.record.Owner)
}

// Owner identifies the invocation holding the key (for logs).
func (t *Ticket) Owner() string { return t.record.Owner }

func newOwner() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("lease owner id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
