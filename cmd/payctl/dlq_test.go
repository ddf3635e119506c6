package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	localddb "github.com/paylane/paylane/infra/localcloud/dynamodb"
	localeb "github.com/paylane/paylane/infra/localcloud/eventbridge"
	localsqs "github.com/paylane/paylane/infra/localcloud/sqs"
	"github.com/paylane/paylane/shared/dynamostore"
	"github.com/paylane/paylane/shared/payment"
)

// stack is the local cloud's DynamoDB (with streams), SQS and EventBridge on one endpoint,
// dispatched by X-Amz-Target as the local cloud's router does, with what template.yaml
// declares for the money pipeline: the payments and ops tables, the bus, worker queues with
// their DLQs, the relay's failure and poison queues, and a queue "seen" that receives every
// payment event on the bus. The process's AWS configuration points at it, as an operator's
// would with AWS_ENDPOINT_URL.
type stack struct {
	ddb     *dynamodb.Client
	streams *dynamodbstreams.Client
	sqs     *sqs.Client
	eb      *eventbridge.Client
	urls    map[string]string // queue URLs by name
}

func newStack(t *testing.T) *stack {
	t.Helper()
	ddb := localddb.New(localddb.Options{})
	queues := localsqs.New(localsqs.Options{TickInterval: 5 * time.Millisecond})
	bus := localeb.New(localeb.Options{Queues: queues})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch target := r.Header.Get("X-Amz-Target"); {
		case strings.HasPrefix(target, "DynamoDB"):
			ddb.ServeHTTP(w, r)
		case strings.HasPrefix(target, "AmazonSQS."):
			queues.ServeHTTP(w, r)
		case strings.HasPrefix(target, "AWSEvents."):
			bus.ServeHTTP(w, r)
		default:
			http.Error(w, "no service for "+target, http.StatusBadRequest)
		}
	}))
	t.Cleanup(func() { srv.Close(); _ = bus.Close(); queues.Close(); ddb.Close() })
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	s := &stack{
		ddb:     dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds}),
		streams: dynamodbstreams.New(dynamodbstreams.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds}),
		sqs:     sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds}),
		eb:      eventbridge.New(eventbridge.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds}),
		urls:    map[string]string{},
	}
	ctx := context.Background()
	for _, table := range []string{"paylane-payments", "paylane-ops"} {
		in := &dynamodb.CreateTableInput{
			TableName: aws.String(table), BillingMode: ddbtypes.BillingModePayPerRequest,
			AttributeDefinitions: []ddbtypes.AttributeDefinition{
				{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
				{AttributeName: aws.String("sk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
			},
			KeySchema: []ddbtypes.KeySchemaElement{
				{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash},
				{AttributeName: aws.String("sk"), KeyType: ddbtypes.KeyTypeRange},
			},
		}
		if table == "paylane-payments" {
			in.StreamSpecification = &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeNewAndOldImages}
		}
		if _, err := s.ddb.CreateTable(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"paylane-capture-dlq", "paylane-ledger-dlq", "paylane-outbox-relay-failures", "paylane-outbox-poison", "paylane-seen", "other-capture-dlq"} {
		s.createQueue(t, name, nil)
	}
	for _, name := range []string{"paylane-capture", "paylane-ledger"} {
		policy := fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":1}`, s.arn(t, name+"-dlq"))
		s.createQueue(t, name, map[string]string{"RedrivePolicy": policy})
	}
	if _, err := s.eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("paylane")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("all"), EventBusName: aws.String("paylane"), EventPattern: aws.String(`{"source":["paylane.payments"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("all"), EventBusName: aws.String("paylane"),
		Targets: []ebtypes.Target{{Id: aws.String("seen"), Arn: aws.String(s.arn(t, "paylane-seen"))}}}); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *stack) createQueue(t *testing.T, name string, attrs map[string]string) {
	t.Helper()
	out, err := s.sqs.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	s.urls[name] = aws.ToString(out.QueueUrl)
}

func (s *stack) arn(t *testing.T, queue string) string {
	t.Helper()
	return s.attr(t, queue, sqstypes.QueueAttributeNameQueueArn)
}

func (s *stack) attr(t *testing.T, queue string, name sqstypes.QueueAttributeName) string {
	t.Helper()
	out, err := s.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(s.urls[queue]), AttributeNames: []sqstypes.QueueAttributeName{name}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Attributes[string(name)]
}

// depth is how many messages queue holds, visible and in flight.
func (s *stack) depth(t *testing.T, queue string) (visible, inFlight int) {
	t.Helper()
	visible, _ = strconv.Atoi(s.attr(t, queue, sqstypes.QueueAttributeNameApproximateNumberOfMessages))
	inFlight, _ = strconv.Atoi(s.attr(t, queue, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible))
	return visible, inFlight
}

func (s *stack) send(t *testing.T, queue, body string) string {
	t.Helper()
	out, err := s.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(s.urls[queue]), MessageBody: aws.String(body)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.MessageId)
}

// deadLetter sends body to queue and has a consumer fail it until SQS moves it to the
// queue's DLQ (maxReceiveCount 1). It returns the message id, which the move keeps.
func (s *stack) deadLetter(t *testing.T, queue, body string) string {
	t.Helper()
	id := s.send(t, queue, body)
	before, _ := s.depth(t, queue+"-dlq")
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		out, err := s.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(s.urls[queue]), MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages { // the consumer fails: back to the queue at once
			if _, err := s.sqs.ChangeMessageVisibility(context.Background(), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(s.urls[queue]), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
		if now, _ := s.depth(t, queue+"-dlq"); now > before {
			return id
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s was not dead-lettered", id)
	return ""
}

// drain receives every message of queue, waiting up to a few seconds for n of them.
func (s *stack) drain(t *testing.T, queue string, n int) []string {
	t.Helper()
	var bodies []string
	deadline := time.Now().Add(5 * time.Second)
	for len(bodies) < n && time.Now().Before(deadline) {
		out, err := s.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(s.urls[queue]), MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
		}
	}
	if len(bodies) != n {
		t.Fatalf("%s: %d messages, want %d: %q", queue, len(bodies), n, bodies)
	}
	return bodies
}

// seenEvents are the payment events that reached the bus, by id, in arrival order.
func (s *stack) seenEvents(t *testing.T, n int) []payment.Event {
	t.Helper()
	var out []payment.Event
	for _, body := range s.drain(t, "paylane-seen", n) {
		var env struct {
			Detail payment.Event `json:"detail"`
		}
		if err := json.Unmarshal([]byte(body), &env); err != nil {
			t.Fatal(err)
		}
		out = append(out, env.Detail)
	}
	return out
}

func busEventBody(id, typ, pay string) string {
	return fmt.Sprintf(`{"version":"0","id":"eb-%s","detail-type":%q,"source":"paylane.payments","account":"000000000000","time":"2025-03-01T09:30:00Z","region":"us-east-1","resources":[],"detail":{"id":%q,"type":%q,"paymentId":%q,"merchantId":"m_shop","version":1,"data":{}}}`, id, typ, id, typ, pay)
}

func TestDLQList(t *testing.T) {
	s := newStack(t)
	s.deadLetter(t, "paylane-capture", busEventBody("evt_1", "payment.capture_requested", "pay_a"))
	s.deadLetter(t, "paylane-capture", busEventBody("evt_2", "payment.capture_requested", "pay_b"))
	code, out, stderr := payctl(t, nil, "dlq", "list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		f := strings.Fields(line)
		rows[f[0]] = f
	}
	if got := rows["paylane-capture-dlq"]; len(got) != 5 || got[1] != "paylane-capture" || got[2] != "2" || got[4] == "-" {
		t.Errorf("capture DLQ row %q, want source paylane-capture, 2 messages and an age\n%s", got, out)
	}
	if got := rows["paylane-ledger-dlq"]; len(got) != 5 || got[2] != "0" || got[4] != "-" {
		t.Errorf("ledger DLQ row %q\n%s", got, out)
	}
	for _, q := range []string{"paylane-outbox-relay-failures", "paylane-outbox-poison"} {
		if _, ok := rows[q]; !ok {
			t.Errorf("%s is not listed\n%s", q, out)
		}
	}
	for _, q := range []string{"paylane-capture", "paylane-seen", "other-capture-dlq"} {
		if _, ok := rows[q]; ok {
			t.Errorf("%s is listed: not a dead-letter queue of the stack\n%s", q, out)
		}
	}
	if age, err := time.ParseDuration(rows["paylane-capture-dlq"][4]); err != nil || age < 0 || age > time.Minute {
		t.Errorf("oldest %q: want the few seconds since the test sent it", rows["paylane-capture-dlq"][4])
	}
}

func TestDLQShow(t *testing.T) {
	s := newStack(t)
	failed := s.deadLetter(t, "paylane-capture", busEventBody("evt_1", "payment.capture_requested", "pay_a"))
	unexplained := s.deadLetter(t, "paylane-capture", busEventBody("evt_2", "payment.capture_requested", "pay_b"))
	ops := dynamostore.NewOps(s.ddb, "paylane-ops", dynamostore.Options{})
	for range 3 {
		if err := ops.Record(context.Background(), "paylane-capture", failed, "pg: capture refused: already_captured"); err != nil {
			t.Fatal(err)
		}
	}
	for _, arg := range []string{"paylane-capture-dlq", "capture-dlq", s.urls["paylane-capture-dlq"]} {
		code, out, stderr := payctl(t, nil, "dlq", "show", arg)
		if code != 0 {
			t.Fatalf("show %s: exit %d: %s", arg, code, stderr)
		}
		blocks := map[string]string{}
		for _, b := range strings.Split(out, "\nmessage ")[1:] {
			blocks[strings.Fields(b)[0]] = b
		}
		if b := blocks[failed]; !strings.Contains(b, "payment.capture_requested evt_1 of payment pay_a") ||
			!strings.Contains(b, "reason: pg: capture refused: already_captured (failed 3 times in paylane-capture)") ||
			!regexp.MustCompile(`receives \d+ +sent 20\d\d-`).MatchString(b) {
			t.Errorf("show %s: message %s:\n%s", arg, failed, b)
		}
		if b := blocks[unexplained]; !strings.Contains(b, "pay_b") || !strings.Contains(b, "reason: not recorded") {
			t.Errorf("show %s: message %s:\n%s", arg, unexplained, b)
		}
	}
	if visible, _ := s.depth(t, "paylane-capture-dlq"); visible != 2 {
		t.Errorf("after show the DLQ holds %d visible messages, want 2: show must not consume", visible)
	}
	for _, bad := range []string{"paylane-capture", "nope", "http://127.0.0.1:1/000000000000/paylane-nope"} {
		if code, _, stderr := payctl(t, nil, "dlq", "show", bad); code != 1 || !strings.Contains(stderr, "dlq list") {
			t.Errorf("show %s: exit %d %q", bad, code, stderr)
		}
	}
}

func TestDLQShowRelayQueues(t *testing.T) {
	s := newStack(t)
	s.send(t, "paylane-outbox-relay-failures", `{"requestContext":{"condition":"RetryAttemptsExhausted","approximateInvokeCount":11},"responseContext":{"statusCode":200,"functionError":"Unhandled"},"version":"1.0","DDBStreamBatchInfo":{"shardId":"shardId-1","startSequenceNumber":"100000000000000000001","endSequenceNumber":"100000000000000000009","batchSize":9,"streamArn":"arn:x"}}`)
	s.send(t, "paylane-outbox-poison", `{"reason":"the event envelope has no id","record":{"eventName":"INSERT","dynamodb":{"Keys":{"pk":{"S":"PAY#pay_p"},"sk":{"S":"OUTBOX#0000000002#e"}},"SequenceNumber":"100000000000000000004"}}}`)
	code, out, _ := payctl(t, nil, "dlq", "show", "outbox-relay-failures")
	if code != 0 || !strings.Contains(out, "stream batch of 9 records: shard shardId-1, sequence 100000000000000000001..100000000000000000009, after 11 invocations") ||
		!strings.Contains(out, "reason: RetryAttemptsExhausted, function error Unhandled") {
		t.Errorf("failures: %d\n%s", code, out)
	}
	code, out, _ = payctl(t, nil, "dlq", "show", "outbox-poison")
	if code != 0 || !strings.Contains(out, "poison stream record 100000000000000000004: pk PAY#pay_p sk OUTBOX#0000000002#e") ||
		!strings.Contains(out, "reason: the event envelope has no id") {
		t.Errorf("poison: %d\n%s", code, out)
	}
}

func TestDLQRedriveMovesMessagesBack(t *testing.T) {
	s := newStack(t)
	for i := range 3 {
		s.deadLetter(t, "paylane-capture", busEventBody(fmt.Sprint("evt_", i), "payment.capture_requested", "pay_a"))
	}
	code, out, stderr := payctl(t, nil, "dlq", "redrive", "paylane-capture-dlq")
	if code != 0 || !strings.Contains(out, "moved 3 messages from paylane-capture-dlq back to paylane-capture") {
		t.Fatalf("exit %d: %q %q", code, out, stderr)
	}
	if visible, inFlight := s.depth(t, "paylane-capture-dlq"); visible+inFlight != 0 {
		t.Errorf("the DLQ still holds %d+%d messages", visible, inFlight)
	}
	s.drain(t, "paylane-capture", 3)
}

// outboxStream writes payments through dynamostore, so their outbox items are what the
// relay sees, and returns the stream records the table's stream holds.
func (s *stack) outboxStream(t *testing.T) (streamARN, shardID string, seqs []string) {
	t.Helper()
	ctx := context.Background()
	desc, err := s.ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("paylane-payments")})
	if err != nil {
		t.Fatal(err)
	}
	streamARN = aws.ToString(desc.Table.LatestStreamArn)
	ds, err := s.streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(streamARN)})
	if err != nil {
		t.Fatal(err)
	}
	shardID = aws.ToString(ds.StreamDescription.Shards[0].ShardId)
	it, err := s.streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(streamARN), ShardId: aws.String(shardID), ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := s.streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs.Records {
		seqs = append(seqs, aws.ToString(r.Dynamodb.SequenceNumber))
	}
	return streamARN, shardID, seqs
}

var t0 = time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)

// authorizeAndCapture stores an authorized payment and its capture request: two outbox
// events, in that order.
func (s *stack) authorizeAndCapture(t *testing.T, id string) []payment.Event {
	t.Helper()
	store := dynamostore.NewPayments(s.ddb, "paylane-payments", dynamostore.Options{Now: func() time.Time { return t0 }})
	p, authorized := payment.Authorize(payment.NewPayment{ID: id, MerchantID: "m_shop", OrderID: "o-" + id, Amount: 15000, Currency: "KRW"},
		payment.Authorization{Approved: true, PGTransactionID: "pgtx_" + id}, "evt_auth_"+id, t0)
	if err := store.Insert(context.Background(), p, authorized, nil); err != nil {
		t.Fatal(err)
	}
	capture, err := p.RequestCapture(0, "evt_cap_"+id, t0.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Update(context.Background(), p, []payment.Event{capture}, nil); err != nil {
		t.Fatal(err)
	}
	return []payment.Event{authorized, capture}
}

func onFailureRecord(streamARN, shardID, first, last string, size int) string {
	return fmt.Sprintf(`{"requestContext":{"requestId":"r1","functionArn":"arn:aws:lambda:us-east-1:000000000000:function:paylane-outbox-relay","condition":"RetryAttemptsExhausted","approximateInvokeCount":11},"responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},"version":"1.0","timestamp":"2025-03-01T09:31:00.000Z","DDBStreamBatchInfo":{"shardId":%q,"startSequenceNumber":%q,"endSequenceNumber":%q,"approximateArrivalOfFirstRecord":"2025-03-01T09:30:00Z","approximateArrivalOfLastRecord":"2025-03-01T09:30:01Z","batchSize":%d,"streamArn":%q}}`,
		shardID, first, last, size, streamARN)
}

func TestDLQRedriveRelayFailuresRepublishesTheShardRange(t *testing.T) {
	s := newStack(t)
	a := s.authorizeAndCapture(t, "pay_a")
	// A poison outbox item inside the range: the relay's own code quarantines it.
	if _, err := s.ddb.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("paylane-payments"), Item: map[string]ddbtypes.AttributeValue{
		"pk": &ddbtypes.AttributeValueMemberS{Value: "PAY#pay_p"}, "sk": &ddbtypes.AttributeValueMemberS{Value: "OUTBOX#0000000001#evt_bad"},
	}}); err != nil {
		t.Fatal(err)
	}
	b := s.authorizeAndCapture(t, "pay_b")
	s.authorizeAndCapture(t, "pay_after") // after the failed range: not published
	streamARN, shardID, seqs := s.outboxStream(t)
	// Each payment: authorize and capture each write the payment and an outbox item.
	if len(seqs) != 13 {
		t.Fatalf("%d stream records, want 13", len(seqs))
	}
	s.send(t, "paylane-outbox-relay-failures", onFailureRecord(streamARN, shardID, seqs[0], seqs[8], 9))

	code, out, stderr := payctl(t, nil, "dlq", "redrive", "paylane-outbox-relay-failures")
	if code != 0 || !strings.Contains(out, "9 records relayed") || !strings.Contains(out, "redriven 1 messages of paylane-outbox-relay-failures, 0 failed") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	var got []string
	for _, ev := range s.seenEvents(t, 4) {
		got = append(got, ev.ID)
	}
	want := []string{a[0].ID, a[1].ID, b[0].ID, b[1].ID}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("published %v, want %v", got, want)
	}
	if poison := s.drain(t, "paylane-outbox-poison", 1); !strings.Contains(poison[0], "evt_bad") {
		t.Errorf("quarantined %s", poison[0])
	}
	if visible, inFlight := s.depth(t, "paylane-outbox-relay-failures"); visible+inFlight != 0 {
		t.Errorf("the failure record is still there (%d+%d)", visible, inFlight)
	}
}

