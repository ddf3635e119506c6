package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/paylane/paylane/shared/dynamostore"
	"github.com/paylane/paylane/shared/eventbus"
	"github.com/paylane/paylane/shared/fault"
)

// stackResource names one of the stack's resources: the override when the environment
// sets it, else "<stack>-<suffix>" (PAYLANE_STACK, default paylane), as template.yaml
// names them. An empty suffix is the stack name itself (the event bus).
func stackResource(env func(string) string, override, suffix string) string {
	if override != "" {
		if v := env(override); v != "" {
			return v
		}
	}
	stack := env("PAYLANE_STACK")
	if stack == "" {
		stack = "paylane"
	}
	if suffix == "" {
		return stack
	}
	return stack + "-" + suffix
}

// The queues where the outbox relay's failures land. They are no queue's dead-letter
// queue (the stream mapping and the relay send to them), so they are found by name.
const (
	relayFailuresSuffix = "outbox-relay-failures" // Lambda's on-failure records of stream batches
	relayPoisonSuffix   = "outbox-poison"         // records the relay quarantined
)

// queueKind says what a failure queue holds, hence how it is shown and redriven.
type queueKind int

const (
	deadLetters   queueKind = iota // messages SQS moved after maxReceiveCount receives
	relayFailures                  // stream batch descriptions (DDBStreamBatchInfo)
	relayPoison                    // eventbus.QuarantinedRecord
)

// failureQueue is a queue where failed work waits for an operator.
type failureQueue struct {
	name, url, arn string
	kind           queueKind
	sources        []string // names of the queues that dead-letter into it
	visible        int      // ApproximateNumberOfMessages
	inFlight       int      // ApproximateNumberOfMessagesNotVisible
}

func (q failureQueue) source() string {
	switch q.kind {
	case relayFailures:
		return "outbox-relay (stream batches)"
	case relayPoison:
		return "outbox-relay (poison records)"
	}
	return strings.Join(q.sources, ",")
}

// dlqTool holds the clients of the dlq commands.
type dlqTool struct {
	env     func(string) string
	cfg     aws.Config
	sqs     *sqs.Client
	out     io.Writer
	log     *slog.Logger
	now     func() time.Time
	pollGap time.Duration // between ListMessageMoveTasks calls
}

func awsConfig(ctx context.Context) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("AWS configuration: %w", err)
	}
	return cfg, nil
}

func dlqCommand(ctx context.Context, args []string, env func(string) string, out, errOut io.Writer) error {
	if len(args) == 0 {
		return usageError("dlq: which subcommand?")
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "list":
		if len(rest) != 0 {
			return usageError("dlq list takes no arguments")
		}
	case "show", "redrive":
		if len(rest) != 1 {
			return usageError(fmt.Sprintf("dlq %s QUEUE", sub))
		}
	default:
		return usageError(fmt.Sprintf("dlq: unknown subcommand %q", sub))
	}
	cfg, err := awsConfig(ctx)
	if err != nil {
		return err
	}
	d := &dlqTool{
		env: env, cfg: cfg, sqs: sqs.NewFromConfig(cfg), out: out,
		log: slog.New(slog.NewTextHandler(errOut, nil)), now: time.Now, pollGap: 200 * time.Millisecond,
	}
	switch sub {
	case "list":
		return d.list(ctx)
	case "show":
		return d.show(ctx, rest[0])
	default:
		return d.redrive(ctx, rest[0])
	}
}

