package eventsource

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// shardReader reads one shard in order and hands its records to deliver.
type shardReader struct {
	*streamRunner
	shardID  string
	position types.ShardIteratorType // TRIM_HORIZON or LATEST, for the first iterator
	log      *slog.Logger

	iter    *string
	lastSeq string // sequence number of the last record read, to renew an iterator
}

// run processes the shard until it is closed and fully delivered (true), or
// gone from the stream (true), or ctx is done (false).
func (s *shardReader) run(ctx context.Context) bool {
	if gone := s.renew(ctx); gone || ctx.Err() != nil {
		return gone && ctx.Err() == nil
	}
	var buf []types.Record
	var windowStart time.Time
	closed := false
	for ctx.Err() == nil {
		if n := s.ready(buf, windowStart, closed); n > 0 {
			if !s.deliver(ctx, buf[:n]) {
				return false
			}
			buf = buf[n:]
			windowStart = time.Now()
			continue
		}
		if closed {
			return true
		}
		out, err := s.streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{
			ShardIterator: s.iter,
			Limit:         aws.Int32(int32(min(getRecordsLimit, max(s.m.BatchSize-len(buf), 1)))),
		})
		if err != nil {
			if ctx.Err() != nil {
				return false
			}
			if gone := s.recover(ctx, err); gone {
				// What was read before the shard went away is still delivered.
				closed = true
			}
			continue
		}
		if len(buf) == 0 && len(out.Records) > 0 {
			windowStart = time.Now()
		}
		buf = append(buf, out.Records...)
		if n := len(out.Records); n > 0 && out.Records[n-1].Dynamodb != nil {
			s.lastSeq = aws.ToString(out.Records[n-1].Dynamodb.SequenceNumber)
		}
		s.iter = out.NextShardIterator
		if s.iter == nil || *s.iter == "" {
			closed = true // a closed shard read to its end has no next iterator
			continue
		}
		if len(out.Records) == 0 {
			d := s.m.PollInterval
			if len(buf) > 0 {
				d = min(d, time.Until(windowStart.Add(s.m.MaximumBatchingWindow)))
			}
			sleep(ctx, d)
		}
	}
	return false
}

// ready returns how many buffered records make the next batch, or 0 to keep
// reading: a full batch, or what has gathered once the window has passed or the
// shard has ended.
func (s *shardReader) ready(buf []types.Record, windowStart time.Time, closed bool) int {
	switch {
	case len(buf) >= s.m.BatchSize:
		return s.m.BatchSize
	case len(buf) == 0:
		return 0
	case closed || time.Since(windowStart) >= s.m.MaximumBatchingWindow:
		return len(buf)
	}
	return 0
}

// renew gets a shard iterator: at the starting position for a fresh reader,
// after the last record read otherwise. It reports whether the shard is gone.
func (s *shardReader) renew(ctx context.Context) (gone bool) {
	for ctx.Err() == nil {
		in := &dynamodbstreams.GetShardIteratorInput{
			StreamArn: aws.String(s.m.StreamARN), ShardId: aws.String(s.shardID), ShardIteratorType: s.position,
		}
		if s.lastSeq != "" {
			in.ShardIteratorType = types.ShardIteratorTypeAfterSequenceNumber
			in.SequenceNumber = aws.String(s.lastSeq)
		}
		out, err := s.streams.GetShardIterator(ctx, in)
		if err == nil {
			s.iter = out.ShardIterator
			return false
		}
		var notFound *types.ResourceNotFoundException
		var trimmed *types.TrimmedDataAccessException
		switch {
		case ctx.Err() != nil:
			return false
		case errors.As(err, &notFound):
			s.log.Warn("shard is gone from the stream", "err", err)
			return true
		case errors.As(err, &trimmed) && s.lastSeq != "":
			// The records after the last one read have expired: go on from the oldest kept.
			s.log.Warn("records expired before they were read; continuing from the oldest kept", "after", s.lastSeq)
			s.lastSeq, s.position = "", types.ShardIteratorTypeTrimHorizon
			continue
		}
		s.log.Warn("GetShardIterator failed", "err", err)
		sleep(ctx, s.m.PollInterval)
	}
	return false
}

// recover handles a failed GetRecords. It reports whether the shard is gone.
func (s *shardReader) recover(ctx context.Context, err error) (gone bool) {
	var expired *types.ExpiredIteratorException
	var trimmed *types.TrimmedDataAccessException
	var notFound *types.ResourceNotFoundException
	switch {
	case errors.As(err, &expired):
		return s.renew(ctx)
	case errors.As(err, &trimmed):
		s.log.Warn("records expired before they were read; continuing from the oldest kept", "err", err)
		s.lastSeq, s.position = "", types.ShardIteratorTypeTrimHorizon
		return s.renew(ctx)
	case errors.As(err, &notFound):
		s.log.Warn("shard is gone from the stream", "err", err)
		return true
	}
	s.log.Warn("GetRecords failed", "err", err)
	sleep(ctx, s.m.PollInterval)
	return false
}
