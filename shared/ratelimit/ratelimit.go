// Package ratelimit limits each merchant's requests per second across every function
// instance (API.md "Rate limits"), with counters in a shared store. A hot merchant would
// put all its counts on one item, and one DynamoDB partition takes about 1,000 writes a
// second; so a merchant's second is spread over several counters (shards), each allowed its
// share of the limit. When the store fails the request is allowed (fail-open) and counted.
package ratelimit

import (
	"context"
	"math/rand/v2"
	"strconv"
	"time"
)

// Counter adds one to a counter and returns the new count. The counter may be dropped
// after expiresAt.
type Counter interface {
	Incr(ctx context.Context, key string, expiresAt time.Time) (int64, error)
}

// MaxPerShard is how many counts one counter takes per second: half of what one DynamoDB
// partition writes, so a merchant at its limit never throttles the store.
const MaxPerShard = 500

// Limiter decides whether a merchant's request may proceed.
type Limiter struct {
	Counter Counter
	Now     func() time.Time
	// FailedOpen is called when the store failed and the request was allowed anyway.
	FailedOpen func(err error)
}

// Decision is the limiter's answer.
type Decision struct {
	Allowed    bool
	RetryAfter time.Duration // when not allowed: until the next second
}

// Allow counts one request of merchantID against perSecond requests a second.
func (l *Limiter) Allow(ctx context.Context, merchantID string, perSecond int) Decision {
	if perSecond <= 0 {
		return Decision{Allowed: false, RetryAfter: time.Second}
	}
	now := l.Now()
	sec := now.Unix()
	shards := (perSecond + MaxPerShard - 1) / MaxPerShard
	shard := 0
	if shards > 1 {
		shard = rand.IntN(shards)
	}
	// Each shard allows its share; the rounding up lets a merchant slightly exceed its limit
	// rather than fall short of it.
	share := int64((perSecond + shards - 1) / shards)
	key := "RL#" + merchantID + "#" + strconv.FormatInt(sec, 10) + "#" + strconv.Itoa(shard)
	n, err := l.Counter.Incr(ctx, key, time.Unix(sec+60, 0))
	if err != nil {
		if l.FailedOpen != nil {
			l.FailedOpen(err)
		}
		return Decision{Allowed: true}
	}
	if n > share {
		next := time.Unix(sec+1, 0)
		return Decision{Allowed: false, RetryAfter: next.Sub(now)}
	}
	return Decision{Allowed: true}
}
