package eventsource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

const testFailureQueueURL = "http://127.0.0.1:4566/000000000000/payments-stream-dlq"

func streamMapping(m StreamMapping) StreamMapping {
	m.Function = "projector"
	m.StreamARN = testStreamARN
	if m.StartingPosition == "" {
		m.StartingPosition = "TRIM_HORIZON"
	}
	if m.PollInterval == 0 {
		m.PollInterval = time.Millisecond
	}
	return m
}

// streamRecorder decodes each event as events.DynamoDBEvent and answers with
// reply(keys of the batch).
type streamRecorder struct {
	mu      sync.Mutex
	batches [][]string
	events  []events.DynamoDBEvent
	reply   func(keys []string) ([]byte, error)
}

func (s *streamRecorder) Invoke(_ context.Context, function string, payload []byte) ([]byte, error) {
	var ev events.DynamoDBEvent
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		return nil, fmt.Errorf("event does not decode as events.DynamoDBEvent: %w", err)
	}
	var keys []string
	for _, r := range ev.Records {
		keys = append(keys, r.Change.Keys["pk"].String())
	}
	s.mu.Lock()
	s.batches = append(s.batches, keys)
	s.events = append(s.events, ev)
	reply := s.reply
	s.mu.Unlock()
	if reply == nil {
		return []byte("null"), nil
	}
	return reply(keys)
}

func (s *streamRecorder) snapshot() [][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.batches)
}

// succeeded returns the keys of the successful invocations, in order.
func flatten(batches [][]string) []string {
	var out []string
	for _, b := range batches {
		out = append(out, b...)
	}
	return out
}

func keys(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%02d", prefix, i+1)
	}
	return out
}

// failureQueue is a fake on-failure SQS destination.
type failureQueue struct {
	mu      sync.Mutex
	records []map[string]any
	bodies  []string
}

func (f *failureQueue) fake(t *testing.T) *fakeSQS {
	return &fakeSQS{t: t, send: func(_ context.Context, in *sqs.SendMessageInput) (*sqs.SendMessageOutput, error) {
		if aws.ToString(in.QueueUrl) != testFailureQueueURL {
			t.Errorf("on-failure record sent to %s", aws.ToString(in.QueueUrl))
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(aws.ToString(in.MessageBody)), &rec); err != nil {
			t.Errorf("on-failure record is not JSON: %v", err)
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.records = append(f.records, rec)
		f.bodies = append(f.bodies, aws.ToString(in.MessageBody))
		return &sqs.SendMessageOutput{MessageId: aws.String("m")}, nil
	}}
}

func (f *failureQueue) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.records)
}

func TestStreamDeliversInOrderAcrossBatches(t *testing.T) {
	t.Parallel()
	st := &memStream{}
	st.addShard("shard-1", "")
	st.put("shard-1", keys("k", 25)...)
	inv := &streamRecorder{}
	run(t, func(ctx context.Context) error {
		return RunStream(ctx, st.fake(), nil, inv, streamMapping(StreamMapping{BatchSize: 10}), nil)
	})
	waitFor(t, "25 records", func() bool { return len(flatten(inv.snapshot())) == 25 })
	batches := inv.snapshot()
	if !slices.Equal(flatten(batches), keys("k", 25)) {
		t.Fatalf("records %v, want k01..k25 in order", flatten(batches))
	}
	for _, b := range batches {
		if len(b) > 10 {
			t.Errorf("batch of %d records, BatchSize is 10", len(b))
		}
	}
	inv.mu.Lock()
	rec := inv.events[0].Records[0]
	inv.mu.Unlock()
	if rec.EventSourceArn != testStreamARN || rec.EventSource != "aws:dynamodb" || rec.EventName != "INSERT" ||
		rec.AWSRegion != "us-east-1" || rec.EventID != "ev-k01" || rec.EventVersion != "1.1" {
		t.Errorf("record envelope %+v", rec)
	}
	ch := rec.Change
	if ch.SequenceNumber != st.seqOf("k01") || ch.SizeBytes != 42 || ch.StreamViewType != "NEW_AND_OLD_IMAGES" ||
		ch.NewImage["amount"].Number() != "100" || ch.Keys["pk"].String() != "k01" ||
		!ch.ApproximateCreationDateTime.Time.Equal(recordTime) {
		t.Errorf("stream record %+v", ch)
	}
}

