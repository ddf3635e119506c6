package sqs

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

func TestSendToQueue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("events", nil)
	arn := e.queueARN(url)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name  string
		ctx   context.Context
		arn   string
		body  string
		check func(*testing.T, error)
	}{
		{"delivers", context.Background(), arn, `{"detail-type":"PaymentSettled"}`, func(t *testing.T, err error) {
			if err != nil {
				t.Fatal(err)
			}
		}},
		{"missing queue", context.Background(), "arn:aws:sqs:us-east-1:000000000000:absent", "x", func(t *testing.T, err error) {
			if !errors.Is(err, ErrQueueNotFound) {
				t.Fatalf("err = %v, want ErrQueueNotFound", err)
			}
		}},
		{"other region", context.Background(), "arn:aws:sqs:eu-west-1:000000000000:events", "x", func(t *testing.T, err error) {
			if !errors.Is(err, ErrQueueNotFound) {
				t.Fatalf("err = %v, want ErrQueueNotFound", err)
			}
		}},
		{"not an ARN", context.Background(), "events", "x", func(t *testing.T, err error) {
			if !errors.Is(err, ErrQueueNotFound) {
				t.Fatalf("err = %v, want ErrQueueNotFound", err)
			}
		}},
		{"invalid body", context.Background(), arn, "bad \x00", func(t *testing.T, err error) {
			var apiErr *awsproto.Error
			if !errors.As(err, &apiErr) || apiErr.Type != "InvalidMessageContents" {
				t.Fatalf("err = %v, want InvalidMessageContents", err)
			}
		}},
		{"cancelled context", cancelled, arn, "x", func(t *testing.T, err error) {
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, e.svc.SendToQueue(tt.ctx, tt.arn, tt.body))
		})
	}
	got := e.receive(url, 10)
	if len(got) != 1 || aws.ToString(got[0].Body) != `{"detail-type":"PaymentSettled"}` {
		t.Fatalf("queue holds %v, want only the delivered event", bodies(got))
	}
}