func TestDLQRedriveRelayFailuresKeepsWhatItCannotRedrive(t *testing.T) {
	s := newStack(t)
	s.authorizeAndCapture(t, "pay_a")
	streamARN, shardID, seqs := s.outboxStream(t)
	for _, body := range []string{
		onFailureRecord(streamARN, shardID, seqs[0], "100000000000000009999", 3), // the range ends past the shard's end
		onFailureRecord(streamARN, "shardId-nope", seqs[0], seqs[1], 2),
		`{"not":"a failure record"}`,
		`not json`,
	} {
		s.send(t, "paylane-outbox-relay-failures", body)
	}
	code, out, _ := payctl(t, nil, "dlq", "redrive", "outbox-relay-failures")
	if code != 1 || !strings.Contains(out, "redriven 0 messages of paylane-outbox-relay-failures, 4 failed") || strings.Count(out, "(kept)") != 4 {
		t.Errorf("exit %d\n%s", code, out)
	}
	if visible, inFlight := s.depth(t, "paylane-outbox-relay-failures"); visible+inFlight != 4 {
		t.Errorf("%d+%d messages left, want all 4 kept", visible, inFlight)
	}
}

func TestDLQRedrivePoisonRecords(t *testing.T) {
	s := newStack(t)
	good, err := json.Marshal(payment.Event{ID: "evt_fixed", Type: payment.EventCaptured, PaymentID: "pay_f", MerchantID: "m_shop", Version: 1, OccurredAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	record := func(seq, event string) string {
		img := `{"pk":{"S":"PAY#pay_f"},"sk":{"S":"OUTBOX#0000000003#evt_fixed"}`
		if event != "" {
			img += `,"event":{"S":` + strconv.Quote(event) + `}`
		}
		img += "}"
		return `{"eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":{"Keys":{"pk":{"S":"PAY#pay_f"},"sk":{"S":"OUTBOX#0000000003#evt_fixed"}},"NewImage":` + img + `,"SequenceNumber":"` + seq + `","StreamViewType":"NEW_AND_OLD_IMAGES"}}`
	}
	// One the relay can read now (say, quarantined by an older relay), one still poison.
	s.send(t, "paylane-outbox-poison", `{"reason":"unknown envelope version","record":`+record("100000000000000000001", string(good))+`}`)
	s.send(t, "paylane-outbox-poison", `{"reason":"no event","record":`+record("100000000000000000002", "")+`}`)
	code, out, _ := payctl(t, nil, "dlq", "redrive", "paylane-outbox-poison")
	if code != 1 || !strings.Contains(out, "redriven 1 messages of paylane-outbox-poison, 1 failed") || !strings.Contains(out, "could not be published") {
		t.Errorf("exit %d\n%s", code, out)
	}
	if evs := s.seenEvents(t, 1); evs[0].ID != "evt_fixed" {
		t.Errorf("published %+v", evs[0])
	}
	if visible, inFlight := s.depth(t, "paylane-outbox-poison"); visible+inFlight != 1 {
		t.Errorf("%d+%d messages left, want the one still poison", visible, inFlight)
	}
}

func TestDLQUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"dlq"}, {"dlq", "frob"}, {"dlq", "show"}, {"dlq", "redrive", "a", "b"}, {"dlq", "list", "x"}} {
		if code, _, stderr := payctl(t, nil, args...); code != 2 || !strings.Contains(stderr, "usage") {
			t.Errorf("%v: exit %d %q", args, code, stderr)
		}
	}
}

func TestDescribeBody(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ body, what, reason string }{
		{busEventBody("evt_1", "payment.refund_requested", "pay_r"), "event payment.refund_requested evt_1 of payment pay_r (merchant m_shop)", "not recorded"},
		{"plain text", "body: plain text", "not recorded"},
		{`{"x":1}`, `body: {"x":1}`, "not recorded"},
		{`"` + strings.Repeat("a", 300) + `"`, "body: \"" + strings.Repeat("a", 199) + "…", "not recorded"},
		{`{"reason":"bad","record":{"dynamodb":{"SequenceNumber":"7"}}}`, "poison stream record 7: pk ", "bad"},
	} {
		what, reason := describeBody(tc.body)
		if !strings.HasPrefix(what, tc.what) || reason != tc.reason {
			t.Errorf("describeBody(%.40q) = %q, %q; want %q, %q", tc.body, what, reason, tc.what, tc.reason)
		}
	}
}
