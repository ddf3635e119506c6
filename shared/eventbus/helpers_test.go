package eventbus_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	localeb "github.com/paylane/paylane/infra/localcloud/eventbridge"
	"github.com/paylane/paylane/infra/localcloud/sdktest"
	localsqs "github.com/paylane/paylane/infra/localcloud/sqs"
)

// cloud is the local cloud's SQS and EventBridge behind httptest servers, with real SDK
// clients, a bus "paylane" and a queue "seen" that receives every payment event.
type cloud struct {
	sqs     *sqs.Client
	eb      *eventbridge.Client
	seenURL string
}

const busName = "paylane"

func newCloud(t *testing.T) *cloud {
	t.Helper()
	queues := localsqs.New(localsqs.Options{})
	qsrv := httptest.NewServer(queues)
	bus := localeb.New(localeb.Options{Queues: queues})
	bsrv := httptest.NewServer(bus)
	t.Cleanup(func() {
		bsrv.Close()
		_ = bus.Close()
		qsrv.Close()
		queues.Close()
	})
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	c := &cloud{
		sqs: sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(qsrv.URL), Credentials: creds, Retryer: sdktest.ConnectionRetryer()}),
		eb:  eventbridge.New(eventbridge.Options{Region: "us-east-1", BaseEndpoint: aws.String(bsrv.URL), Credentials: creds, Retryer: sdktest.ConnectionRetryer()}),
	}
	ctx := testContext(t)
	c.seenURL = c.createQueue(t, "seen")
	if _, err := c.eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(busName)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.eb.PutRule(ctx, &eventbridge.PutRuleInput{
		Name: aws.String("payments"), EventBusName: aws.String(busName),
		EventPattern: aws.String(`{"source":["paylane.payments"]}`),
	}); err != nil {
		t.Fatal(err)
	}
	attrs, err := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(c.seenURL), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.eb.PutTargets(ctx, &eventbridge.PutTargetsInput{
		Rule: aws.String("payments"), EventBusName: aws.String(busName),
		Targets: []ebtypes.Target{{Id: aws.String("seen"), Arn: aws.String(attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)])}},
	}); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *cloud) createQueue(t *testing.T, name string) string {
	t.Helper()
	out, err := c.sqs.CreateQueue(testContext(t), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.QueueUrl)
}

// receive waits until n messages arrived in the queue (EventBridge delivers
// asynchronously) and returns their bodies, decoded into T.
func receive[T any](t *testing.T, c *cloud, queueURL string, n int) []T {
	t.Helper()
	ctx := testContext(t)
	var out []T
	deadline := time.Now().Add(5 * time.Second)
	for len(out) < n && time.Now().Before(deadline) {
		res, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range res.Messages {
			var v T
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &v); err != nil {
				t.Fatalf("message %s: %v", aws.ToString(m.Body), err)
			}
			out = append(out, v)
		}
	}
	if len(out) != n {
		t.Fatalf("%d messages arrived, want %d", len(out), n)
	}
	return out
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}
