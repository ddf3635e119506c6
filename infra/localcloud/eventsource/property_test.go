package eventsource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// TestDeliverProperties checks the retry, bisection and checkpoint rules on
// random batches with random poison records. Whatever the settings:
//   - every record ends exactly once, either checkpointed (its invocation
//     succeeded, or it came before the lowest failure of a partial response)
//     or discarded in a batch reported to the on-failure queue;
//   - records end in stream order;
//   - a record that is not poison is never discarded when bisection is on
//     (it is split away from the poison), and a discarded batch then holds a
//     single poison record;
//   - invocations are bounded: a finite retry limit never blocks the shard.
func TestDeliverProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := range 400 {
		n := 1 + rng.IntN(20)
		maxRetries := rng.IntN(4)
		bisect := rng.IntN(2) == 0
		partial := rng.IntN(2) == 0
		poison := map[string]bool{}
		var recs []types.Record
		for i := range n {
			seq := fmt.Sprintf("%021d", (i+1)*100)
			recs = append(recs, types.Record{Dynamodb: &types.StreamRecord{SequenceNumber: aws.String(seq)}})
			if rng.IntN(5) == 0 {
				poison[seq] = true
			}
		}
		desc := fmt.Sprintf("iteration %d: n=%d max=%d bisect=%v partial=%v poison=%v", iter, n, maxRetries, bisect, partial, poison)

		var ended []string // sequence numbers, in the order they ended
		endedBy := map[string]string{}
		end := func(seq, how string) {
			if prev, ok := endedBy[seq]; ok {
				t.Fatalf("%s: record %s ended twice (%s, then %s)", desc, seq, prev, how)
			}
			endedBy[seq] = how
			ended = append(ended, seq)
		}
		invocations := 0
		inv := fakeInvoker{func(_ context.Context, _ string, payload []byte) ([]byte, error) {
			invocations++
			var ev struct {
				Records []struct {
					Dynamodb struct{ SequenceNumber string }
				}
			}
			if err := json.Unmarshal(payload, &ev); err != nil {
				t.Fatal(err)
			}
			var failed []map[string]string
			for _, r := range ev.Records {
				seq := r.Dynamodb.SequenceNumber
				if poison[seq] {
					failed = append(failed, map[string]string{"itemIdentifier": seq})
					continue
				}
				if len(failed) == 0 && partial {
					end(seq, "checkpointed")
				}
			}
			if len(failed) == 0 {
				if !partial {
					for _, r := range ev.Records {
						end(r.Dynamodb.SequenceNumber, "checkpointed")
					}
				}
				return nil, nil
			}
			if partial {
				return json.Marshal(map[string]any{"batchItemFailures": failed})
			}
			return nil, errors.New("poison")
		}}
		var mu sync.Mutex
		var discarded []onFailureRecord
		queues := &fakeSQS{t: t, send: func(_ context.Context, in *sqs.SendMessageInput) (*sqs.SendMessageOutput, error) {
			var rec onFailureRecord
			if err := json.Unmarshal([]byte(aws.ToString(in.MessageBody)), &rec); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			discarded = append(discarded, rec)
			mu.Unlock()
			info := rec.DDBStreamBatchInfo
			for _, r := range recs {
				seq := aws.ToString(r.Dynamodb.SequenceNumber)
				if seq >= info.StartSequenceNumber && seq <= info.EndSequenceNumber {
					end(seq, "discarded")
				}
			}
			return &sqs.SendMessageOutput{}, nil
		}}
		s := &shardReader{
			streamRunner: &streamRunner{
				queues: queues, inv: inv, region: "us-east-1", functionARN: "arn:aws:lambda:us-east-1:000000000000:function:f",
				log: slog.New(slog.DiscardHandler),
				m: StreamMapping{
					Function: "f", StreamARN: testStreamARN, MaximumRetryAttempts: maxRetries,
					BisectBatchOnFunctionError: bisect, ReportBatchItemFailures: partial,
					OnFailureQueueURL: testFailureQueueURL, PollInterval: time.Nanosecond, Now: time.Now,
				},
			},
			shardID: "shard-1", log: slog.New(slog.DiscardHandler),
		}
		if !s.deliver(context.Background(), recs) {
			t.Fatalf("%s: deliver gave up", desc)
		}
		if len(ended) != n {
			t.Fatalf("%s: %d of %d records ended: %v", desc, len(ended), n, endedBy)
		}
		if !slices.IsSorted(ended) {
			t.Fatalf("%s: records ended out of order: %v", desc, ended)
		}
		for seq, how := range endedBy {
			if how == "discarded" && bisect && !partial && !poison[seq] {
				t.Fatalf("%s: good record %s discarded although bisection isolates poison", desc, seq)
			}
			if how == "checkpointed" && poison[seq] {
				t.Fatalf("%s: poison record %s checkpointed", desc, seq)
			}
		}
		for _, d := range discarded {
			if bisect && !partial && d.DDBStreamBatchInfo.BatchSize != 1 {
				t.Fatalf("%s: bisection discarded a batch of %d", desc, d.DDBStreamBatchInfo.BatchSize)
			}
			if d.RequestContext.ApproximateInvokeCount < 1 || d.RequestContext.ApproximateInvokeCount > maxRetries+1 {
				t.Fatalf("%s: approximateInvokeCount %d with %d retries", desc, d.RequestContext.ApproximateInvokeCount, maxRetries)
			}
		}
		if limit := (2*n - 1) * (maxRetries + 1); invocations > limit {
			t.Fatalf("%s: %d invocations, more than %d", desc, invocations, limit)
		}
	}
}

// FuzzParseBatchItemFailures checks that an accepted partial batch response
// only names known, non-empty identifiers.
func FuzzParseBatchItemFailures(f *testing.F) {
	for _, s := range []string{
		``, `null`, `{}`, `{"batchItemFailures":null}`, `{"batchItemFailures":[]}`,
		`{"batchItemFailures":[{"itemIdentifier":"a"}]}`, `{"batchItemFailures":[{"itemIdentifier":""}]}`,
		`{"batchItemFailures":[{"itemIdentifier":"zz"}]}`, `{"batchItemFailures":[{"itemId":"a"}]}`, `[1]`, `"x"`,
	} {
		f.Add([]byte(s))
	}
	known := map[string]bool{"a": true, "b": true}
	f.Fuzz(func(t *testing.T, out []byte) {
		ids, err := parseBatchItemFailures(out, known)
		if err != nil {
			if !errors.Is(err, errBadBatchResponse) {
				t.Fatalf("error %v does not wrap errBadBatchResponse", err)
			}
			return
		}
		for _, id := range ids {
			if !known[id] {
				t.Fatalf("%q accepted unknown identifier %q", out, id)
			}
		}
	})
}
