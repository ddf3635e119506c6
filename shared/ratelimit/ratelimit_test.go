package ratelimit

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// memCounter counts in memory, as the DynamoDB counter does.
type memCounter struct {
	mu     sync.Mutex
	counts map[string]int64
	err    error
}

func (m *memCounter) Incr(ctx context.Context, key string, expiresAt time.Time) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return 0, m.err
	}
	m.counts[key]++
	return m.counts[key], nil
}

func TestLimiter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 12, 0, 0, 250_000_000, time.UTC)
	c := &memCounter{counts: map[string]int64{}}
	l := &Limiter{Counter: c, Now: func() time.Time { return now }}
	allowed := 0
	var last Decision
	for range 8 {
		last = l.Allow(context.Background(), "m_demo", 5)
		if last.Allowed {
			allowed++
		}
	}
	if allowed != 5 {
		t.Errorf("allowed %d of 8 in one second at 5/s", allowed)
	}
	if last.Allowed || last.RetryAfter != 750*time.Millisecond {
		t.Errorf("refusal %+v: want Retry-After until the next second (750ms)", last)
	}
	now = now.Add(time.Second)
	if !l.Allow(context.Background(), "m_demo", 5).Allowed {
		t.Error("a new second does not start afresh")
	}
	if !l.Allow(context.Background(), "m_other", 5).Allowed {
		t.Error("merchants share a limit")
	}
}

func TestLimiterShardsAHotMerchant(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	c := &memCounter{counts: map[string]int64{}}
	l := &Limiter{Counter: c, Now: func() time.Time { return now }}
	allowed := 0
	for range 3000 {
		if l.Allow(context.Background(), "m_hot", 2000).Allowed {
			allowed++
		}
	}
	// 2000/s over 4 shards of 500: no counter takes more than MaxPerShard writes a second
	// beyond its share, and the merchant gets its limit (randomness may leave a shard short).
	if allowed < 1800 || allowed > 2000 {
		t.Errorf("allowed %d of 3000 at 2000/s", allowed)
	}
	shards := 0
	for k := range c.counts {
		if strings.HasPrefix(k, "RL#m_hot#") {
			shards++
		}
	}
	if shards != 4 {
		t.Errorf("%d counters for 2000/s, want 4", shards)
	}
}

func TestLimiterFailsOpen(t *testing.T) {
	t.Parallel()
	c := &memCounter{counts: map[string]int64{}, err: errors.New("throttled")}
	var failures int
	l := &Limiter{Counter: c, Now: time.Now, FailedOpen: func(error) { failures++ }}
	if d := l.Allow(context.Background(), "m_demo", 1); !d.Allowed || failures != 1 {
		t.Errorf("store down: %+v, %d fail-open counts", d, failures)
	}
}