func TestStreamRetriesTheSameBatchUntilSuccess(t *testing.T) {
	t.Parallel()
	st := &memStream{}
	st.addShard("shard-1", "")
	st.put("shard-1", keys("k", 4)...)
	fails := 2
	inv := &streamRecorder{}
	inv.reply = func(keys []string) ([]byte, error) {
		if keys[0] == "k01" && fails > 0 {
			fails--
			return nil, errors.New("Runtime.ExitError")
		}
		return nil, nil
	}
	run(t, func(ctx context.Context) error {
		return RunStream(ctx, st.fake(), nil, inv, streamMapping(StreamMapping{BatchSize: 2, MaximumRetryAttempts: -1}), nil)
	})
	waitFor(t, "four invocations", func() bool { return len(inv.snapshot()) == 4 })
	want := [][]string{{"k01", "k02"}, {"k01", "k02"}, {"k01", "k02"}, {"k03", "k04"}}
	if got := inv.snapshot(); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("invocations %v, want %v", got, want)
	}
}

// After MaximumRetryAttempts retries the batch is discarded, its invocation
// record goes to the on-failure destination, and the shard moves on. Record
// format: "Example invocation record" in
// https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html.
func TestStreamRetryExhaustionSendsInvocationRecord(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, time.November, 21, 8, 0, 0, 717_000_000, time.UTC)
	st := &memStream{}
	st.addShard("shard-1", "")
	st.put("shard-1", keys("k", 6)...)
	inv := &streamRecorder{}
	inv.reply = func(keys []string) ([]byte, error) {
		if keys[0] == "k01" {
			return nil, errors.New("Runtime.ExitError")
		}
		return nil, nil
	}
	dlq := &failureQueue{}
	m := streamMapping(StreamMapping{BatchSize: 3, MaximumRetryAttempts: 2, OnFailureQueueURL: testFailureQueueURL,
		Now: func() time.Time { return now }})
	run(t, func(ctx context.Context) error { return RunStream(ctx, st.fake(), dlq.fake(t), inv, m, nil) })
	waitFor(t, "the next batch", func() bool { return len(inv.snapshot()) == 4 })
	want := [][]string{{"k01", "k02", "k03"}, {"k01", "k02", "k03"}, {"k01", "k02", "k03"}, {"k04", "k05", "k06"}}
	if got := inv.snapshot(); !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("invocations %v, want the first batch 1+2 times then the next", got)
	}
	if n := dlq.count(); n != 1 {
		t.Fatalf("%d on-failure records, want 1", n)
	}
	var rec struct {
		RequestContext struct {
			RequestID              string `json:"requestId"`
			FunctionARN            string `json:"functionArn"`
			Condition              string `json:"condition"`
			ApproximateInvokeCount int    `json:"approximateInvokeCount"`
		} `json:"requestContext"`
		ResponseContext struct {
			StatusCode      int    `json:"statusCode"`
			ExecutedVersion string `json:"executedVersion"`
			FunctionError   string `json:"functionError"`
		} `json:"responseContext"`
		Version            string             `json:"version"`
		Timestamp          string             `json:"timestamp"`
		DDBStreamBatchInfo ddbStreamBatchInfo `json:"DDBStreamBatchInfo"`
	}
	dec := json.NewDecoder(strings.NewReader(dlq.bodies[0]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		t.Fatalf("decoding %s: %v", dlq.bodies[0], err)
	}
	rc := rec.RequestContext
	if len(rc.RequestID) != 36 || rc.FunctionARN != "arn:aws:lambda:us-east-1:000000000000:function:projector" ||
		rc.Condition != "RetryAttemptsExhausted" || rc.ApproximateInvokeCount != 3 {
		t.Errorf("requestContext %+v", rc)
	}
	if r := rec.ResponseContext; r.StatusCode != 200 || r.ExecutedVersion != "$LATEST" || r.FunctionError != "Unhandled" {
		t.Errorf("responseContext %+v", r)
	}
	if rec.Version != "1.0" || rec.Timestamp != "2026-11-21T08:00:00.717Z" {
		t.Errorf("version %q timestamp %q", rec.Version, rec.Timestamp)
	}
	wantInfo := ddbStreamBatchInfo{
		ShardID: "shard-1", StartSequenceNumber: st.seqOf("k01"), EndSequenceNumber: st.seqOf("k03"),
		ApproximateArrivalOfFirstRecord: "2026-11-20T22:02:14Z", ApproximateArrivalOfLastRecord: "2026-11-20T22:02:14Z",
		BatchSize: 3, StreamARN: testStreamARN,
	}
	if rec.DDBStreamBatchInfo != wantInfo {
		t.Errorf("DDBStreamBatchInfo\n got %+v\nwant %+v", rec.DDBStreamBatchInfo, wantInfo)
	}
}

