package eventsource

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// awsJSONServer answers awsJson 1.0 requests by X-Amz-Target operation name,
// standing in for the local SQS and Streams endpoints.
type awsJSONServer struct {
	mu       sync.Mutex
	requests map[string][]map[string]any
	answer   func(op string, req map[string]any) (status int, body string)
}

func (s *awsJSONServer) start(t *testing.T) *httptest.Server {
	s.requests = map[string][]map[string]any{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, op, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
		b, _ := io.ReadAll(r.Body)
		var req map[string]any
		if err := json.Unmarshal(b, &req); err != nil {
			t.Errorf("%s: request body %q: %v", op, b, err)
		}
		s.mu.Lock()
		s.requests[op] = append(s.requests[op], req)
		s.mu.Unlock()
		status, body := s.answer(op, req)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (s *awsJSONServer) calls(op string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests[op])
}

func testConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
	}
}

// The poller works with a real *sqs.Client: the requests it makes are the
// ones Lambda's poller makes, and the answers decode into the event.
func TestSQSWithRealClient(t *testing.T) {
	t.Parallel()
	body := `{"paymentId":"pay_1"}`
	sum := md5.Sum([]byte(body))
	var once sync.Once
	fake := &awsJSONServer{answer: func(op string, req map[string]any) (int, string) {
		switch op {
		case "GetQueueAttributes":
			return 200, `{"Attributes":{"VisibilityTimeout":"30"}}`
		case "ReceiveMessage":
			msgs := `{"Messages":[]}`
			once.Do(func() {
				m, _ := json.Marshal(map[string]any{"Messages": []map[string]any{{
					"MessageId": "059f36b4-87a3-44ab-83d2-661975830a7d", "ReceiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
					"Body": body, "MD5OfBody": hex.EncodeToString(sum[:]),
					"Attributes": map[string]string{"ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183",
						"SenderId": "AIDAIENQZJOLO23YVJ4VO", "ApproximateFirstReceiveTimestamp": "1545082649185"},
				}}})
				msgs = string(m)
			})
			if msgs == `{"Messages":[]}` {
				time.Sleep(5 * time.Millisecond)
			}
			return 200, msgs
		case "DeleteMessageBatch":
			return 200, `{"Successful":[{"Id":"0"}],"Failed":[]}`
		}
		return 400, `{"__type":"com.amazonaws.sqs#UnsupportedOperation","message":"` + op + `"}`
	}}
	srv := fake.start(t)
	client := sqs.NewFromConfig(testConfig(srv.URL))
	inv := &batchRecorder{}
	run(t, func(ctx context.Context) error { return RunSQS(ctx, client, inv, sqsMapping(SQSMapping{}), nil) })
	waitFor(t, "the delete", func() bool { return len(fake.calls("DeleteMessageBatch")) == 1 })

	rcv := fake.calls("ReceiveMessage")[0]
	if rcv["QueueUrl"] != testQueueURL || rcv["MaxNumberOfMessages"] != 10.0 || rcv["WaitTimeSeconds"] != 20.0 ||
		!reflect.DeepEqual(rcv["MessageSystemAttributeNames"], []any{"All"}) || !reflect.DeepEqual(rcv["MessageAttributeNames"], []any{"All"}) {
		t.Errorf("ReceiveMessage request %v", rcv)
	}
	del := fake.calls("DeleteMessageBatch")[0]
	want := []any{map[string]any{"Id": "0", "ReceiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a"}}
	if !reflect.DeepEqual(del["Entries"], want) || del["QueueUrl"] != testQueueURL {
		t.Errorf("DeleteMessageBatch request %v", del)
	}
	ev := inv.snapshot()[0].Records[0]
	if ev.MessageId != "059f36b4-87a3-44ab-83d2-661975830a7d" || ev.Body != body || ev.Attributes["SentTimestamp"] != "1545082649183" {
		t.Errorf("record %+v", ev)
	}
}

// The stream poller works with a real *dynamodbstreams.Client, and the records
// reach the function with their "dynamodb" part exactly as GetRecords gave it.
func TestStreamWithRealClient(t *testing.T) {
	t.Parallel()
	image := `{
		"pk": {"S": "pay_1"}, "amount": {"N": "100.50"}, "tags": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]},
		"blob": {"B": "AQI="}, "blobs": {"BS": ["AQ==", "Ag=="]}, "ok": {"BOOL": true}, "none": {"NULL": true},
		"meta": {"M": {"k": {"S": "v"}}}, "items": {"L": [{"N": "1"}, {"S": "x"}]}
	}`
	record := `{
		"awsRegion": "us-east-1", "eventID": "c4ca4238a0b923820dcc509a6f75849b", "eventName": "MODIFY",
		"eventSource": "aws:dynamodb", "eventVersion": "1.1",
		"dynamodb": {"ApproximateCreationDateTime": 1479499740, "Keys": {"pk": {"S": "pay_1"}},
			"NewImage": ` + image + `, "SequenceNumber": "111", "SizeBytes": 26, "StreamViewType": "NEW_AND_OLD_IMAGES"}
	}`
	var once sync.Once
	fake := &awsJSONServer{answer: func(op string, req map[string]any) (int, string) {
		switch op {
		case "DescribeStream":
			return 200, `{"StreamDescription":{"StreamArn":"` + testStreamARN + `","StreamStatus":"ENABLED",
				"Shards":[{"ShardId":"shardId-1","SequenceNumberRange":{"StartingSequenceNumber":"100"}}]}}`
		case "GetShardIterator":
			return 200, `{"ShardIterator":"it-1"}`
		case "GetRecords":
			recs := `[]`
			once.Do(func() { recs = `[` + record + `]` })
			return 200, `{"Records":` + recs + `,"NextShardIterator":"it-1"}`
		}
		return 400, `{"__type":"com.amazonaws.dynamodb.v20120810#UnknownOperationException","message":"` + op + `"}`
	}}
	srv := fake.start(t)
	client := dynamodbstreams.NewFromConfig(testConfig(srv.URL))
	var mu sync.Mutex
	var payloads [][]byte
	inv := fakeInvoker{func(_ context.Context, _ string, payload []byte) ([]byte, error) {
		mu.Lock()
		payloads = append(payloads, payload)
		mu.Unlock()
		return nil, nil
	}}
	run(t, func(ctx context.Context) error {
		return RunStream(ctx, client, nil, inv, streamMapping(StreamMapping{StartingPosition: "TRIM_HORIZON"}), nil)
	})
	waitFor(t, "the invocation", func() bool { mu.Lock(); defer mu.Unlock(); return len(payloads) == 1 })

	it := fake.calls("GetShardIterator")[0]
	if it["ShardIteratorType"] != "TRIM_HORIZON" || it["ShardId"] != "shardId-1" || it["StreamArn"] != testStreamARN {
		t.Errorf("GetShardIterator request %v", it)
	}
	var got struct {
		Records []map[string]any `json:"Records"`
	}
	if err := json.Unmarshal(payloads[0], &got); err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal([]byte(record), &want); err != nil {
		t.Fatal(err)
	}
	want["eventSourceARN"] = testStreamARN
	if len(got.Records) != 1 || !reflect.DeepEqual(got.Records[0], want) {
		gotJSON, _ := json.MarshalIndent(got.Records, "", "  ")
		wantJSON, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("event record\n got %s\nwant %s", gotJSON, wantJSON)
	}
}
