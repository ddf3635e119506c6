// Command reconciliation reconciles each statement uploaded under statements/ (S3 -> SQS) against our records (ARCHITECTURE.md §7).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/paylane/paylane/shared/bootstrap"
)

func main() {
	log := bootstrap.Logger()
	h, err := bootstrap.Reconciler(context.Background(), os.Getenv, log)
	if err != nil {
		bootstrap.Exit(log, err)
	}
	lambda.Start(h.Handle)
}