func TestStreamZeroRetriesDiscardsAfterOneAttempt(t *testing.T) {
	t.Parallel()
	st := &memStream{}
	st.addShard("shard-1", "")
	st.put("shard-1", "a", "b")
	inv := &streamRecorder{}
	inv.reply = func(keys []string) ([]byte, error) {
		if keys[0] == "a" {
			return nil, errors.New("boom")
		}
		return nil, nil
	}
	dlq := &failureQueue{}
	m := streamMapping(StreamMapping{BatchSize: 1, MaximumRetryAttempts: 0, OnFailureQueueURL: testFailureQueueURL})
	run(t, func(ctx context.Context) error { return RunStream(ctx, st.fake(), dlq.fake(t), inv, m, nil) })
	waitFor(t, "b", func() bool { return len(inv.snapshot()) == 2 })
	if got := inv.snapshot(); !slices.EqualFunc(got, [][]string{{"a"}, {"b"}}, slices.Equal) {
		t.Errorf("invocations %v", got)
	}
	if dlq.count() != 1 {
		t.Errorf("%d on-failure records, want 1", dlq.count())
	}
}

// BisectBatchOnFunctionError halves a failing batch until the poison record
// is alone; splitting does not use up retries, so only the poison record is
// retried and discarded, and every other record succeeds exactly once.
func TestStreamBisectIsolatesPoisonRecord(t *testing.T) {
	t.Parallel()
	st := &memStream{}
	st.addShard("shard-1", "")
	st.put("shard-1", keys("k", 8)...)
	var mu sync.Mutex
	var succeeded []string
	inv := &streamRecorder{}
	inv.reply = func(keys []string) ([]byte, error) {
		if slices.Contains(keys, "k05") {
			return nil, errors.New("poison")
		}
		mu.Lock()
		succeeded = append(succeeded, keys...)
		mu.Unlock()
		return nil, nil
	}
	dlq := &failureQueue{}
	m := streamMapping(StreamMapping{BatchSize: 8, MaximumRetryAttempts: 1, BisectBatchOnFunctionError: true, OnFailureQueueURL: testFailureQueueURL})
	run(t, func(ctx context.Context) error { return RunStream(ctx, st.fake(), dlq.fake(t), inv, m, nil) })
	waitFor(t, "every good record", func() bool { mu.Lock(); defer mu.Unlock(); return len(succeeded) == 7 })
	mu.Lock()
	got := slices.Clone(succeeded)
	mu.Unlock()
	if want := []string{"k01", "k02", "k03", "k04", "k06", "k07", "k08"}; !slices.Equal(got, want) {
		t.Errorf("succeeded %v, want %v in order, each once", got, want)
	}
	waitFor(t, "the on-failure record", func() bool { return dlq.count() == 1 })
	info := dlq.records[0]["DDBStreamBatchInfo"].(map[string]any)
	rc := dlq.records[0]["requestContext"].(map[string]any)
	if info["batchSize"] != 1.0 || info["startSequenceNumber"] != st.seqOf("k05") || info["endSequenceNumber"] != st.seqOf("k05") {
		t.Errorf("discarded batch %v, want only k05", info)
	}
	if rc["approximateInvokeCount"] != 2.0 {
		t.Errorf("approximateInvokeCount %v, want 2 (one attempt and one retry of the single record)", rc["approximateInvokeCount"])
	}
}

// A partial batch response checkpoints before the lowest failed sequence
// number and retries from it
// (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html).
func TestStreamBatchItemFailuresCheckpoint(t *testing.T) {
	t.Parallel()
	st := &memStream{}
	st.addShard("shard-1", "")
	st.put("shard-1", keys("k", 5)...)
	calls := 0
	inv := &streamRecorder{}
	inv.reply = func([]string) ([]byte, error) {
		calls++
		switch calls {
		case 1: // k04 and k03 failed: the lowest is k03
			return fmt.Appendf(nil, `{"batchItemFailures":[{"itemIdentifier":%q},{"itemIdentifier":%q}]}`, st.seqOf("k04"), st.seqOf("k03")), nil
		case 2: // an identifier not in the batch fails the whole batch
			return []byte(`{"batchItemFailures":[{"itemIdentifier":"123"}]}`), nil
		}
		return []byte(`{"batchItemFailures":[]}`), nil
	}
	m := streamMapping(StreamMapping{BatchSize: 5, MaximumRetryAttempts: -1, ReportBatchItemFailures: true})
	run(t, func(ctx context.Context) error { return RunStream(ctx, st.fake(), nil, inv, m, nil) })
	waitFor(t, "three invocations", func() bool { return len(inv.snapshot()) == 3 })
	want := [][]string{{"k01", "k02", "k03", "k04", "k05"}, {"k03", "k04", "k05"}, {"k03", "k04", "k05"}}
	if got := inv.snapshot(); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("invocations %v, want %v", got, want)
	}
	time.Sleep(20 * time.Millisecond)
	if n := len(inv.snapshot()); n != 3 {
		t.Errorf("%d invocations after success, want 3", n)
	}
}

