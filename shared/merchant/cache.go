package merchant

import (
	"context"
	"sync"
	"time"
)

// Cache keeps merchants read from a Store for a short time, so a busy function instance
// does not read the merchant on every request. A rotated secret or a disabled merchant
// takes effect within TTL.
type Cache struct {
	Store Store
	TTL   time.Duration
	Now   func() time.Time

	mu      sync.Mutex
	entries map[string]cached
}

type cached struct {
	m       Merchant
	fetched time.Time
}

// Get returns the merchant, from the cache while it is fresh. Errors are not cached.
func (c *Cache) Get(ctx context.Context, id string) (*Merchant, error) {
	now := c.Now()
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if ok && now.Sub(e.fetched) < c.TTL {
		m := e.m
		return &m, nil
	}
	m, err := c.Store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]cached{}
	}
	c.entries[id] = cached{m: *m, fetched: now}
	c.mu.Unlock()
	return m, nil
}
