package sqs

import (
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// redriveSetup creates a DLQ and a source queue with maxReceiveCount.
func redriveSetup(e *env, maxReceive int) (src, dlq string) {
	dlq = e.createQueue("orders-dlq", nil)
	src = e.createQueue("orders", map[string]string{
		"VisibilityTimeout": "10",
		"RedrivePolicy":     fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":%d}`, e.queueARN(dlq), maxReceive),
	})
	return src, dlq
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
// After maxReceiveCount receives, the next receive moves the message to the
// DLQ, keeping its id, body and attributes; the DLQ records the source.
func TestRedriveToDeadLetterQueue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	src, dlq := redriveSetup(e, 2)
	sentAt := e.clock.Now()
	sent, err := e.client.SendMessage(ctx(t), &awssqs.SendMessageInput{QueueUrl: &src, MessageBody: aws.String("poison"),
		MessageAttributes: map[string]types.MessageAttributeValue{"kind": {DataType: aws.String("String"), StringValue: aws.String("payment")}}})
	if err != nil {
		t.Fatal(err)
	}
	for want := 1; want <= 2; want++ {
		msgs := e.receive(src, 1)
		if len(msgs) != 1 || msgs[0].Attributes["ApproximateReceiveCount"] != strconv.Itoa(want) {
			t.Fatalf("receive %d = %v", want, msgs)
		}
		e.clock.Advance(10 * time.Second)
	}
	if msgs := e.receive(src, 1); len(msgs) != 0 {
		t.Fatalf("third receive returned %v instead of dead-lettering", bodies(msgs))
	}
	if got := e.counts(src); got != [3]string{"0", "0", "0"} {
		t.Fatalf("source counts = %v", got)
	}
	if got := e.counts(dlq); got != [3]string{"1", "0", "0"} {
		t.Fatalf("DLQ counts = %v", got)
	}
	msgs := e.receive(dlq, 1)
	if len(msgs) != 1 {
		t.Fatal("nothing in the DLQ")
	}
	m := msgs[0]
	if aws.ToString(m.MessageId) != aws.ToString(sent.MessageId) || aws.ToString(m.Body) != "poison" ||
		aws.ToString(m.MessageAttributes["kind"].StringValue) != "payment" {
		t.Errorf("dead-lettered message = %+v", m)
	}
	if got := m.Attributes["DeadLetterQueueSourceArn"]; got != e.queueARN(src) {
		t.Errorf("DeadLetterQueueSourceArn = %q", got)
	}
	// Receives count across queues; the send time is the original one.
	if m.Attributes["ApproximateReceiveCount"] != "3" || m.Attributes["SentTimestamp"] != strconv.FormatInt(sentAt.UnixMilli(), 10) {
		t.Errorf("ApproximateReceiveCount %s, SentTimestamp %s", m.Attributes["ApproximateReceiveCount"], m.Attributes["SentTimestamp"])
	}

	sources, err := e.client.ListDeadLetterSourceQueues(ctx(t), &awssqs.ListDeadLetterSourceQueuesInput{QueueUrl: &dlq})
	if err != nil || !slices.Equal(sources.QueueUrls, []string{src}) {
		t.Fatalf("ListDeadLetterSourceQueues = %v, %v", sources.QueueUrls, err)
	}
	none, err := e.client.ListDeadLetterSourceQueues(ctx(t), &awssqs.ListDeadLetterSourceQueuesInput{QueueUrl: &src})
	if err != nil || len(none.QueueUrls) != 0 {
		t.Fatalf("sources of a non-DLQ = %v, %v", none.QueueUrls, err)
	}
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/setting-up-dead-letter-queue-retention.html
// "For standard queues, the expiration of a message is always based on its
// original enqueue timestamp."
func TestDeadLetterRetentionUsesOriginalSendTime(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dlq := e.createQueue("dlq", map[string]string{"MessageRetentionPeriod": "120"})
	src := e.createQueue("src", map[string]string{"VisibilityTimeout": "50",
		"RedrivePolicy": fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":1}`, e.queueARN(dlq))})
	e.send(src, "x")
	e.receive(src, 1)
	e.clock.Advance(100 * time.Second)
	e.receive(src, 1) // moves it, 100s after it was sent
	if got := e.counts(dlq); got[0] != "1" {
		t.Fatalf("DLQ counts = %v", got)
	}
	e.clock.Advance(20 * time.Second)
	if got := e.counts(dlq); got[0] != "0" {
		t.Fatalf("DLQ still holds a message older than its retention: %v", got)
	}
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html
// Redrive moves messages back to their source as new messages.
func TestMessageMoveTaskBackToSource(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	src, dlq := redriveSetup(e, 1)
	deadLetter(e, src, "a", "b", "c")
	out, err := e.client.StartMessageMoveTask(ctx(t), &awssqs.StartMessageMoveTaskInput{SourceArn: aws.String(e.queueARN(dlq))})
	if err != nil || aws.ToString(out.TaskHandle) == "" {
		t.Fatalf("StartMessageMoveTask = %v, %v", out, err)
	}
	task := waitTask(t, e, e.queueARN(dlq), "COMPLETED")
	if task.ApproximateNumberOfMessagesMoved != 3 || aws.ToInt64(task.ApproximateNumberOfMessagesToMove) != 3 ||
		task.DestinationArn != nil || task.TaskHandle != nil || task.MaxNumberOfMessagesPerSecond != nil {
		t.Errorf("task = %+v", task)
	}
	if got := e.counts(dlq); got != [3]string{"0", "0", "0"} {
		t.Errorf("DLQ counts = %v", got)
	}
	msgs := e.receive(src, 10)
	if got := bodies(msgs); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("source received %v", got)
	}
	for _, m := range msgs {
		if m.Attributes["ApproximateReceiveCount"] != "1" || m.Attributes["DeadLetterQueueSourceArn"] != "" {
			t.Errorf("redriven message is not new: %v", m.Attributes)
		}
	}
}

func TestMessageMoveTaskToDestinationAtRate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	src, dlq := redriveSetup(e, 1)
	other := e.createQueue("replay", nil)
	deadLetter(e, src, "1", "2", "3", "4", "5")
	dlqARN := e.queueARN(dlq)
	if _, err := e.client.StartMessageMoveTask(ctx(t), &awssqs.StartMessageMoveTaskInput{SourceArn: &dlqARN,
		DestinationArn: aws.String(e.queueARN(other)), MaxNumberOfMessagesPerSecond: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	// Drive time by hand (the background loop steps too, at the same fake
	// time, so it cannot move more): 2 per started second of the task.
	for _, want := range []int64{2, 4, 5} {
		e.svc.runMoveTasks(e.clock.Now())
		e.svc.runMoveTasks(e.clock.Now()) // a second step in the same second moves nothing more
		task := listTask(t, e, dlqARN)
		if task.ApproximateNumberOfMessagesMoved != want {
			t.Fatalf("moved %d, want %d (%+v)", task.ApproximateNumberOfMessagesMoved, want, task)
		}
		e.clock.Advance(time.Second)
	}
	task := listTask(t, e, dlqARN)
	if aws.ToString(task.Status) != "COMPLETED" || aws.ToString(task.DestinationArn) != e.queueARN(other) || aws.ToInt32(task.MaxNumberOfMessagesPerSecond) != 2 {
		t.Errorf("task = %+v", task)
	}
	if got := e.counts(other); got[0] != "5" {
		t.Errorf("destination counts = %v", got)
	}
	if got := e.counts(src); got[0] != "0" {
		t.Errorf("source got messages with an explicit destination: %v", got)
	}
}

func TestCancelMessageMoveTask(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	src, dlq := redriveSetup(e, 1)
	deadLetter(e, src, "1", "2", "3")
	dlqARN := e.queueARN(dlq)
	started, err := e.client.StartMessageMoveTask(ctx(t), &awssqs.StartMessageMoveTaskInput{SourceArn: &dlqARN, MaxNumberOfMessagesPerSecond: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	// Only one active task per queue.
	_, err = e.client.StartMessageMoveTask(ctx(t), &awssqs.StartMessageMoveTaskInput{SourceArn: &dlqARN})
	wantAPIError(t, err, "InvalidParameterValue")
	running := listTask(t, e, dlqARN)
	if aws.ToString(running.Status) != "RUNNING" || aws.ToString(running.TaskHandle) != aws.ToString(started.TaskHandle) {
		t.Fatalf("running task = %+v", running)
	}
	waitMoved(t, e, dlqARN, 1)
	cancelled, err := e.client.CancelMessageMoveTask(ctx(t), &awssqs.CancelMessageMoveTaskInput{TaskHandle: started.TaskHandle})
	if err != nil || cancelled.ApproximateNumberOfMessagesMoved != 1 {
		t.Fatalf("CancelMessageMoveTask = %+v, %v", cancelled, err)
	}
	e.clock.Advance(10 * time.Second)
	e.svc.runMoveTasks(e.clock.Now())
	task := listTask(t, e, dlqARN)
	if aws.ToString(task.Status) != "CANCELLED" || task.ApproximateNumberOfMessagesMoved != 1 || task.TaskHandle != nil {
		t.Fatalf("after cancel task = %+v", task)
	}
	if got := e.counts(dlq); got[0] != "2" {
		t.Errorf("DLQ counts after cancel = %v (moved messages are not reverted, the rest stay)", got)
	}
	_, err = e.client.CancelMessageMoveTask(ctx(t), &awssqs.CancelMessageMoveTaskInput{TaskHandle: started.TaskHandle})
	wantAPIError(t, err, "InvalidParameterValue")
	_, err = e.client.CancelMessageMoveTask(ctx(t), &awssqs.CancelMessageMoveTaskInput{TaskHandle: aws.String("nope")})
	wantTyped[*types.ResourceNotFoundException](t, err)
	// A new task can start once none is running; most recent first.
	if _, err := e.client.StartMessageMoveTask(ctx(t), &awssqs.StartMessageMoveTaskInput{SourceArn: &dlqARN}); err != nil {
		t.Fatal(err)
	}
	list, err := e.client.ListMessageMoveTasks(ctx(t), &awssqs.ListMessageMoveTasksInput{SourceArn: &dlqARN, MaxResults: aws.Int32(10)})
	if err != nil || len(list.Results) != 2 || aws.ToString(list.Results[1].Status) != "CANCELLED" {
		t.Fatalf("ListMessageMoveTasks = %+v, %v", list, err)
	}
}

func TestMessageMoveTaskValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	plain := e.createQueue("plain", nil)
	_, dlq := redriveSetup(e, 1)
	for _, tt := range []struct {
		name  string
		in    awssqs.StartMessageMoveTaskInput
		check func(*testing.T, error)
	}{
		{"source missing", awssqs.StartMessageMoveTaskInput{SourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:nope")}, func(t *testing.T, err error) {
			wantTyped[*types.ResourceNotFoundException](t, err)
		}},
		{"source not a DLQ", awssqs.StartMessageMoveTaskInput{SourceArn: aws.String(e.queueARN(plain))}, func(t *testing.T, err error) {
			wantAPIError(t, err, "InvalidParameterValue")
		}},
		{"destination missing", awssqs.StartMessageMoveTaskInput{SourceArn: aws.String(e.queueARN(dlq)), DestinationArn: aws.String("arn:aws:sqs:us-east-1:000000000000:nope")}, func(t *testing.T, err error) {
			wantTyped[*types.ResourceNotFoundException](t, err)
		}},
		{"rate above 500", awssqs.StartMessageMoveTaskInput{SourceArn: aws.String(e.queueARN(dlq)), MaxNumberOfMessagesPerSecond: aws.Int32(501)}, func(t *testing.T, err error) {
			wantAPIError(t, err, "InvalidParameterValue")
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.StartMessageMoveTask(ctx(t), &tt.in)
			tt.check(t, err)
		})
	}
	_, err := e.client.ListMessageMoveTasks(ctx(t), &awssqs.ListMessageMoveTasksInput{SourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:nope")})
	wantTyped[*types.ResourceNotFoundException](t, err)
	// An empty DLQ completes at once.
	if _, err := e.client.StartMessageMoveTask(ctx(t), &awssqs.StartMessageMoveTaskInput{SourceArn: aws.String(e.queueARN(dlq))}); err != nil {
		t.Fatal(err)
	}
	if task := waitTask(t, e, e.queueARN(dlq), "COMPLETED"); task.ApproximateNumberOfMessagesMoved != 0 {
		t.Errorf("task = %+v", task)
	}
}

// deadLetter sends bodies to src (maxReceiveCount 1, visibility 10s) and
// drives each into the DLQ.
func deadLetter(e *env, src string, bodies ...string) {
	e.t.Helper()
	for _, b := range bodies {
		e.send(src, b)
	}
	for range bodies {
		if len(e.receive(src, 1)) != 1 {
			e.t.Fatal("nothing to receive")
		}
	}
	e.clock.Advance(10 * time.Second)
	if msgs := e.receive(src, 10); len(msgs) != 0 {
		e.t.Fatalf("messages not dead-lettered: %v", msgs)
	}
}

func listTask(t *testing.T, e *env, sourceARN string) types.ListMessageMoveTasksResultEntry {
	t.Helper()
	out, err := e.client.ListMessageMoveTasks(ctx(t), &awssqs.ListMessageMoveTasksInput{SourceArn: &sourceARN})
	if err != nil || len(out.Results) != 1 {
		t.Fatalf("ListMessageMoveTasks = %+v, %v", out, err)
	}
	return out.Results[0]
}

// waitTask polls until the latest task reaches status (the background loop
// runs every 5ms in tests).
func waitTask(t *testing.T, e *env, sourceARN, status string) types.ListMessageMoveTasksResultEntry {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		task := listTask(t, e, sourceARN)
		if aws.ToString(task.Status) == status {
			return task
		}
		if time.Now().After(deadline) {
			t.Fatalf("task stuck in %+v, want %s", task, status)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func waitMoved(t *testing.T, e *env, sourceARN string, n int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for listTask(t, e, sourceARN).ApproximateNumberOfMessagesMoved < n {
		if time.Now().After(deadline) {
			t.Fatalf("task did not move %d messages", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
