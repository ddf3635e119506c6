package sqs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

type receiveResultT struct {
	out     *awssqs.ReceiveMessageOutput
	err     error
	elapsed time.Duration
}

// longPoll starts a ReceiveMessage in the background and returns once the
// service has registered it as waiting, so what the test does next happens
// while the poll is blocked.
func longPoll(t *testing.T, e *env, c context.Context, in *awssqs.ReceiveMessageInput) <-chan receiveResultT {
	t.Helper()
	done := make(chan receiveResultT, 1)
	start := time.Now()
	go func() {
		out, err := e.client.ReceiveMessage(c, in)
		done <- receiveResultT{out, err, time.Since(start)}
	}()
	name, _ := queueNameFromURL(aws.ToString(in.QueueUrl))
	q := e.svc.lookup(name)
	deadline := time.Now().Add(5 * time.Second)
	for {
		q.mu.Lock()
		waiting := q.waiters
		q.mu.Unlock()
		if waiting > 0 {
			return done
		}
		if time.Now().After(deadline) {
			t.Fatal("the long poll never started waiting")
		}
		time.Sleep(time.Millisecond)
	}
}

func await(t *testing.T, done <-chan receiveResultT, within time.Duration) receiveResultT {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(within):
		t.Fatalf("the long poll did not return within %v", within)
		return receiveResultT{}
	}
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html
// A long poll returns as soon as a message is available.
func TestLongPollWakesOnSend(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", nil)
	done := longPoll(t, e, ctx(t), &awssqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20})
	e.send(url, "hello")
	r := await(t, done, 5*time.Second)
	if r.err != nil || len(r.out.Messages) != 1 || aws.ToString(r.out.Messages[0].Body) != "hello" {
		t.Fatalf("long poll = %v, %v", r.out, r.err)
	}
}

func TestLongPollWakesOnSendToQueue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", nil)
	done := longPoll(t, e, ctx(t), &awssqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20})
	if err := e.svc.SendToQueue(ctx(t), e.queueARN(url), "event"); err != nil {
		t.Fatal(err)
	}
	if r := await(t, done, 5*time.Second); r.err != nil || len(r.out.Messages) != 1 {
		t.Fatalf("long poll = %v, %v", r.out, r.err)
	}
}

// A message whose visibility timeout expires during the poll is delivered
// (the background loop notices the expiry on the injected clock).
func TestLongPollWakesOnVisibilityExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", map[string]string{"VisibilityTimeout": "10"})
	e.send(url, "retry me")
	e.receive(url, 1)
	done := longPoll(t, e, ctx(t), &awssqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{"ApproximateReceiveCount"}})
	e.clock.Advance(10 * time.Second)
	r := await(t, done, 5*time.Second)
	if r.err != nil || len(r.out.Messages) != 1 || r.out.Messages[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("long poll = %+v, %v", r.out, r.err)
	}
}

// With no WaitTimeSeconds the queue's ReceiveMessageWaitTimeSeconds applies,
// and an empty queue answers after it with no messages.
func TestLongPollTimesOutEmpty(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", map[string]string{"ReceiveMessageWaitTimeSeconds": "1"})
	done := longPoll(t, e, ctx(t), &awssqs.ReceiveMessageInput{QueueUrl: &url})
	r := await(t, done, 5*time.Second)
	if r.err != nil || len(r.out.Messages) != 0 {
		t.Fatalf("long poll = %v, %v", r.out, r.err)
	}
	if r.elapsed < 900*time.Millisecond {
		t.Fatalf("returned after %v, before the 1s wait time", r.elapsed)
	}
}

func TestLongPollEndsWhenCallerCancels(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", nil)
	c, cancel := context.WithCancel(ctx(t))
	done := longPoll(t, e, c, &awssqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20})
	cancel()
	if r := await(t, done, 5*time.Second); !errors.Is(r.err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", r.err)
	}
	// The server side lets go of the waiter too.
	q := e.svc.lookup("orders")
	deadline := time.Now().Add(5 * time.Second)
	for {
		q.mu.Lock()
		n := q.waiters
		q.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the cancelled poll still waits in the service")
		}
		time.Sleep(time.Millisecond)
	}
	// A message sent now stays for the next receiver.
	e.send(url, "kept")
	if got := bodies(e.receive(url, 1)); len(got) != 1 || got[0] != "kept" {
		t.Fatalf("received %v", got)
	}
}

func TestCloseReleasesLongPolls(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", nil)
	done := longPoll(t, e, ctx(t), &awssqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20})
	e.svc.Close()
	if r := await(t, done, 5*time.Second); r.err != nil || len(r.out.Messages) != 0 {
		t.Fatalf("long poll after Close = %v, %v", r.out, r.err)
	}
	e.svc.Close() // idempotent
}

func TestDeleteQueueReleasesLongPolls(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", nil)
	done := longPoll(t, e, ctx(t), &awssqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20})
	if _, err := e.client.DeleteQueue(ctx(t), &awssqs.DeleteQueueInput{QueueUrl: &url}); err != nil {
		t.Fatal(err)
	}
	if r := await(t, done, 5*time.Second); r.err != nil || len(r.out.Messages) != 0 {
		t.Fatalf("long poll after DeleteQueue = %v, %v", r.out, r.err)
	}
}
