package recontest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	localdynamodb "github.com/paylane/paylane/infra/localcloud/dynamodb"
	localeb "github.com/paylane/paylane/infra/localcloud/eventbridge"
	locals3 "github.com/paylane/paylane/infra/localcloud/s3"
	localsqs "github.com/paylane/paylane/infra/localcloud/sqs"
)

// Cloud is the local cloud's DynamoDB, SQS, EventBridge and S3 on one endpoint, routed as
// the local cloud routes them, with SDK clients for each. S3 notifications go to its SQS,
// and EventBridge delivers to it.
type Cloud struct {
	URL         string
	DynamoDB    *dynamodb.Client
	SQS         *sqs.Client
	EventBridge *eventbridge.Client
	S3          *s3.Client
}

// NewCloud starts the services for the test.
func NewCloud(t testing.TB) *Cloud {
	t.Helper()
	ddb := localdynamodb.New(localdynamodb.Options{TTLSweepInterval: -1})
	queues := localsqs.New(localsqs.Options{TickInterval: 5 * time.Millisecond})
	bus := localeb.New(localeb.Options{Queues: queues})
	objects := locals3.New(locals3.Options{DataDir: t.TempDir(), Queues: queues, MinPartSize: 5 << 20})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch target := r.Header.Get("X-Amz-Target"); {
		case strings.HasPrefix(target, "DynamoDB"):
			ddb.ServeHTTP(w, r)
		case strings.HasPrefix(target, "AmazonSQS."):
			queues.ServeHTTP(w, r)
		case strings.HasPrefix(target, "AWSEvents."):
			bus.ServeHTTP(w, r)
		case target == "":
			objects.ServeHTTP(w, r)
		default:
			http.Error(w, "no service for "+target, http.StatusBadRequest)
		}
	}))
	t.Cleanup(func() {
		srv.Close()
		_ = bus.Close()
		_ = objects.Close()
		queues.Close()
		ddb.Close()
	})
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	return &Cloud{
		URL:         srv.URL,
		DynamoDB:    dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds}),
		SQS:         sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds}),
		EventBridge: eventbridge.New(eventbridge.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds}),
		S3:          s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds, UsePathStyle: true}),
	}
}
