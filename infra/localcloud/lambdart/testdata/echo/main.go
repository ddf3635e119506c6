// Command echo returns its event along with what the Lambda context told it.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type reply struct {
	Event        json.RawMessage `json:"event"`
	RequestID    string          `json:"requestId"`
	FunctionARN  string          `json:"functionArn"`
	DeadlineMs   int64           `json:"deadlineMs"`
	TraceID      string          `json:"traceId"`
	FunctionName string          `json:"functionName"`
	MemoryMB     int             `json:"memoryMB"`
	LogStream    string          `json:"logStream"`
	PID          int             `json:"pid"`
}

func handle(ctx context.Context, event json.RawMessage) (reply, error) {
	lc, ok := lambdacontext.FromContext(ctx)
	if !ok {
		return reply{}, fmt.Errorf("no Lambda context")
	}
	deadline, _ := ctx.Deadline()
	fmt.Printf("echo handling %s\n", lc.AwsRequestID)
	return reply{
		Event:        event,
		RequestID:    lc.AwsRequestID,
		FunctionARN:  lc.InvokedFunctionArn,
		DeadlineMs:   deadline.UnixMilli(),
		TraceID:      os.Getenv("_X_AMZN_TRACE_ID"),
		FunctionName: lambdacontext.FunctionName,
		MemoryMB:     lambdacontext.MemoryLimitInMB,
		LogStream:    lambdacontext.LogStreamName,
		PID:          os.Getpid(),
	}, nil
}

func main() {
	lambda.Start(handle)
}
