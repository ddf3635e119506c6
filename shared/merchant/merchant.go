// Package merchant holds who may use the API: a merchant's id, its HMAC secret, whether it
// is active, its rate limit and its fee rate.
package merchant

import (
	"context"
	"time"
)

// Status of a merchant.
type Status string

const (
	Active   Status = "ACTIVE"
	Disabled Status = "DISABLED"
)

// Defaults for a new merchant (API.md: 1,000 requests per second; ARCHITECTURE.md: 2.5%).
const (
	DefaultRateLimit  = 1000
	DefaultFeeRateBps = 250
)

// Merchant is one merchant.
type Merchant struct {
	ID                 string
	Secret             string
	Status             Status
	RateLimitPerSecond int
	FeeRateBps         int // fee rate in basis points: 250 = 2.5%
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Store keeps merchants.
type Store interface {
	// Get returns a merchant. Returns a fault.NotFound error if there is none.
	Get(ctx context.Context, id string) (*Merchant, error)
	// Create writes a new merchant. Returns a fault.InvalidState error if the id exists.
	Create(ctx context.Context, m Merchant) error
	// Update applies change to the stored merchant and writes it back on condition that it
	// was not changed meanwhile (retrying a few times). Returns fault.NotFound if absent.
	Update(ctx context.Context, id string, change func(*Merchant) error) (*Merchant, error)
	// List returns every merchant, ordered by id.
	List(ctx context.Context) ([]Merchant, error)
}
