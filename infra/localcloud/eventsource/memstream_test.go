package eventsource

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

const testStreamARN = "arn:aws:dynamodb:us-east-1:000000000000:table/payments/stream/2026-11-20T00:00:00.000"

var recordTime = time.Date(2026, time.November, 20, 22, 2, 14, 0, time.UTC)

// memStream is an in-memory DynamoDB stream behind a fakeStreams. Iterators
// are "<shard>|<position>"; a closed shard read to its end has no next
// iterator, as in DynamoDB Streams.
type memStream struct {
	mu        sync.Mutex
	shards    []*memShard
	nextSeq   int
	iterCalls []dynamodbstreams.GetShardIteratorInput
}

type memShard struct {
	id, parent string
	records    []types.Record
	closed     bool
}

func (s *memStream) addShard(id, parent string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shards = append(s.shards, &memShard{id: id, parent: parent})
}

func (s *memStream) shard(id string) *memShard {
	for _, sh := range s.shards {
		if sh.id == id {
			return sh
		}
	}
	return nil
}

// put appends records with the given keys to a shard; sequence numbers grow
// across the stream, as DynamoDB's do.
func (s *memStream) put(shardID string, keys ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh := s.shard(shardID)
	for _, k := range keys {
		s.nextSeq += 100
		seq := fmt.Sprintf("%021d", s.nextSeq)
		created := recordTime.Add(time.Duration(s.nextSeq) * time.Millisecond)
		sh.records = append(sh.records, types.Record{
			AwsRegion:    aws.String("us-east-1"),
			EventID:      aws.String("ev-" + k),
			EventName:    types.OperationTypeInsert,
			EventSource:  aws.String("aws:dynamodb"),
			EventVersion: aws.String("1.1"),
			Dynamodb: &types.StreamRecord{
				ApproximateCreationDateTime: &created,
				Keys:                        map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: k}},
				NewImage: map[string]types.AttributeValue{
					"pk":     &types.AttributeValueMemberS{Value: k},
					"amount": &types.AttributeValueMemberN{Value: "100"},
				},
				SequenceNumber: aws.String(seq),
				SizeBytes:      aws.Int64(42),
				StreamViewType: types.StreamViewTypeNewAndOldImages,
			},
		})
	}
}

func (s *memStream) close(shardID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shard(shardID).closed = true
}

// seqOf returns the sequence number of the record with the key.
func (s *memStream) seqOf(key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sh := range s.shards {
		for _, r := range sh.records {
			if aws.ToString(r.EventID) == "ev-"+key {
				return aws.ToString(r.Dynamodb.SequenceNumber)
			}
		}
	}
	return ""
}

func (s *memStream) iteratorRequests() []dynamodbstreams.GetShardIteratorInput {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]dynamodbstreams.GetShardIteratorInput(nil), s.iterCalls...)
}

func (s *memStream) fake() *fakeStreams {
	return &fakeStreams{
		describe: func(_ context.Context, in *dynamodbstreams.DescribeStreamInput) (*dynamodbstreams.DescribeStreamOutput, error) {
			if aws.ToString(in.StreamArn) != testStreamARN {
				return nil, &types.ResourceNotFoundException{Message: aws.String("Requested resource not found: Stream: " + aws.ToString(in.StreamArn) + " not found")}
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			// One shard per page, to exercise LastEvaluatedShardId.
			i := 0
			if in.ExclusiveStartShardId != nil {
				for j, sh := range s.shards {
					if sh.id == *in.ExclusiveStartShardId {
						i = j + 1
					}
				}
			}
			desc := &types.StreamDescription{StreamArn: in.StreamArn, StreamStatus: types.StreamStatusEnabled}
			if i < len(s.shards) {
				sh := s.shards[i]
				rng := &types.SequenceNumberRange{StartingSequenceNumber: aws.String("000000000000000000000")}
				if sh.closed {
					rng.EndingSequenceNumber = aws.String("999999999999999999999")
				}
				shard := types.Shard{ShardId: aws.String(sh.id), SequenceNumberRange: rng}
				if sh.parent != "" {
					shard.ParentShardId = aws.String(sh.parent)
				}
				desc.Shards = []types.Shard{shard}
				if i+1 < len(s.shards) {
					desc.LastEvaluatedShardId = aws.String(sh.id)
				}
			}
			return &dynamodbstreams.DescribeStreamOutput{StreamDescription: desc}, nil
		},
		getIterator: func(_ context.Context, in *dynamodbstreams.GetShardIteratorInput) (*dynamodbstreams.GetShardIteratorOutput, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.iterCalls = append(s.iterCalls, *in)
			sh := s.shard(aws.ToString(in.ShardId))
			if sh == nil {
				return nil, &types.ResourceNotFoundException{Message: aws.String("shard not found")}
			}
			pos := 0
			switch in.ShardIteratorType {
			case types.ShardIteratorTypeTrimHorizon:
			case types.ShardIteratorTypeLatest:
				pos = len(sh.records)
			case types.ShardIteratorTypeAfterSequenceNumber:
				for i, r := range sh.records {
					if aws.ToString(r.Dynamodb.SequenceNumber) == aws.ToString(in.SequenceNumber) {
						pos = i + 1
					}
				}
			default:
				return nil, fmt.Errorf("iterator type %s not supported by the fake", in.ShardIteratorType)
			}
			return &dynamodbstreams.GetShardIteratorOutput{ShardIterator: aws.String(sh.id + "|" + strconv.Itoa(pos))}, nil
		},
		getRecords: func(ctx context.Context, in *dynamodbstreams.GetRecordsInput) (*dynamodbstreams.GetRecordsOutput, error) {
			id, p, _ := strings.Cut(aws.ToString(in.ShardIterator), "|")
			pos, err := strconv.Atoi(p)
			if err != nil {
				return nil, fmt.Errorf("bad iterator %q", aws.ToString(in.ShardIterator))
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			sh := s.shard(id)
			limit := int(aws.ToInt32(in.Limit))
			if limit <= 0 || limit > 1000 {
				return nil, fmt.Errorf("limit %d", limit)
			}
			end := min(pos+limit, len(sh.records))
			out := &dynamodbstreams.GetRecordsOutput{Records: append([]types.Record(nil), sh.records[pos:end]...)}
			if !sh.closed || end < len(sh.records) {
				out.NextShardIterator = aws.String(sh.id + "|" + strconv.Itoa(end))
			}
			return out, nil
		},
	}
}
