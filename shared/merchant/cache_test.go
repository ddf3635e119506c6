package merchant

import (
	"context"
	"errors"
	"testing"
	"time"
)

type storeFunc struct {
	Store
	get func(ctx context.Context, id string) (*Merchant, error)
}

func (s storeFunc) Get(ctx context.Context, id string) (*Merchant, error) { return s.get(ctx, id) }

func TestCache(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	reads := 0
	secret := "s1"
	fail := false
	c := &Cache{
		Store: storeFunc{get: func(ctx context.Context, id string) (*Merchant, error) {
			reads++
			if fail {
				return nil, errors.New("store down")
			}
			return &Merchant{ID: id, Secret: secret}, nil
		}},
		TTL: 10 * time.Second,
		Now: func() time.Time { return now },
	}
	ctx := context.Background()
	for range 3 {
		m, err := c.Get(ctx, "m_demo")
		if err != nil || m.Secret != "s1" {
			t.Fatalf("Get = %v, %v", m, err)
		}
	}
	if reads != 1 {
		t.Errorf("%d store reads for 3 gets within the TTL, want 1", reads)
	}
	secret = "s2"
	now = now.Add(11 * time.Second)
	if m, _ := c.Get(ctx, "m_demo"); m.Secret != "s2" {
		t.Errorf("after the TTL the rotated secret is not seen: %q", m.Secret)
	}
	fail = true
	now = now.Add(11 * time.Second)
	if _, err := c.Get(ctx, "m_demo"); err == nil {
		t.Error("a store error was hidden by a stale entry")
	}
}
