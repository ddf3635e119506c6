package sqs

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
// Entries succeed or fail individually; request-level rules fail the call.
func TestSendMessageBatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", nil)
	out, err := e.client.SendMessageBatch(ctx(t), &awssqs.SendMessageBatchInput{QueueUrl: &url, Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("ok-1"), MessageBody: aws.String("one")},
		{Id: aws.String("bad"), MessageBody: aws.String("nul\x00")},
		{Id: aws.String("ok_2"), MessageBody: aws.String("two"), DelaySeconds: 10,
			MessageAttributes: map[string]types.MessageAttributeValue{"k": {DataType: aws.String("String"), StringValue: aws.String("v")}}},
		{Id: aws.String("too-late"), MessageBody: aws.String("x"), DelaySeconds: 901},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var ok []string
	for _, s := range out.Successful {
		ok = append(ok, aws.ToString(s.Id))
		if aws.ToString(s.MessageId) == "" || aws.ToString(s.MD5OfMessageBody) == "" {
			t.Errorf("entry %s lacks MessageId or MD5", aws.ToString(s.Id))
		}
		if aws.ToString(s.Id) == "ok_2" && aws.ToString(s.MD5OfMessageAttributes) == "" {
			t.Error("entry with attributes lacks MD5OfMessageAttributes")
		}
	}
	failed := map[string]types.BatchResultErrorEntry{}
	for _, f := range out.Failed {
		failed[aws.ToString(f.Id)] = f
	}
	if strings.Join(ok, ",") != "ok-1,ok_2" || len(failed) != 2 {
		t.Fatalf("successful %v, failed %v", ok, failed)
	}
	if f := failed["bad"]; aws.ToString(f.Code) != "InvalidMessageContents" || !f.SenderFault {
		t.Errorf("bad entry = %+v", f)
	}
	if f := failed["too-late"]; aws.ToString(f.Code) != "InvalidParameterValue" {
		t.Errorf("too-late entry = %+v", f)
	}
	if got := e.counts(url); got != [3]string{"1", "0", "1"} {
		t.Errorf("counts = %v", got)
	}

	entry := func(id string) types.SendMessageBatchRequestEntry {
		return types.SendMessageBatchRequestEntry{Id: aws.String(id), MessageBody: aws.String("x")}
	}
	var eleven []types.SendMessageBatchRequestEntry
	for i := range 11 {
		eleven = append(eleven, entry(fmt.Sprint(i)))
	}
	big := strings.Repeat("x", 600*1024)
	for _, tt := range []struct {
		name    string
		entries []types.SendMessageBatchRequestEntry
		check   func(*testing.T, error)
	}{
		{"ids not distinct", []types.SendMessageBatchRequestEntry{entry("a"), entry("a")}, func(t *testing.T, err error) { wantTyped[*types.BatchEntryIdsNotDistinct](t, err) }},
		{"too many entries", eleven, func(t *testing.T, err error) { wantTyped[*types.TooManyEntriesInBatchRequest](t, err) }},
		{"invalid id", []types.SendMessageBatchRequestEntry{entry("no spaces")}, func(t *testing.T, err error) { wantTyped[*types.InvalidBatchEntryId](t, err) }},
		{"total over 1 MiB", []types.SendMessageBatchRequestEntry{
			{Id: aws.String("a"), MessageBody: &big}, {Id: aws.String("b"), MessageBody: &big}}, func(t *testing.T, err error) { wantTyped[*types.BatchRequestTooLong](t, err) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.SendMessageBatch(ctx(t), &awssqs.SendMessageBatchInput{QueueUrl: &url, Entries: tt.entries})
			tt.check(t, err)
		})
	}
	// An empty batch is rejected by the SDK's own validation, so send it raw.
	if _, err := e.svc.sendMessageBatch(&call{ctx: ctx(t), body: []byte(`{"QueueUrl":"` + url + `","Entries":[]}`)}); err == nil || !strings.Contains(err.Error(), "EmptyBatchRequest") {
		t.Errorf("empty batch: %v", err)
	}
	if got := e.counts(url); got != [3]string{"1", "0", "1"} {
		t.Errorf("failed batches changed the queue: counts %v", got)
	}
}

func TestDeleteAndChangeVisibilityBatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", nil)
	for i := range 3 {
		e.send(url, fmt.Sprint(i))
	}
	msgs := e.receive(url, 3)
	if len(msgs) != 3 {
		t.Fatalf("received %d", len(msgs))
	}
	vis, err := e.client.ChangeMessageVisibilityBatch(ctx(t), &awssqs.ChangeMessageVisibilityBatchInput{QueueUrl: &url, Entries: []types.ChangeMessageVisibilityBatchRequestEntry{
		{Id: aws.String("a"), ReceiptHandle: msgs[0].ReceiptHandle, VisibilityTimeout: 0},
		{Id: aws.String("b"), ReceiptHandle: aws.String("junk"), VisibilityTimeout: 0},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(vis.Successful) != 1 || aws.ToString(vis.Successful[0].Id) != "a" || len(vis.Failed) != 1 || aws.ToString(vis.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Fatalf("ChangeMessageVisibilityBatch = %+v", vis)
	}
	if got := e.counts(url); got != [3]string{"1", "2", "0"} {
		t.Fatalf("counts = %v", got)
	}
	del, err := e.client.DeleteMessageBatch(ctx(t), &awssqs.DeleteMessageBatchInput{QueueUrl: &url, Entries: []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("x"), ReceiptHandle: msgs[1].ReceiptHandle},
		{Id: aws.String("y"), ReceiptHandle: msgs[2].ReceiptHandle},
		{Id: aws.String("z"), ReceiptHandle: aws.String("junk")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(del.Successful) != 2 || len(del.Failed) != 1 || aws.ToString(del.Failed[0].Id) != "z" || aws.ToString(del.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Fatalf("DeleteMessageBatch = %+v", del)
	}
	if got := e.counts(url); got != [3]string{"1", "0", "0"} {
		t.Fatalf("counts after delete = %v", got)
	}
	_, err = e.client.DeleteMessageBatch(ctx(t), &awssqs.DeleteMessageBatchInput{QueueUrl: &url, Entries: []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("x"), ReceiptHandle: msgs[1].ReceiptHandle}, {Id: aws.String("x"), ReceiptHandle: msgs[2].ReceiptHandle}}})
	wantTyped[*types.BatchEntryIdsNotDistinct](t, err)
}
