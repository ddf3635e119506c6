package localcloud_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/paylane/paylane/infra/localcloud"
)

// lockedBuffer collects the console output of the cloud (function logs included) so a
// failing test can show it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type env struct {
	t     *testing.T
	cloud *localcloud.Cloud
	db    *dynamodb.Client
	sqs   *sqs.Client
	s3    *s3.Client
	seen  string
}

func startCloud(t *testing.T) *env {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	console := &lockedBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cloud, err := localcloud.Start(ctx, localcloud.Config{
		ModuleDir:          root,
		TemplateFile:       filepath.Join(root, "infra/localcloud/testdata/template.yaml"),
		StackName:          "lctest",
		AWSAddr:            "127.0.0.1:0",
		APIAddr:            "127.0.0.1:0",
		PGAddr:             "127.0.0.1:0",
		BuildDir:           t.TempDir(),
		ScheduleSpeedup:    600,
		StreamPollInterval: 50 * time.Millisecond,
		AsyncRetryDelay:    200 * time.Millisecond,
		Console:            console,
	})
	if err != nil {
		t.Fatalf("start: %v\n%s", err, console.String())
	}
	t.Cleanup(func() {
		if err := cloud.Close(context.Background()); err != nil {
			t.Errorf("close: %v", err)
		}
		if t.Failed() || testing.Verbose() {
			t.Logf("console:\n%s", console.String())
		}
	})
	cfg := cloud.AWSConfig()
	return &env{
		t: t, cloud: cloud,
		db:   dynamodb.NewFromConfig(cfg),
		sqs:  sqs.NewFromConfig(cfg),
		s3:   s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		seen: cloud.Resource("SeenTable"),
	}
}

// seen returns what the probe recorded under pk, in sort-key order.
func (e *env) seenItems(ctx context.Context, pk string) []map[string]string {
	e.t.Helper()
	out, err := e.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(e.seen),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		e.t.Fatalf("query seen %s: %v", pk, err)
	}
	var items []map[string]string
	for _, it := range out.Items {
		m := map[string]string{}
		for k, v := range it {
			switch v := v.(type) {
			case *types.AttributeValueMemberS:
				m[k] = v.Value
			case *types.AttributeValueMemberN:
				m[k] = v.Value
			}
		}
		items = append(items, m)
	}
	return items
}

// waitFor polls until cond holds for what the probe recorded under pk.
func (e *env) waitFor(pk string, timeout time.Duration, what string, cond func([]map[string]string) bool) []map[string]string {
	e.t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(timeout)
	for {
		items := e.seenItems(ctx, pk)
		if cond(items) {
			return items
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s: not seen within %s; recorded under %q: %v", what, timeout, pk, items)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func outcomes(items []map[string]string, outcome string) []map[string]string {
	var out []map[string]string
	for _, it := range items {
		if it["outcome"] == outcome {
			out = append(out, it)
		}
	}
	return out
}

func (e *env) send(queueLogicalID string, bodies ...string) {
	e.t.Helper()
	var entries []sqstypes.SendMessageBatchRequestEntry
	for i, b := range bodies {
		entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(b)})
	}
	out, err := e.sqs.SendMessageBatch(context.Background(), &sqs.SendMessageBatchInput{
		QueueUrl: aws.String(e.cloud.Resource(queueLogicalID)), Entries: entries,
	})
	if err != nil {
		e.t.Fatalf("send to %s: %v", queueLogicalID, err)
	}
	if len(out.Failed) > 0 {
		e.t.Fatalf("send to %s: %d failed", queueLogicalID, len(out.Failed))
	}
}

