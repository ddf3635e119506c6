package dynamostore

import (
	"sort"
	"sync"
	"testing"
	"time"
)

func TestRateCounter_Incr(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := NewRateCounter(e.db, e.rateLimit, Options{})
	first := time.Unix(1_772_000_060, 0)

	for i, exp := range []time.Time{first, first.Add(time.Hour), first.Add(-time.Hour)} {
		n, err := c.Incr(ctxT(t), "RL#m_1#1772000000#0", exp)
		if err != nil {
			t.Fatalf("Incr %d: %v", i, err)
		}
		if n != int64(i+1) {
			t.Errorf("Incr %d: got %d, want %d", i, n, i+1)
		}
	}
	it := e.rawItem(t, e.rateLimit, item{"pk": avS("RL#m_1#1772000000#0")})
	if got := (&reader{item: it}).int("expiresAt"); got != first.Unix() {
		t.Errorf("expiresAt %d, want the first caller's %d", got, first.Unix())
	}
	if n, err := c.Incr(ctxT(t), "RL#m_2#1772000000#0", first); err != nil || n != 1 {
		t.Errorf("another key: got %d, %v; want 1", n, err)
	}
}

// Concurrent increments each see their own count: no two callers get the same number.
func TestRateCounter_Incr_Concurrent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := NewRateCounter(e.db, e.rateLimit, Options{})
	var mu sync.Mutex
	var got []int
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := c.Incr(ctxT(t), "k", time.Unix(2e9, 0))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			got = append(got, int(n))
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Ints(got)
	for i, n := range got {
		if n != i+1 {
			t.Fatalf("counts %v, want 1..50 once each", got)
		}
	}
}
