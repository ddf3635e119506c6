// Command probe is the function the local cloud's runtime tests deploy in several roles
// (PROBE_ROLE). Each role records what it received in the table named by SEEN_TABLE, through
// the real AWS SDK and AWS_ENDPOINT_URL, so the tests observe the function from outside as
// a person would.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

type probe struct {
	db    *dynamodb.Client
	table string
}

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "config:", err)
		os.Exit(1)
	}
	p := &probe{db: dynamodb.NewFromConfig(cfg), table: os.Getenv("SEEN_TABLE")}
	switch role := os.Getenv("PROBE_ROLE"); role {
	case "http":
		lambda.Start(p.http)
	case "sqs":
		lambda.Start(p.sqs)
	case "stream":
		lambda.Start(p.stream)
	case "schedule":
		lambda.Start(p.schedule)
	case "s3":
		lambda.Start(p.s3)
	default:
		fmt.Fprintln(os.Stderr, "unknown PROBE_ROLE", role)
		os.Exit(2)
	}
}

func (p *probe) record(ctx context.Context, pk, sk string, attrs map[string]string) error {
	item := map[string]types.AttributeValue{
		"pk":  &types.AttributeValueMemberS{Value: pk},
		"sk":  &types.AttributeValueMemberS{Value: sk},
		"pid": &types.AttributeValueMemberN{Value: strconv.Itoa(os.Getpid())},
	}
	for k, v := range attrs {
		item[k] = &types.AttributeValueMemberS{Value: v}
	}
	_, err := p.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(p.table), Item: item})
	return err
}

func (p *probe) http(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	body, _ := json.Marshal(map[string]any{
		"routeKey": req.RouteKey, "method": req.RequestContext.HTTP.Method, "path": req.RawPath,
		"pathParameters": req.PathParameters, "query": req.RawQueryString, "body": req.Body,
		"signature": req.Headers["x-signature"],
	})
	return events.APIGatewayV2HTTPResponse{
		StatusCode: 201, Body: string(body),
		Headers: map[string]string{"Content-Type": "application/json", "X-Probe": "yes"},
	}, nil
}

// sqs records each message. Bodies steer it: "fail:..." is reported as a batch item
// failure, "slow:..." sleeps past the function timeout on its first delivery, "hang:..."
// records that it started and then waits to be killed on its first delivery.
func (p *probe) sqs(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, m := range ev.Records {
		count := m.Attributes["ApproximateReceiveCount"]
		sk := m.MessageId + "#" + count
		switch {
		case strings.HasPrefix(m.Body, "fail:"):
			if err := p.record(ctx, m.Body, sk, map[string]string{"outcome": "failed", "count": count}); err != nil {
				return resp, err
			}
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
			continue
		case strings.HasPrefix(m.Body, "slow:") && count == "1":
			if err := p.record(ctx, m.Body, sk, map[string]string{"outcome": "started", "count": count}); err != nil {
				return resp, err
			}
			time.Sleep(30 * time.Second)
		case strings.HasPrefix(m.Body, "hang:") && count == "1":
			if err := p.record(ctx, m.Body, sk, map[string]string{"outcome": "started", "count": count}); err != nil {
				return resp, err
			}
			time.Sleep(60 * time.Second)
		}
		if err := p.record(ctx, m.Body, sk, map[string]string{"outcome": "done", "count": count}); err != nil {
			return resp, err
		}
	}
	return resp, nil
}

// stream records each change; an item with a "poison" attribute fails the whole batch.
func (p *probe) stream(ctx context.Context, ev events.DynamoDBEvent) error {
	for _, r := range ev.Records {
		if _, poison := r.Change.NewImage["poison"]; poison {
			return fmt.Errorf("poison record %s", r.Change.SequenceNumber)
		}
	}
	for _, r := range ev.Records {
		version := ""
		if v, ok := r.Change.NewImage["version"]; ok {
			version = v.Number()
		}
		if err := p.record(ctx, "stream:"+r.Change.Keys["pk"].String(), r.Change.SequenceNumber, map[string]string{
			"eventName": r.EventName, "version": version, "arrived": time.Now().UTC().Format(time.RFC3339Nano),
		}); err != nil {
			return err
		}
	}
	return nil
}

func (p *probe) schedule(ctx context.Context, ev events.EventBridgeEvent) error {
	return p.record(ctx, "schedule", ev.ID, map[string]string{"detailType": ev.DetailType, "source": ev.Source})
}

func (p *probe) s3(ctx context.Context, ev events.SQSEvent) error {
	for _, m := range ev.Records {
		var n events.S3Event
		if err := json.Unmarshal([]byte(m.Body), &n); err != nil {
			return fmt.Errorf("not an S3 notification: %w", err)
		}
		for _, r := range n.Records {
			if err := p.record(ctx, "s3:"+r.S3.Object.Key, r.EventName, map[string]string{
				"bucket": r.S3.Bucket.Name, "size": strconv.FormatInt(r.S3.Object.Size, 10),
			}); err != nil {
				return err
			}
		}
	}
	return nil
}