func TestStreamStartingPosition(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		position string
		want     []string
	}{
		{"TRIM_HORIZON", []string{"old1", "old2", "new1", "new2"}},
		{"LATEST", []string{"new1", "new2"}},
	} {
		t.Run(tc.position, func(t *testing.T) {
			t.Parallel()
			st := &memStream{}
			st.addShard("shard-1", "")
			st.put("shard-1", "old1", "old2")
			inv := &streamRecorder{}
			run(t, func(ctx context.Context) error {
				return RunStream(ctx, st.fake(), nil, inv, streamMapping(StreamMapping{StartingPosition: tc.position}), nil)
			})
			waitFor(t, "the shard iterator", func() bool { return len(st.iteratorRequests()) > 0 })
			if got := st.iteratorRequests()[0].ShardIteratorType; string(got) != tc.position {
				t.Errorf("iterator type %s, want %s", got, tc.position)
			}
			st.put("shard-1", "new1", "new2")
			waitFor(t, "the records", func() bool { return len(flatten(inv.snapshot())) >= len(tc.want) })
			time.Sleep(10 * time.Millisecond)
			if got := flatten(inv.snapshot()); !slices.Equal(got, tc.want) {
				t.Errorf("records %v, want %v", got, tc.want)
			}
		})
	}
}

// Records of a parent shard come before those of its children: the child is
// read only once the closed parent has been read to its end.
func TestStreamReadsParentShardsFirst(t *testing.T) {
	t.Parallel()
	st := &memStream{}
	st.addShard("child", "parent") // listed first on purpose
	st.addShard("parent", "")
	st.put("parent", "p1", "p2", "p3")
	st.put("child", "c1", "c2")
	st.close("parent")
	inv := &streamRecorder{}
	run(t, func(ctx context.Context) error {
		return RunStream(ctx, st.fake(), nil, inv, streamMapping(StreamMapping{BatchSize: 2}), nil)
	})
	waitFor(t, "five records", func() bool { return len(flatten(inv.snapshot())) == 5 })
	if got := flatten(inv.snapshot()); !slices.Equal(got, []string{"p1", "p2", "p3", "c1", "c2"}) {
		t.Errorf("records %v, want the parent's before the child's", got)
	}
}

// A shard that splits while the mapping runs: the child appears later, is
// discovered, and is read from its start once the parent is finished.
func TestStreamFollowsNewChildShard(t *testing.T) {
	t.Parallel()
	st := &memStream{}
	st.addShard("s1", "")
	st.put("s1", "a")
	inv := &streamRecorder{}
	run(t, func(ctx context.Context) error {
		return RunStream(ctx, st.fake(), nil, inv, streamMapping(StreamMapping{StartingPosition: "LATEST"}), nil)
	})
	waitFor(t, "the shard iterator", func() bool { return len(st.iteratorRequests()) > 0 })
	st.put("s1", "b")
	waitFor(t, "b", func() bool { return len(flatten(inv.snapshot())) == 1 })
	st.addShard("s2", "s1")
	st.put("s2", "c", "d")
	st.put("s1", "last")
	st.close("s1")
	waitFor(t, "the child's records", func() bool { return len(flatten(inv.snapshot())) == 4 })
	if got := flatten(inv.snapshot()); !slices.Equal(got, []string{"b", "last", "c", "d"}) {
		t.Errorf("records %v, want b, last, then the child's c, d", got)
	}
	var child []types.ShardIteratorType
	for _, in := range st.iteratorRequests() {
		if aws.ToString(in.ShardId) == "s2" {
			child = append(child, in.ShardIteratorType)
		}
	}
	if !slices.Equal(child, []types.ShardIteratorType{types.ShardIteratorTypeTrimHorizon}) {
		t.Errorf("child iterators %v, want TRIM_HORIZON (a new shard is read from its start)", child)
	}
}

