package eventsource

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

type streamRunner struct {
	streams     StreamsAPI
	queues      SQSAPI
	inv         Invoker
	m           StreamMapping
	region      string
	functionARN string
	log         *slog.Logger
}

// shardState is what the coordinator knows of one shard.
type shardState struct {
	parent   string
	position types.ShardIteratorType // where reading starts
	started  bool
	done     bool // fully processed (or skipped), so its children may start
}

// RunStream reads every shard of the stream, parents before children, and
// invokes the function with each shard's records in order, until ctx is done;
// it then returns nil. It returns an error wrapping ErrInvalidMapping for a bad
// mapping, or the DescribeStream error when the stream cannot be read at start.
// queues may be nil when the mapping has no OnFailureQueueURL.
func RunStream(ctx context.Context, streams StreamsAPI, queues SQSAPI, inv Invoker, m StreamMapping, log *slog.Logger) error {
	region, err := m.normalize(queues)
	if err != nil {
		return err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &streamRunner{
		streams: streams, queues: queues, inv: inv, m: m, region: region,
		functionARN: functionARN(m.Function, region),
		log:         log.With("stream", m.StreamARN, "function", m.Function),
	}
	shards, err := r.describe(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("eventsource: describing stream %s: %w", m.StreamARN, err)
	}

	known := map[string]*shardState{}
	// At start, StartingPosition applies: LATEST skips what closed shards hold
	// and starts open shards at their tip. Shards that appear later are new, so
	// they are read from their beginning.
	for _, s := range shards {
		st := &shardState{parent: aws.ToString(s.ParentShardId), position: types.ShardIteratorType(m.StartingPosition)}
		if m.StartingPosition == "LATEST" && isClosed(s) {
			st.done = true
		}
		known[aws.ToString(s.ShardId)] = st
	}

	finished := make(chan string)
	var wg sync.WaitGroup
	defer wg.Wait()
	discovery := time.NewTicker(m.PollInterval * discoveryPolls)
	defer discovery.Stop()
	for {
		for _, s := range shards {
			id := aws.ToString(s.ShardId)
			st := known[id]
			if st == nil {
				st = &shardState{parent: aws.ToString(s.ParentShardId), position: types.ShardIteratorTypeTrimHorizon}
				known[id] = st
			}
			if st.started || st.done || !parentDone(known, st) {
				continue
			}
			st.started = true
			position := st.position
			wg.Add(1)
			go func() {
				defer wg.Done()
				sr := &shardReader{streamRunner: r, shardID: id, position: position, log: r.log.With("shard", id)}
				if sr.run(ctx) {
					select {
					case finished <- id:
					case <-ctx.Done():
					}
				}
			}()
		}
		select {
		case id := <-finished:
			known[id].done = true
		case <-discovery.C:
		case <-ctx.Done():
			return nil
		}
		// A finished shard usually means its children exist now.
		if fresh, err := r.describe(ctx); err == nil {
			shards = fresh
		} else if ctx.Err() == nil {
			r.log.Warn("DescribeStream failed; keeping the known shards", "err", err)
		}
	}
}

func isClosed(s types.Shard) bool {
	return s.SequenceNumberRange != nil && s.SequenceNumberRange.EndingSequenceNumber != nil
}

// parentDone reports whether a shard may be read: its parent is finished, or
// gone from the stream (trimmed), or it has none.
func parentDone(known map[string]*shardState, st *shardState) bool {
	if st.parent == "" {
		return true
	}
	p, ok := known[st.parent]
	return !ok || p.done
}

// describe lists every shard of the stream, following LastEvaluatedShardId.
func (r *streamRunner) describe(ctx context.Context) ([]types.Shard, error) {
	var shards []types.Shard
	var start *string
	for {
		out, err := r.streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{
			StreamArn: aws.String(r.m.StreamARN), ExclusiveStartShardId: start,
		})
		if err != nil {
			return nil, err
		}
		if out.StreamDescription == nil {
			return shards, nil
		}
		shards = append(shards, out.StreamDescription.Shards...)
		start = out.StreamDescription.LastEvaluatedShardId
		if start == nil || *start == "" {
			return shards, nil
		}
	}
}