// failureQueues finds the stack's failure queues: every queue named in the RedrivePolicy
// of one of the stack's queues, and the outbox relay's two queues.
func (d *dlqTool) failureQueues(ctx context.Context) ([]failureQueue, error) {
	prefix := stackResource(d.env, "", "")
	var urls []string
	p := sqs.NewListQueuesPaginator(d.sqs, &sqs.ListQueuesInput{QueueNamePrefix: aws.String(prefix + "-"), MaxResults: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the queues of stack %s: %w", prefix, err)
		}
		urls = append(urls, page.QueueUrls...)
	}
	all := make(map[string]*failureQueue, len(urls)) // by ARN
	deadLetterSources := map[string][]string{}       // DLQ ARN -> source names
	for _, u := range urls {
		q, target, err := d.describe(ctx, u)
		if err != nil {
			return nil, err
		}
		all[q.arn] = &q
		if target != "" {
			deadLetterSources[target] = append(deadLetterSources[target], q.name)
		}
	}
	var out []failureQueue
	for arn, q := range all {
		switch {
		case len(deadLetterSources[arn]) > 0:
			q.sources = deadLetterSources[arn]
			slices.Sort(q.sources)
		case q.name == prefix+"-"+relayFailuresSuffix:
			q.kind = relayFailures
		case q.name == prefix+"-"+relayPoisonSuffix:
			q.kind = relayPoison
		default:
			continue
		}
		out = append(out, *q)
	}
	slices.SortFunc(out, func(a, b failureQueue) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

// describe reads a queue's ARN, depth and the ARN of its dead-letter queue ("" if none).
func (d *dlqTool) describe(ctx context.Context, queueURL string) (failureQueue, string, error) {
	attrs, err := d.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(queueURL),
		AttributeNames: []types.QueueAttributeName{
			types.QueueAttributeNameQueueArn, types.QueueAttributeNameRedrivePolicy,
			types.QueueAttributeNameApproximateNumberOfMessages, types.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		},
	})
	if err != nil {
		return failureQueue{}, "", fmt.Errorf("reading the attributes of %s: %w", queueURL, err)
	}
	a := attrs.Attributes
	q := failureQueue{name: queueName(queueURL), url: queueURL, arn: a[string(types.QueueAttributeNameQueueArn)]}
	q.visible, _ = strconv.Atoi(a[string(types.QueueAttributeNameApproximateNumberOfMessages)])
	q.inFlight, _ = strconv.Atoi(a[string(types.QueueAttributeNameApproximateNumberOfMessagesNotVisible)])
	var target string
	if rp := a[string(types.QueueAttributeNameRedrivePolicy)]; rp != "" {
		var policy struct {
			DeadLetterTargetArn string `json:"deadLetterTargetArn"`
		}
		if err := json.Unmarshal([]byte(rp), &policy); err != nil {
			return failureQueue{}, "", fmt.Errorf("the RedrivePolicy of %s: %w", q.name, err)
		}
		target = policy.DeadLetterTargetArn
	}
	return q, target, nil
}

// queueName is the last path segment of a queue URL.
func queueName(queueURL string) string {
	return queueURL[strings.LastIndex(queueURL, "/")+1:]
}

// resolve finds QUEUE among the failure queues, by URL, by name, or by name without the
// stack prefix.
func (d *dlqTool) resolve(ctx context.Context, arg string) (failureQueue, error) {
	qs, err := d.failureQueues(ctx)
	if err != nil {
		return failureQueue{}, err
	}
	name := arg
	if u, err := url.Parse(arg); err == nil && u.Scheme != "" && u.Host != "" {
		name = queueName(u.Path)
	}
	for _, candidate := range []string{name, stackResource(d.env, "", name)} {
		for _, q := range qs {
			if q.name == candidate {
				return q, nil
			}
		}
	}
	return failureQueue{}, fmt.Errorf("%s is not a dead-letter or relay failure queue of stack %s (payctl dlq list shows them)", arg, stackResource(d.env, "", ""))
}

func (d *dlqTool) list(ctx context.Context) error {
	qs, err := d.failureQueues(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(d.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "QUEUE\tSOURCE\tMESSAGES\tIN FLIGHT\tOLDEST")
	for _, q := range qs {
		oldest := "-"
		if q.visible > 0 {
			msgs, err := d.peek(ctx, q.url, min(10, q.visible))
			if err != nil {
				return err
			}
			if at, ok := oldestSent(msgs); ok {
				oldest = d.now().Sub(at).Truncate(time.Second).String()
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", q.name, q.source(), q.visible, q.inFlight, oldest)
	}
	return tw.Flush()
}

// peekHold is how long a peeked message stays hidden while the peek goes on; the peek
// makes it visible again as soon as it has read what it wanted.
const peekHold = 10

// peek reads up to max messages and leaves them in the queue; max is best the queue's
// depth, which saves waiting for messages that are not there. aws-sdk-go-v2 does not send
// a VisibilityTimeout of 0 (it omits zero values), so the messages are received hidden for
// peekHold seconds — which also lets each round see new ones — then made visible again.
// It still counts as a receive: each message's ApproximateReceiveCount goes up.
func (d *dlqTool) peek(ctx context.Context, queueURL string, max int) ([]types.Message, error) {
	var msgs []types.Message
	seen := map[string]bool{}
	defer func() {
		// Even when the context is done: messages left hidden are invisible to a redrive.
		d.release(context.WithoutCancel(ctx), queueURL, msgs)
	}()
	for len(msgs) < max {
		res, err := d.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(queueURL), MaxNumberOfMessages: int32(min(10, max-len(msgs))), VisibilityTimeout: peekHold,
			// Long polling asks every SQS server, so a queue with messages never looks empty.
			WaitTimeSeconds:             1,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		})
		if err != nil {
			return nil, fmt.Errorf("peeking at %s: %w", queueName(queueURL), err)
		}
		fresh := 0
		for _, m := range res.Messages {
			id := aws.ToString(m.MessageId)
			if !seen[id] {
				seen[id] = true
				msgs = append(msgs, m)
				fresh++
			}
		}
		if fresh == 0 {
			break
		}
	}
	return msgs, nil
}

// release makes peeked messages visible again. A failure only delays them by peekHold.
func (d *dlqTool) release(ctx context.Context, queueURL string, msgs []types.Message) {
	for batch := range slices.Chunk(msgs, 10) {
		entries := make([]types.ChangeMessageVisibilityBatchRequestEntry, len(batch))
		for i, m := range batch {
			entries[i] = types.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0}
		}
		out, err := d.sqs.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(queueURL), Entries: entries})
		if err == nil && len(out.Failed) > 0 {
			err = fmt.Errorf("%d messages: %s", len(out.Failed), aws.ToString(out.Failed[0].Message))
		}
		if err != nil {
			d.log.WarnContext(ctx, "peeked messages stay hidden a few more seconds", "queue", queueName(queueURL), "seconds", peekHold, "err", err)
		}
	}
}