func TestStreamLatestSkipsClosedShards(t *testing.T) {
	t.Parallel()
	st := &memStream{}
	st.addShard("parent", "")
	st.addShard("child", "parent")
	st.put("parent", "old")
	st.put("child", "old-child")
	st.close("parent")
	inv := &streamRecorder{}
	run(t, func(ctx context.Context) error {
		return RunStream(ctx, st.fake(), nil, inv, streamMapping(StreamMapping{StartingPosition: "LATEST"}), nil)
	})
	waitFor(t, "the child's iterator", func() bool { return len(st.iteratorRequests()) > 0 })
	st.put("child", "new")
	waitFor(t, "the new record", func() bool { return len(flatten(inv.snapshot())) >= 1 })
	time.Sleep(10 * time.Millisecond)
	if got := flatten(inv.snapshot()); !slices.Equal(got, []string{"new"}) {
		t.Errorf("records %v, want only the one written after the start", got)
	}
	for _, in := range st.iteratorRequests() {
		if aws.ToString(in.ShardId) == "parent" {
			t.Errorf("the closed parent was read with LATEST")
		}
	}
}

// With unlimited retries a failing batch is retried until its records expire
// from the stream (24 hours), then discarded.
func TestStreamUnlimitedRetriesEndWhenRecordsExpire(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := recordTime.Add(time.Hour)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	st := &memStream{}
	st.addShard("shard-1", "")
	st.put("shard-1", "a", "b")
	inv := &streamRecorder{}
	inv.reply = func(keys []string) ([]byte, error) {
		if keys[0] == "a" {
			return nil, errors.New("boom")
		}
		return nil, nil
	}
	dlq := &failureQueue{}
	m := streamMapping(StreamMapping{BatchSize: 1, MaximumRetryAttempts: -1, OnFailureQueueURL: testFailureQueueURL, Now: clock})
	run(t, func(ctx context.Context) error { return RunStream(ctx, st.fake(), dlq.fake(t), inv, m, nil) })
	waitFor(t, "a few retries", func() bool { return len(inv.snapshot()) >= 3 })
	if dlq.count() != 0 {
		t.Fatal("discarded before the records expired")
	}
	mu.Lock()
	now = recordTime.Add(25 * time.Hour)
	mu.Unlock()
	waitFor(t, "b after a expired", func() bool { return slices.Contains(flatten(inv.snapshot()), "b") })
	waitFor(t, "the on-failure record", func() bool { return dlq.count() == 1 })
	if c := dlq.records[0]["requestContext"].(map[string]any)["condition"]; c != "RecordAgeExceeded" {
		t.Errorf("condition %v", c)
	}
}

func TestStreamMappingValidation(t *testing.T) {
	t.Parallel()
	valid := StreamMapping{Function: "f", StreamARN: testStreamARN, StartingPosition: "LATEST"}
	tests := []struct {
		name string
		edit func(*StreamMapping)
	}{
		{"no function", func(m *StreamMapping) { m.Function = "" }},
		{"bad arn", func(m *StreamMapping) { m.StreamARN = "table/payments" }},
		{"not a dynamodb arn", func(m *StreamMapping) { m.StreamARN = "arn:aws:kinesis:us-east-1:000000000000:stream/s" }},
		{"AT_TIMESTAMP", func(m *StreamMapping) { m.StartingPosition = "AT_TIMESTAMP" }},
		{"no position", func(m *StreamMapping) { m.StartingPosition = "" }},
		{"batch too large", func(m *StreamMapping) { m.BatchSize = 10001 }},
		{"window too long", func(m *StreamMapping) { m.MaximumBatchingWindow = 301 * time.Second }},
		{"retries below -1", func(m *StreamMapping) { m.MaximumRetryAttempts = -2 }},
		{"retries too many", func(m *StreamMapping) { m.MaximumRetryAttempts = 10001 }},
		{"destination without client", func(m *StreamMapping) { m.OnFailureQueueURL = testFailureQueueURL }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := valid
			tt.edit(&m)
			err := RunStream(context.Background(), (&memStream{}).fake(), nil, &streamRecorder{}, m, nil)
			if !errors.Is(err, ErrInvalidMapping) {
				t.Fatalf("RunStream = %v, want ErrInvalidMapping", err)
			}
		})
	}
}

func TestStreamUnknownStreamFailsAtStart(t *testing.T) {
	t.Parallel()
	m := streamMapping(StreamMapping{})
	m.StreamARN = "arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/x"
	err := RunStream(context.Background(), (&memStream{}).fake(), nil, &streamRecorder{}, m, nil)
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Fatalf("RunStream = %v, want ResourceNotFoundException", err)
	}
}
