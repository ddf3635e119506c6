// Command discrepancy-handler re-checks reconciliation discrepancies later: those that resolve themselves (a capture in flight) are marked resolved.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/paylane/paylane/shared/bootstrap"
)

func main() {
	log := bootstrap.Logger()
	h, err := bootstrap.Rechecker(context.Background(), os.Getenv, log)
	if err != nil {
		bootstrap.Exit(log, err)
	}
	lambda.Start(h.Handle)
}
