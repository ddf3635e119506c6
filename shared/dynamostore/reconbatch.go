package dynamostore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoDB's batch limits.
const (
	reconMaxBatchGet   = 100
	reconMaxBatchWrite = 25
)

// reconBatchAttempts bounds the rounds of a batch call: DynamoDB hands back what it did not
// process when a partition is throttled, and asks for a backoff before the next round.
const reconBatchAttempts = 8

// reconBatchParallel bounds the batch calls of one store call in flight.
const reconBatchParallel = 4

// batchGet reads items by key, any number of them, and returns those that exist.
func (s *Recon) batchGet(ctx context.Context, keys []item) ([]item, error) {
	groups := reconGroups(len(keys), reconMaxBatchGet)
	found := make([][]item, len(groups))
	err := reconParallel(ctx, len(groups), func(ctx context.Context, g int) error {
		pending := keys[groups[g][0]:groups[g][1]]
		for attempt := 1; len(pending) > 0; attempt++ {
			if attempt > 1 {
				if err := ledgerSleep(ctx, reconBackoff(attempt)); err != nil {
					return err
				}
			}
			if attempt > reconBatchAttempts {
				return fmt.Errorf("BatchGetItem: %d keys still unprocessed after %d rounds", len(pending), reconBatchAttempts)
			}
			in := &dynamodb.BatchGetItemInput{
				RequestItems:           map[string]types.KeysAndAttributes{s.table: {Keys: pending, ConsistentRead: aws.Bool(true)}},
				ReturnConsumedCapacity: s.capacityMode(),
			}
			out, err := s.batch.BatchGetItem(ctx, in)
			if err != nil {
				s.report("BatchGetItem", false)
				return fmt.Errorf("BatchGetItem: %w", err)
			}
			s.report("BatchGetItem", false, reconCaps(out.ConsumedCapacity)...)
			found[g] = append(found[g], out.Responses[s.table]...)
			pending = out.UnprocessedKeys[s.table].Keys
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var all []item
	for _, f := range found {
		all = append(all, f...)
	}
	return all, nil
}

// batchWrite puts and deletes items, any number of them; no key may appear twice.
func (s *Recon) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	groups := reconGroups(len(reqs), reconMaxBatchWrite)
	return reconParallel(ctx, len(groups), func(ctx context.Context, g int) error {
		pending := reqs[groups[g][0]:groups[g][1]]
		for attempt := 1; len(pending) > 0; attempt++ {
			if attempt > 1 {
				if err := ledgerSleep(ctx, reconBackoff(attempt)); err != nil {
					return err
				}
			}
			if attempt > reconBatchAttempts {
				return fmt.Errorf("BatchWriteItem: %d requests still unprocessed after %d rounds", len(pending), reconBatchAttempts)
			}
			in := &dynamodb.BatchWriteItemInput{
				RequestItems:           map[string][]types.WriteRequest{s.table: pending},
				ReturnConsumedCapacity: s.capacityMode(),
			}
			out, err := s.batch.BatchWriteItem(ctx, in)
			if err != nil {
				s.report("BatchWriteItem", true)
				return fmt.Errorf("BatchWriteItem: %w", err)
			}
			s.report("BatchWriteItem", true, reconCaps(out.ConsumedCapacity)...)
			pending = out.UnprocessedItems[s.table]
		}
		return nil
	})
}

func reconPut(it item) types.WriteRequest {
	return types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
}

func reconDelete(key item) types.WriteRequest {
	return types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key}}
}

func reconCaps(cs []types.ConsumedCapacity) []*types.ConsumedCapacity {
	out := make([]*types.ConsumedCapacity, len(cs))
	for i := range cs {
		out[i] = &cs[i]
	}
	return out
}

// reconBackoff is full jitter over an exponential ceiling, as DynamoDB asks of batch
// retries.
func reconBackoff(attempt int) time.Duration {
	ceiling := 20 * time.Millisecond << min(attempt-2, 3)
	return time.Duration(rand.Int64N(int64(ceiling))) + time.Millisecond
}

// reconGroups cuts [0, n) into ranges of at most size.
func reconGroups(n, size int) [][2]int {
	var gs [][2]int
	for i := 0; i < n; i += size {
		gs = append(gs, [2]int{i, min(i+size, n)})
	}
	return gs
}

// reconParallel calls fn(i) for i in [0, n), at most reconBatchParallel at a time, and
// returns the first error.
func reconParallel(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	if n == 1 {
		return fn(ctx, 0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, reconBatchParallel)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := fn(ctx, i); err != nil {
				mu.Lock()
				if first == nil {
					first = err
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}
