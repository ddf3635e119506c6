// Command flaky records every invocation in COUNT_FILE and fails until it has
// been invoked more than FAIL_TIMES times (all of them when FAIL_TIMES is "always").
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

func handle(ctx context.Context) (string, error) {
	lc, _ := lambdacontext.FromContext(ctx)
	path := os.Getenv("COUNT_FILE")
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return "", err
	}
	_, err = fmt.Fprintf(f, "%s %d\n", lc.AwsRequestID, time.Now().UnixNano())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	n := strings.Count(string(data), "\n")
	failTimes := os.Getenv("FAIL_TIMES")
	if limit, err := strconv.Atoi(failTimes); failTimes == "always" || err == nil && n <= limit {
		return "", fmt.Errorf("attempt %d fails", n)
	}
	return fmt.Sprintf("attempt %d succeeds", n), nil
}

func main() { lambda.Start(handle) }
