package sqs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// With BaseURL set, queue URLs name the local cloud's public endpoint
// whatever address the request came through.
func TestQueueURLUsesBaseURL(t *testing.T) {
	t.Parallel()
	svc := New(Options{BaseURL: "http://127.0.0.1:4566/"})
	srv := httptest.NewServer(svc)
	t.Cleanup(func() { srv.Close(); svc.Close() })
	client := awssqs.New(awssqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	out, err := client.CreateQueue(ctx(t), &awssqs.CreateQueueInput{QueueName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.QueueUrl); got != "http://127.0.0.1:4566/000000000000/orders" {
		t.Errorf("QueueUrl = %s", got)
	}
	// The URL works through the test server's other address.
	if _, err := client.SendMessage(ctx(t), &awssqs.SendMessageInput{QueueUrl: out.QueueUrl, MessageBody: aws.String("x")}); err != nil {
		t.Fatal(err)
	}
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
// "If you specify the name of an existing queue and provide the exact same
// names and values for all its attributes, CreateQueue returns the URL of
// the existing queue"; different values fail.
func TestCreateQueue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", map[string]string{"VisibilityTimeout": "60"})
	if !strings.HasSuffix(url, "/000000000000/orders") || !strings.HasPrefix(url, e.srv.URL) {
		t.Fatalf("QueueUrl = %s", url)
	}
	e.createQueue("dlq", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"denyAll"}`})

	tests := []struct {
		name  string
		queue string
		attrs map[string]string
		check func(t *testing.T, err error)
	}{
		{"same attributes is idempotent", "orders", map[string]string{"VisibilityTimeout": "60"}, func(t *testing.T, err error) {
			if err != nil {
				t.Fatal(err)
			}
		}},
		{"no attributes is idempotent", "orders", nil, func(t *testing.T, err error) {
			if err != nil {
				t.Fatal(err)
			}
		}},
		{"different attribute", "orders", map[string]string{"VisibilityTimeout": "61"}, func(t *testing.T, err error) {
			wantTyped[*types.QueueNameExists](t, err)
			wantAPIError(t, err, "QueueAlreadyExists")
		}},
		{"invalid name", "bad name!", nil, func(t *testing.T, err error) { wantAPIError(t, err, "InvalidParameterValue") }},
		{"name too long", strings.Repeat("a", 81), nil, func(t *testing.T, err error) { wantAPIError(t, err, "InvalidParameterValue") }},
		{"FIFO attribute", "jobs", map[string]string{"FifoQueue": "true"}, func(t *testing.T, err error) {
			wantTyped[*types.UnsupportedOperation](t, err)
			if !strings.Contains(err.Error(), "FIFO") {
				t.Errorf("error %v does not say FIFO", err)
			}
		}},
		{"FIFO name", "jobs.fifo", nil, func(t *testing.T, err error) { wantTyped[*types.UnsupportedOperation](t, err) }},
		{"value out of range", "q1", map[string]string{"VisibilityTimeout": "43201"}, func(t *testing.T, err error) {
			wantTyped[*types.InvalidAttributeValue](t, err)
		}},
		{"not a number", "q1", map[string]string{"DelaySeconds": "soon"}, func(t *testing.T, err error) {
			wantTyped[*types.InvalidAttributeValue](t, err)
		}},
		{"message size below 1 KiB", "q1", map[string]string{"MaximumMessageSize": "1023"}, func(t *testing.T, err error) {
			wantTyped[*types.InvalidAttributeValue](t, err)
		}},
		{"unknown attribute", "q1", map[string]string{"Colour": "blue"}, func(t *testing.T, err error) {
			wantTyped[*types.InvalidAttributeName](t, err)
		}},
		{"FIFO-only attribute on a standard queue", "q1", map[string]string{"ContentBasedDeduplication": "true"}, func(t *testing.T, err error) {
			wantTyped[*types.InvalidAttributeName](t, err)
		}},
		{"dead-letter target missing", "q1", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:nope","maxReceiveCount":3}`}, func(t *testing.T, err error) {
			wantAPIError(t, err, "InvalidParameterValue")
		}},
		{"maxReceiveCount out of range", "q1", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:orders","maxReceiveCount":0}`}, func(t *testing.T, err error) {
			wantAPIError(t, err, "InvalidParameterValue")
		}},
		{"target denies redrive", "q1", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":3}`}, func(t *testing.T, err error) {
			wantAPIError(t, err, "InvalidParameterValue")
		}},
		{"bad RedriveAllowPolicy", "q1", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"byQueue"}`}, func(t *testing.T, err error) {
			wantAPIError(t, err, "InvalidParameterValue")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.CreateQueue(ctx(t), &awssqs.CreateQueueInput{QueueName: aws.String(tt.queue), Attributes: tt.attrs})
			tt.check(t, err)
		})
	}
	// Nothing of the failed creations exists.
	if _, err := e.client.GetQueueUrl(ctx(t), &awssqs.GetQueueUrlInput{QueueName: aws.String("q1")}); err == nil {
		t.Error("a failed CreateQueue left a queue behind")
	}
}

func TestCreateQueueRedrivePolicyForms(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dlq := e.createQueue("dlq", nil)
	arn := e.queueARN(dlq)
	// maxReceiveCount as a string, as CloudFormation templates write it.
	src := e.createQueue("src", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + arn + `","maxReceiveCount":"5"}`})
	got := e.attributes(src, types.QueueAttributeNameRedrivePolicy)["RedrivePolicy"]
	var p struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
		MaxReceiveCount     int    `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(got), &p); err != nil || p.DeadLetterTargetArn != arn || p.MaxReceiveCount != 5 {
		t.Fatalf("RedrivePolicy = %s (%v)", got, err)
	}
	// Re-creating with the numeric form is the same policy.
	e.createQueue("src", map[string]string{"RedrivePolicy": `{"maxReceiveCount":5,"deadLetterTargetArn":"` + arn + `"}`})
	// byQueue admits only the listed sources.
	e.createQueue("guarded", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"byQueue","sourceQueueArns":["` + strings.Replace(arn, "dlq", "allowed", 1) + `"]}`})
	guardedARN := strings.Replace(arn, "dlq", "guarded", 1)
	e.createQueue("allowed", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + guardedARN + `","maxReceiveCount":1}`})
	_, err := e.client.CreateQueue(ctx(t), &awssqs.CreateQueueInput{QueueName: aws.String("other"), Attributes: map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"` + guardedARN + `","maxReceiveCount":1}`}})
	wantAPIError(t, err, "InvalidParameterValue")
}

func TestGetQueueURL(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", nil)
	out, err := e.client.GetQueueUrl(ctx(t), &awssqs.GetQueueUrlInput{QueueName: aws.String("orders")})
	if err != nil || aws.ToString(out.QueueUrl) != url {
		t.Fatalf("GetQueueUrl = %v, %v; want %s", aws.ToString(out.QueueUrl), err, url)
	}
	_, err = e.client.GetQueueUrl(ctx(t), &awssqs.GetQueueUrlInput{QueueName: aws.String("missing")})
	wantTyped[*types.QueueDoesNotExist](t, err)
	wantAPIError(t, err, "AWS.SimpleQueueService.NonExistentQueue")
	_, err = e.client.GetQueueUrl(ctx(t), &awssqs.GetQueueUrlInput{QueueName: aws.String("orders"), QueueOwnerAWSAccountId: aws.String("123456789012")})
	wantTyped[*types.QueueDoesNotExist](t, err)
}

func TestQueueURLWithAnyHost(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createQueue("orders", nil)
	tests := []struct {
		url  string
		ok   bool
		name string
	}{
		{"http://localhost:9999/000000000000/orders", true, "other host"},
		{"https://sqs.us-east-1.amazonaws.com/000000000000/orders", true, "AWS host"},
		{"/000000000000/orders", true, "path only"},
		{"http://localhost:9999/123456789012/orders", false, "other account"},
		{"http://localhost:9999/orders", false, "no account"},
		{"http://localhost:9999/000000000000/orders/extra", false, "extra segment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.SendMessage(ctx(t), &awssqs.SendMessageInput{QueueUrl: aws.String(tt.url), MessageBody: aws.String("x")})
			if tt.ok && err != nil {
				t.Fatalf("SendMessage to %s: %v", tt.url, err)
			}
			if !tt.ok {
				wantTyped[*types.QueueDoesNotExist](t, err)
			}
		})
	}
}

func TestListQueues(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var want []string
	for i := range 7 {
		want = append(want, e.createQueue(fmt.Sprintf("orders-%d", i), nil))
	}
	e.createQueue("payments", nil)

	all, err := e.client.ListQueues(ctx(t), &awssqs.ListQueuesInput{})
	if err != nil || len(all.QueueUrls) != 8 || all.NextToken != nil {
		t.Fatalf("ListQueues = %v, %v", all, err)
	}
	prefixed, err := e.client.ListQueues(ctx(t), &awssqs.ListQueuesInput{QueueNamePrefix: aws.String("pay")})
	if err != nil || !slices.Equal(prefixed.QueueUrls, []string{e.srv.URL + "/000000000000/payments"}) {
		t.Fatalf("prefix pay = %v, %v", prefixed.QueueUrls, err)
	}
	// Paging with MaxResults visits each queue once.
	var got []string
	pages := 0
	p := awssqs.NewListQueuesPaginator(e.client, &awssqs.ListQueuesInput{QueueNamePrefix: aws.String("orders-"), MaxResults: aws.Int32(3)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, page.QueueUrls...)
	}
	if pages != 3 || !slices.Equal(got, want) {
		t.Fatalf("paged %d pages: %v, want %v", pages, got, want)
	}
	_, err = e.client.ListQueues(ctx(t), &awssqs.ListQueuesInput{MaxResults: aws.Int32(1001)})
	wantAPIError(t, err, "InvalidParameterValue")
}

func TestDeleteQueue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", nil)
	e.send(url, "x")
	if _, err := e.client.DeleteQueue(ctx(t), &awssqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	_, err := e.client.SendMessage(ctx(t), &awssqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")})
	wantTyped[*types.QueueDoesNotExist](t, err)
	_, err = e.client.DeleteQueue(ctx(t), &awssqs.DeleteQueueInput{QueueUrl: aws.String(url)})
	wantTyped[*types.QueueDoesNotExist](t, err)
	// The name is free again and the new queue starts empty.
	url = e.createQueue("orders", nil)
	if got := e.counts(url); got != [3]string{"0", "0", "0"} {
		t.Fatalf("recreated queue counts = %v", got)
	}
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_PurgeQueue.html
// Purge deletes visible, in-flight and delayed messages; one purge per 60s.
func TestPurgeQueue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", nil)
	e.send(url, "in flight")
	e.receive(url, 1)
	e.send(url, "visible")
	if _, err := e.client.SendMessage(ctx(t), &awssqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("delayed"), DelaySeconds: 30}); err != nil {
		t.Fatal(err)
	}
	if got := e.counts(url); got != [3]string{"1", "1", "1"} {
		t.Fatalf("counts before purge = %v", got)
	}
	if _, err := e.client.PurgeQueue(ctx(t), &awssqs.PurgeQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	if got := e.counts(url); got != [3]string{"0", "0", "0"} {
		t.Fatalf("counts after purge = %v", got)
	}
	_, err := e.client.PurgeQueue(ctx(t), &awssqs.PurgeQueueInput{QueueUrl: aws.String(url)})
	wantTyped[*types.PurgeQueueInProgress](t, err)
	e.clock.Advance(61 * time.Second)
	if _, err := e.client.PurgeQueue(ctx(t), &awssqs.PurgeQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatalf("purge after 61s: %v", err)
	}
}

func TestGetQueueAttributes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	created := e.clock.Now()
	url := e.createQueue("orders", nil)
	all := e.attributes(url, types.QueueAttributeNameAll)
	want := map[string]string{
		"ApproximateNumberOfMessages":           "0",
		"ApproximateNumberOfMessagesNotVisible": "0",
		"ApproximateNumberOfMessagesDelayed":    "0",
		"CreatedTimestamp":                      strconv.FormatInt(created.Unix(), 10),
		"LastModifiedTimestamp":                 strconv.FormatInt(created.Unix(), 10),
		"DelaySeconds":                          "0",
		"MaximumMessageSize":                    "1048576",
		"MessageRetentionPeriod":                "345600",
		"QueueArn":                              "arn:aws:sqs:us-east-1:000000000000:orders",
		"ReceiveMessageWaitTimeSeconds":         "0",
		"VisibilityTimeout":                     "30",
		"SqsManagedSseEnabled":                  "true",
	}
	for k, v := range want {
		if all[k] != v {
			t.Errorf("%s = %q, want %q", k, all[k], v)
		}
	}
	for _, absent := range []string{"RedrivePolicy", "FifoQueue", "Policy", "KmsDataKeyReusePeriodSeconds"} {
		if v, ok := all[absent]; ok {
			t.Errorf("%s reported (%q) on a plain standard queue", absent, v)
		}
	}
	one := e.attributes(url, types.QueueAttributeNameVisibilityTimeout)
	if len(one) != 1 || one["VisibilityTimeout"] != "30" {
		t.Errorf("single attribute = %v", one)
	}
	if none := e.attributes(url); len(none) != 0 {
		t.Errorf("no names requested returned %v", none)
	}
	_, err := e.client.GetQueueAttributes(ctx(t), &awssqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"Colour"}})
	wantTyped[*types.InvalidAttributeName](t, err)
}

func TestSetQueueAttributes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", nil)
	dlq := e.createQueue("dlq", nil)
	e.clock.Advance(10 * time.Second)
	policy := `{"deadLetterTargetArn":"` + e.queueARN(dlq) + `","maxReceiveCount":4}`
	if _, err := e.client.SetQueueAttributes(ctx(t), &awssqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{
		"VisibilityTimeout": "45", "DelaySeconds": "5", "RedrivePolicy": policy, "Policy": `{"Version":"2012-10-17"}`,
	}}); err != nil {
		t.Fatal(err)
	}
	a := e.attributes(url, types.QueueAttributeNameAll)
	if a["VisibilityTimeout"] != "45" || a["DelaySeconds"] != "5" || a["RedrivePolicy"] != policy || a["Policy"] != `{"Version":"2012-10-17"}` {
		t.Errorf("attributes after set = %v", a)
	}
	if a["LastModifiedTimestamp"] != strconv.FormatInt(e.clock.Now().Unix(), 10) || a["LastModifiedTimestamp"] == a["CreatedTimestamp"] {
		t.Errorf("LastModifiedTimestamp = %s, CreatedTimestamp = %s", a["LastModifiedTimestamp"], a["CreatedTimestamp"])
	}
	// An empty RedrivePolicy removes it.
	if _, err := e.client.SetQueueAttributes(ctx(t), &awssqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"RedrivePolicy": ""}}); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.attributes(url, types.QueueAttributeNameAll)["RedrivePolicy"]; ok {
		t.Error("RedrivePolicy still set after clearing it")
	}
	for _, tt := range []struct {
		attrs map[string]string
		check func(*testing.T, error)
	}{
		{map[string]string{"MessageRetentionPeriod": "59"}, func(t *testing.T, err error) { wantTyped[*types.InvalidAttributeValue](t, err) }},
		{map[string]string{"FifoQueue": "false"}, func(t *testing.T, err error) { wantTyped[*types.InvalidAttributeName](t, err) }},
		{map[string]string{"ApproximateNumberOfMessages": "3"}, func(t *testing.T, err error) { wantTyped[*types.InvalidAttributeName](t, err) }},
	} {
		_, err := e.client.SetQueueAttributes(ctx(t), &awssqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: tt.attrs})
		tt.check(t, err)
	}
	if got := e.attributes(url, types.QueueAttributeNameMessageRetentionPeriod)["MessageRetentionPeriod"]; got != "345600" {
		t.Errorf("a rejected change altered MessageRetentionPeriod to %s", got)
	}
}

func TestTags(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	out, err := e.client.CreateQueue(ctx(t), &awssqs.CreateQueueInput{QueueName: aws.String("orders"), Tags: map[string]string{"team": "payments"}})
	if err != nil {
		t.Fatal(err)
	}
	url := out.QueueUrl
	if _, err := e.client.TagQueue(ctx(t), &awssqs.TagQueueInput{QueueUrl: url, Tags: map[string]string{"env": "dev", "team": "core"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.UntagQueue(ctx(t), &awssqs.UntagQueueInput{QueueUrl: url, TagKeys: []string{"env", "absent"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := e.client.ListQueueTags(ctx(t), &awssqs.ListQueueTagsInput{QueueUrl: url})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["team"] != "core" {
		t.Fatalf("ListQueueTags = %v, %v", tags.Tags, err)
	}
	_, err = e.client.ListQueueTags(ctx(t), &awssqs.ListQueueTagsInput{QueueUrl: aws.String(e.srv.URL + "/000000000000/missing")})
	wantTyped[*types.QueueDoesNotExist](t, err)
}

func TestUnimplementedAndUnknownOperations(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", nil)
	_, err := e.client.AddPermission(ctx(t), &awssqs.AddPermissionInput{QueueUrl: aws.String(url), Label: aws.String("l"),
		AWSAccountIds: []string{"123456789012"}, Actions: []string{"SendMessage"}})
	wantTyped[*types.UnsupportedOperation](t, err)

	for _, tt := range []struct {
		name, target, contentType, wantType string
	}{
		{"unknown operation", "AmazonSQS.FlyToTheMoon", "application/x-amz-json-1.0", "UnknownOperationException"},
		{"other service", "DynamoDB_20120810.GetItem", "application/x-amz-json-1.0", "UnknownOperationException"},
		{"awsQuery protocol", "", "application/x-www-form-urlencoded", sqsNamespace + "#UnsupportedOperation"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL, bytes.NewReader([]byte("{}")))
			req.Header.Set("X-Amz-Target", tt.target)
			req.Header.Set("Content-Type", tt.contentType)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusBadRequest || body.Type != tt.wantType || body.Message == "" {
				t.Fatalf("status %d, body %+v", resp.StatusCode, body)
			}
		})
	}
}

func TestErrorWireShape(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL, strings.NewReader(`{"QueueName":"missing"}`))
	req.Header.Set("X-Amz-Target", "AmazonSQS.GetQueueUrl")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body["__type"] != "com.amazonaws.sqs#QueueDoesNotExist" {
		t.Errorf("__type = %q", body["__type"])
	}
	if got := resp.Header.Get("x-amzn-query-error"); got != "AWS.SimpleQueueService.NonExistentQueue;Sender" {
		t.Errorf("x-amzn-query-error = %q", got)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.0" {
		t.Errorf("Content-Type = %q", ct)
	}
}