func TestRuntime(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: builds and runs real function processes")
	}
	e := startCloud(t)

	t.Run("HTTPRouteAnswers", func(t *testing.T) {
		t.Parallel()
		resp, err := http.Get(e.cloud.APIURL() + "/items/it_42?expand=1")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var got map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 201 || resp.Header.Get("X-Probe") != "yes" {
			t.Fatalf("status %d, X-Probe %q; want 201 and the function's header", resp.StatusCode, resp.Header.Get("X-Probe"))
		}
		if got["routeKey"] != "GET /items/{id}" || got["path"] != "/items/it_42" || got["query"] != "expand=1" {
			t.Errorf("event seen by the function: %v", got)
		}
		if params, _ := got["pathParameters"].(map[string]any); params["id"] != "it_42" {
			t.Errorf("pathParameters = %v, want id=it_42", got["pathParameters"])
		}

		post, err := http.Post(e.cloud.APIURL()+"/items", "application/json", strings.NewReader(`{"a":1}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(post.Body)
		post.Body.Close()
		if post.StatusCode != 201 || !strings.Contains(string(body), `"body":"{\"a\":1}"`) {
			t.Errorf("POST /items: %d %s", post.StatusCode, body)
		}

		miss, err := http.Get(e.cloud.APIURL() + "/nothing-here")
		if err != nil {
			t.Fatal(err)
		}
		miss.Body.Close()
		if miss.StatusCode != 404 {
			t.Errorf("unrouted path: status %d, want 404", miss.StatusCode)
		}
	})

	t.Run("SQSPartialBatchFailureRetriesOnlyTheFailedMessageThenDLQ", func(t *testing.T) {
		t.Parallel()
		e.send("BatchQueue", "ok:a", "fail:b", "ok:c")
		for _, pk := range []string{"ok:a", "ok:c"} {
			e.waitFor(pk, 20*time.Second, pk+" processed", func(it []map[string]string) bool { return len(outcomes(it, "done")) == 1 })
		}
		// maxReceiveCount is 2: the failing message is delivered twice, then moved to the DLQ.
		dlq := e.cloud.Resource("BatchDLQ")
		var moved []sqstypes.Message
		deadline := time.Now().Add(20 * time.Second)
		for len(moved) == 0 && time.Now().Before(deadline) {
			out, err := e.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
				QueueUrl: aws.String(dlq), WaitTimeSeconds: 1, MaxNumberOfMessages: 10,
			})
			if err != nil {
				t.Fatal(err)
			}
			moved = out.Messages
		}
		if len(moved) != 1 || aws.ToString(moved[0].Body) != "fail:b" {
			t.Fatalf("DLQ holds %d messages (%v), want exactly fail:b", len(moved), moved)
		}
		failed := outcomes(e.seenItems(context.Background(), "fail:b"), "failed")
		if len(failed) != 2 {
			t.Errorf("fail:b delivered %d times, want 2 (maxReceiveCount): %v", len(failed), failed)
		}
		// The messages that succeeded were deleted with the batch: never seen again.
		time.Sleep(1500 * time.Millisecond)
		for _, pk := range []string{"ok:a", "ok:c"} {
			if n := len(e.seenItems(context.Background(), pk)); n != 1 {
				t.Errorf("%s seen %d times, want 1", pk, n)
			}
		}
	})

	t.Run("StreamDeliversInsertAndModifyInOrder", func(t *testing.T) {
		t.Parallel()
		table := e.cloud.Resource("WatchedTable")
		ctx := context.Background()
		for v := 1; v <= 4; v++ {
			_, err := e.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
				"pk": &types.AttributeValueMemberS{Value: "item-1"}, "version": &types.AttributeValueMemberN{Value: strconv.Itoa(v)},
			}})
			if err != nil {
				t.Fatal(err)
			}
		}
		items := e.waitFor("stream:item-1", 20*time.Second, "4 stream records", func(it []map[string]string) bool { return len(it) >= 4 })
		if len(items) != 4 {
			t.Fatalf("got %d records, want 4: %v", len(items), items)
		}
		// Sorted by sequence number (the sort key) they must read INSERT v1, MODIFY v2..v4,
		// and have arrived at the function in that order.
		var prevArrived time.Time
		for i, it := range items {
			wantName := "MODIFY"
			if i == 0 {
				wantName = "INSERT"
			}
			if it["eventName"] != wantName || it["version"] != strconv.Itoa(i+1) {
				t.Errorf("record %d = %s v%s, want %s v%d", i, it["eventName"], it["version"], wantName, i+1)
			}
			arrived, _ := time.Parse(time.RFC3339Nano, it["arrived"])
			if arrived.Before(prevArrived) {
				t.Errorf("record %d arrived before record %d", i, i-1)
			}
			prevArrived = arrived
		}
	})

	t.Run("StreamPoisonRecordGoesToOnFailureDestinationAndShardMovesOn", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		table := e.cloud.Resource("PoisonTable")
		for _, it := range []map[string]types.AttributeValue{
			{"pk": &types.AttributeValueMemberS{Value: "p-ok-1"}},
			{"pk": &types.AttributeValueMemberS{Value: "p-bad"}, "poison": &types.AttributeValueMemberBOOL{Value: true}},
			{"pk": &types.AttributeValueMemberS{Value: "p-ok-2"}},
		} {
			if _, err := e.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: it}); err != nil {
				t.Fatal(err)
			}
		}
		// Bisection isolates the poison record; its neighbours are processed.
		for _, pk := range []string{"stream:p-ok-1", "stream:p-ok-2"} {
			e.waitFor(pk, 30*time.Second, pk, func(it []map[string]string) bool { return len(it) == 1 })
		}
		out, err := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(e.cloud.Resource("PoisonFailures")), WaitTimeSeconds: 10, MaxNumberOfMessages: 10,
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) != 1 {
			t.Fatalf("on-failure destination holds %d messages, want 1", len(out.Messages))
		}
		var rec struct {
			RequestContext struct{ Condition string } `json:"requestContext"`
			Batch          struct {
				BatchSize int    `json:"batchSize"`
				StreamArn string `json:"streamArn"`
			} `json:"DDBStreamBatchInfo"`
		}
		if err := json.Unmarshal([]byte(aws.ToString(out.Messages[0].Body)), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.RequestContext.Condition != "RetryAttemptsExhausted" || rec.Batch.BatchSize != 1 ||
			rec.Batch.StreamArn != e.cloud.ResourceAttr("PoisonTable", "StreamArn") {
			t.Errorf("on-failure record = %+v", rec)
		}
		if got := e.seenItems(ctx, "stream:p-bad"); len(got) != 0 {
			t.Errorf("the poison record was recorded: %v", got)
		}
	})

	t.Run("ScheduleFires", func(t *testing.T) {
		t.Parallel()
		// On its own: rate(10 minutes) at 600x fires about every second.
		e.waitFor("schedule", 20*time.Second, "the rate schedule", func(it []map[string]string) bool {
			for _, i := range it {
				if i["sk"] == "often" {
					return true
				}
			}
			return false
		})
		// And on demand, like a person running a daily job now.
		req, _ := http.NewRequest(http.MethodPost, e.cloud.AWSEndpoint()+"/_localcloud/schedules/ScheduleFn.Daily/fire", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("fire: status %d", resp.StatusCode)
		}
		e.waitFor("schedule", 20*time.Second, "the fired daily schedule", func(it []map[string]string) bool {
			for _, i := range it {
				if i["detailType"] == "Scheduled Event" && i["source"] == "aws.events" {
					return true
				}
			}
			return false
		})
		for _, name := range []string{"NoSuchSchedule", "ScheduleFn"} { // unknown; ambiguous (two schedules)
			if err := e.cloud.FireSchedule(context.Background(), name); !errors.Is(err, localcloud.ErrNoSchedule) {
				t.Errorf("FireSchedule(%q): err = %v, want ErrNoSchedule", name, err)
			}
		}
	})

	t.Run("S3UploadReachesFunction", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		bucket := e.cloud.Resource("UploadBucket")
		for _, key := range []string{"incoming/day 1.csv", "incoming/ignored.txt", "elsewhere/x.csv"} {
			if _, err := e.s3.PutObject(ctx, &s3.PutObjectInput{
				Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("a,b\n1,2\n"),
			}); err != nil {
				t.Fatal(err)
			}
		}
		// Notification keys are URL-encoded as S3 sends them (a space becomes '+').
		items := e.waitFor("s3:incoming/day+1.csv", 20*time.Second, "the upload notification", func(it []map[string]string) bool { return len(it) == 1 })
		if items[0]["sk"] != "ObjectCreated:Put" || items[0]["bucket"] != bucket || items[0]["size"] != "8" {
			t.Errorf("notification seen: %v", items[0])
		}
		time.Sleep(time.Second)
		for _, pk := range []string{"s3:incoming/ignored.txt", "s3:elsewhere/x.csv"} {
			if got := e.seenItems(ctx, pk); len(got) != 0 {
				t.Errorf("%s passed the prefix/suffix filter: %v", pk, got)
			}
		}
	})

	t.Run("TimeoutStopsFunctionAndMessageIsRetried", func(t *testing.T) {
		t.Parallel()
		e.send("SlowQueue", "slow:1")
		started := e.waitFor("slow:1", 20*time.Second, "first attempt", func(it []map[string]string) bool { return len(outcomes(it, "started")) == 1 })
		items := e.waitFor("slow:1", 30*time.Second, "retry after the timeout", func(it []map[string]string) bool { return len(outcomes(it, "done")) == 1 })
		done := outcomes(items, "done")[0]
		if done["count"] != "2" {
			t.Errorf("completed on delivery %s, want 2 (the first timed out)", done["count"])
		}
		pid, _ := strconv.Atoi(outcomes(started, "started")[0]["pid"])
		if pid == 0 || processAlive(pid) {
			t.Errorf("the timed-out instance (pid %d) is still running", pid)
		}
	})

	t.Run("KilledProcessLosesNoMessage", func(t *testing.T) {
		t.Parallel()
		e.send("KillQueue", "hang:1")
		started := e.waitFor("hang:1", 20*time.Second, "first attempt", func(it []map[string]string) bool { return len(outcomes(it, "started")) == 1 })
		pid, _ := strconv.Atoi(outcomes(started, "started")[0]["pid"])
		if pid == 0 {
			t.Fatalf("no pid recorded: %v", started)
		}
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatalf("kill %d: %v", pid, err)
		}
		e.waitFor("hang:1", 30*time.Second, "redelivery after the kill", func(it []map[string]string) bool { return len(outcomes(it, "done")) == 1 })
		time.Sleep(4 * time.Second) // one more visibility timeout: nothing may arrive twice
		items := e.seenItems(context.Background(), "hang:1")
		if n := len(outcomes(items, "done")); n != 1 {
			t.Errorf("hang:1 completed %d times, want 1: %v", n, items)
		}
	})
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