func sentAt(m types.Message) (time.Time, bool) {
	ms, err := strconv.ParseInt(m.Attributes[string(types.MessageSystemAttributeNameSentTimestamp)], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(ms), true
}

func oldestSent(msgs []types.Message) (time.Time, bool) {
	var oldest time.Time
	found := false
	for _, m := range msgs {
		if at, ok := sentAt(m); ok && (!found || at.Before(oldest)) {
			oldest, found = at, true
		}
	}
	return oldest, found
}

// showLimit bounds how many messages dlq show prints.
const showLimit = 100

func (d *dlqTool) show(ctx context.Context, arg string) error {
	q, err := d.resolve(ctx, arg)
	if err != nil {
		return err
	}
	msgs, err := d.peek(ctx, q.url, min(showLimit, q.visible))
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "%s (from %s): %d messages, %d in flight\n", q.name, q.source(), q.visible, q.inFlight)
	var ops *dynamostore.Ops
	if q.kind == deadLetters {
		ops = dynamostore.NewOps(dynamodb.NewFromConfig(d.cfg), stackResource(d.env, "OPS_TABLE", "ops"), dynamostore.Options{Now: time.Now})
	}
	for _, m := range msgs {
		sent := "?"
		if at, ok := sentAt(m); ok {
			sent = at.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(d.out, "\nmessage %s  receives %s  sent %s\n", aws.ToString(m.MessageId),
			m.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)], sent)
		what, reason := describeBody(aws.ToString(m.Body))
		fmt.Fprintf(d.out, "  %s\n", what)
		if ops != nil {
			reason = d.recordedReason(ctx, ops, q.sources, aws.ToString(m.MessageId))
		}
		fmt.Fprintf(d.out, "  reason: %s\n", reason)
	}
	return nil
}

// recordedReason is the failure reason the consumer of one of sources recorded for the
// message (a message keeps its id when SQS moves it to the dead-letter queue).
func (d *dlqTool) recordedReason(ctx context.Context, ops *dynamostore.Ops, sources []string, messageID string) string {
	for _, src := range sources {
		reason, count, err := ops.Reason(ctx, src, messageID)
		if fault.CodeOf(err) == fault.NotFound {
			continue
		}
		if err != nil {
			return "unavailable: " + err.Error()
		}
		return fmt.Sprintf("%s (failed %d times in %s)", reason, count, src)
	}
	return "not recorded (the consumer did not record one, or it expired)"
}

