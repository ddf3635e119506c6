package sqs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Concurrent producers and consumers through the SDK: every message is
// received and deleted exactly once (the clock stands still, so no
// visibility timeout expires), and the queue ends empty.
func TestConcurrentProducersAndConsumers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", nil)
	const producers, perProducer, consumers = 4, 100, 4
	var wg sync.WaitGroup
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perProducer; i += 10 {
				var entries []types.SendMessageBatchRequestEntry
				for j := range 10 {
					entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(j)), MessageBody: aws.String(fmt.Sprintf("%d-%d", p, i+j))})
				}
				out, err := e.client.SendMessageBatch(ctx(t), &awssqs.SendMessageBatchInput{QueueUrl: &url, Entries: entries})
				if err != nil || len(out.Failed) != 0 {
					t.Errorf("SendMessageBatch: %v %v", err, out)
					return
				}
			}
		}()
	}
	var mu sync.Mutex
	seen := map[string]int{}
	total := producers * perProducer
	// Cancelled once everything is seen, ending the consumers' last polls.
	consumeCtx, stop := context.WithCancel(ctx(t))
	defer stop()
	var cwg sync.WaitGroup
	for range consumers {
		cwg.Add(1)
		go func() {
			defer cwg.Done()
			for {
				mu.Lock()
				finished := len(seen) == total
				mu.Unlock()
				if finished {
					return
				}
				out, err := e.client.ReceiveMessage(consumeCtx, &awssqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10, WaitTimeSeconds: 5})
				if errors.Is(err, context.Canceled) {
					return
				}
				if err != nil {
					t.Errorf("ReceiveMessage: %v", err)
					return
				}
				for _, m := range out.Messages {
					mu.Lock()
					seen[aws.ToString(m.Body)]++
					if len(seen) == total {
						stop()
					}
					mu.Unlock()
					if _, err := e.client.DeleteMessage(ctx(t), &awssqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
						t.Errorf("DeleteMessage: %v", err)
					}
				}
			}
		}()
	}
	wg.Wait()
	cwg.Wait()
	if len(seen) != total {
		t.Fatalf("received %d distinct messages, want %d", len(seen), total)
	}
	for body, n := range seen {
		if n != 1 {
			t.Errorf("%s received %d times", body, n)
		}
	}
	if got := e.counts(url); got != [3]string{"0", "0", "0"} {
		t.Errorf("counts = %v", got)
	}
}

// A receive and a delete cost O(log n): with 100k messages queued and 50k
// in flight, the heaps do a bounded number of comparisons per operation
// (an O(n) scan would need ~10^5).
func TestReceiveCostIsLogarithmic(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	svc := New(Options{Now: clock.Now, TickInterval: time.Hour})
	defer svc.Close()
	if _, err := svc.createQueue(&call{ctx: ctx(t), body: []byte(`{"QueueName":"deep"}`)}); err != nil {
		t.Fatal(err)
	}
	q := svc.lookup("deep")
	const n = 100000
	for i := range n {
		o, apiErr := prepareSend(&sendMessageInput{MessageBody: aws.String(fmt.Sprint(i))})
		if apiErr != nil {
			t.Fatal(apiErr)
		}
		if _, apiErr := svc.send(q, o, "test"); apiErr != nil {
			t.Fatal(apiErr)
		}
	}
	p := receiveParams{max: 10, system: map[string]bool{}}
	for range n / 20 {
		if msgs, _, apiErr := svc.receiveOnce(q, p, false); apiErr != nil || len(msgs) != 10 {
			t.Fatalf("receive: %d, %v", len(msgs), apiErr)
		}
	}
	var comparisons int
	for _, h := range []*msgHeap{&q.visible, &q.inflight, &q.delayed, &q.retention} {
		less := h.less
		h.less = func(a, b *message) bool { comparisons++; return less(a, b) }
	}
	const ops = 1000
	for range ops {
		msgs, _, apiErr := svc.receiveOnce(q, p, false)
		if apiErr != nil || len(msgs) != 10 {
			t.Fatalf("receive: %d, %v", len(msgs), apiErr)
		}
		for _, m := range msgs {
			h := m.ReceiptHandle
			if apiErr := svc.deleteByReceipt(q, &h); apiErr != nil {
				t.Fatal(apiErr)
			}
		}
	}
	// Per message: one pop and one push, then two removals; each ~2 log2(n).
	if perMessage := comparisons / (ops * 10); perMessage > 200 {
		t.Fatalf("%d heap comparisons per received+deleted message", perMessage)
	}
}

// BenchmarkSendReceiveDelete measures one message's round trip through the
// real SDK client and HTTP.
func BenchmarkSendReceiveDelete(b *testing.B) {
	e := newEnv(b)
	url := e.createQueue("bench", nil)
	c := ctx(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.client.SendMessage(c, &awssqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(`{"payment":"p-1","amount":4200}`)}); err != nil {
			b.Fatal(err)
		}
		out, err := e.client.ReceiveMessage(c, &awssqs.ReceiveMessageInput{QueueUrl: &url})
		if err != nil || len(out.Messages) != 1 {
			b.Fatalf("receive: %v, %d", err, len(out.Messages))
		}
		if _, err := e.client.DeleteMessage(c, &awssqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: out.Messages[0].ReceiptHandle}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReceiveDeleteDeepQueue: a receive+delete from a queue holding
// 100k messages, without HTTP.
func BenchmarkReceiveDeleteDeepQueue(b *testing.B) {
	svc := New(Options{TickInterval: time.Hour})
	defer svc.Close()
	if _, err := svc.createQueue(&call{ctx: ctx(b), body: []byte(`{"QueueName":"deep"}`)}); err != nil {
		b.Fatal(err)
	}
	q := svc.lookup("deep")
	o, _ := prepareSend(&sendMessageInput{MessageBody: aws.String("x")})
	for range 100000 {
		svc.send(q, o, "test")
	}
	p := receiveParams{max: 1, system: map[string]bool{}}
	b.ReportAllocs()
	for b.Loop() {
		svc.send(q, o, "test")
		msgs, _, _ := svc.receiveOnce(q, p, false)
		h := msgs[0].ReceiptHandle
		svc.deleteByReceipt(q, &h)
	}
}
