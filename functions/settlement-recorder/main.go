// Command settlement-recorder records each capture and refund into its merchant's
// settlement day, exactly once (ARCHITECTURE.md §7).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/paylane/paylane/shared/bootstrap"
)

func main() {
	log := bootstrap.Logger()
	r, err := bootstrap.SettlementRecorder(context.Background(), os.Getenv, log)
	if err != nil {
		bootstrap.Exit(log, err)
	}
	lambda.Start(r.Handle)
}