// failureBodies are the message bodies the failure queues hold: a bus event (the
// dead-letter queues of the event consumers), Lambda's on-failure record of a stream batch,
// or a quarantined stream record. Fields of the other shapes stay empty.
type failureBody struct {
	DetailType string `json:"detail-type"`
	Detail     struct {
		ID         string `json:"id"`
		PaymentID  string `json:"paymentId"`
		MerchantID string `json:"merchantId"`
	} `json:"detail"`

	RequestContext struct {
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	ResponseContext struct {
		FunctionError string `json:"functionError"`
	} `json:"responseContext"`
	BatchInfo *streamBatchInfo `json:"DDBStreamBatchInfo"`

	eventbus.QuarantinedRecord
}

// streamBatchInfo is the DDBStreamBatchInfo of Lambda's invocation record for a stream
// batch it gave up on ("Example invocation record" in the Lambda DynamoDB documentation).
type streamBatchInfo struct {
	ShardID             string `json:"shardId"`
	StartSequenceNumber string `json:"startSequenceNumber"`
	EndSequenceNumber   string `json:"endSequenceNumber"`
	BatchSize           int    `json:"batchSize"`
	StreamARN           string `json:"streamArn"`
}

// describeBody says what a failure message is about, and the reason it carries if any.
func describeBody(body string) (what, reason string) {
	var b failureBody
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		return "body: " + truncate(body, 200), "not recorded"
	}
	switch {
	case b.BatchInfo != nil:
		bi := b.BatchInfo
		reason = b.RequestContext.Condition
		if b.ResponseContext.FunctionError != "" {
			reason += ", function error " + b.ResponseContext.FunctionError
		}
		return fmt.Sprintf("stream batch of %d records: shard %s, sequence %s..%s, after %d invocations",
			bi.BatchSize, bi.ShardID, bi.StartSequenceNumber, bi.EndSequenceNumber, b.RequestContext.ApproximateInvokeCount), reason
	case b.Reason != "":
		keys := b.Record.Change.Keys
		return fmt.Sprintf("poison stream record %s: pk %s sk %s", b.Record.Change.SequenceNumber,
			keys["pk"].String(), keys["sk"].String()), b.Reason
	case b.DetailType != "":
		return fmt.Sprintf("event %s %s of payment %s (merchant %s)", b.DetailType, b.Detail.ID, b.Detail.PaymentID, b.Detail.MerchantID), "not recorded"
	}
	return "body: " + truncate(body, 200), "not recorded"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func (d *dlqTool) redrive(ctx context.Context, arg string) error {
	q, err := d.resolve(ctx, arg)
	if err != nil {
		return err
	}
	switch q.kind {
	case relayFailures, relayPoison:
		return d.redriveRelay(ctx, q)
	}
	start, err := d.sqs.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(q.arn)})
	if err != nil {
		return fmt.Errorf("starting to move the messages of %s back: %w", q.name, err)
	}
	handle := aws.ToString(start.TaskHandle)
	for {
		tasks, err := d.sqs.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(q.arn), MaxResults: aws.Int32(1)})
		if err != nil {
			return fmt.Errorf("following the move of %s (task %s): %w", q.name, handle, err)
		}
		if len(tasks.Results) == 0 {
			return fmt.Errorf("the move task of %s disappeared", q.name)
		}
		// Only one task may run per queue and the newest comes first: it is ours.
		t := tasks.Results[0]
		switch aws.ToString(t.Status) {
		case "RUNNING":
		case "COMPLETED":
			fmt.Fprintf(d.out, "moved %d messages from %s back to %s\n", t.ApproximateNumberOfMessagesMoved, q.name, strings.Join(q.sources, ","))
			return nil
		default:
			return fmt.Errorf("moving the messages of %s back: task %s after %d messages: %s",
				q.name, aws.ToString(t.Status), t.ApproximateNumberOfMessagesMoved, aws.ToString(t.FailureReason))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the move of %s (it goes on; payctl dlq list shows the queue): %w", q.name, ctx.Err())
		case <-time.After(d.pollGap):
		}
	}
}

// redriveRelay publishes again what the outbox relay could not: each message is handled
// with the relay's own code and deleted once all it stands for is on the bus; a message
// that fails again stays (visible again after relayVisibility) and is reported.
func (d *dlqTool) redriveRelay(ctx context.Context, q failureQueue) error {
	r, err := newRelayer(ctx, d.env, d.cfg, d.sqs, d.log)
	if err != nil {
		return err
	}
	done, failed := 0, 0
	seen := map[string]bool{}
	for {
		res, err := d.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(q.url), MaxNumberOfMessages: 10, VisibilityTimeout: relayVisibility, WaitTimeSeconds: 1,
		})
		if err != nil {
			return fmt.Errorf("receiving from %s: %w", q.name, err)
		}
		fresh := 0
		for _, m := range res.Messages {
			id := aws.ToString(m.MessageId)
			if seen[id] {
				continue // came back after its visibility ran out: it already failed once here
			}
			seen[id], fresh = true, fresh+1
			what, err := r.redrive(ctx, q.kind, aws.ToString(m.Body))
			if err != nil {
				failed++
				fmt.Fprintf(d.out, "message %s: %s: %v (kept)\n", id, what, err)
				continue
			}
			if _, err := d.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(q.url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				failed++
				fmt.Fprintf(d.out, "message %s: %s, but deleting it failed: %v\n", id, what, err)
				continue
			}
			done++
			fmt.Fprintf(d.out, "message %s: %s\n", id, what)
		}
		if fresh == 0 {
			break
		}
	}
	fmt.Fprintf(d.out, "redriven %d messages of %s, %d failed\n", done, q.name, failed)
	if failed > 0 {
		return fmt.Errorf("%d messages of %s could not be redriven", failed, q.name)
	}
	return nil
}

// relayVisibility hides a message being redriven: long enough to read a shard range and
// publish it, short enough that a failed one is soon back for the next attempt.
const relayVisibility = 120

// errStillPoison refuses to quarantine a record during a redrive: a record the relay
// still cannot read stays where it is instead of being quarantined again.
var errStillPoison = errors.New("still poison")
