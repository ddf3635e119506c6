// Command daily-settlement closes each merchant's settlement day into payout batches, on a
// schedule (ARCHITECTURE.md §7).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/paylane/paylane/shared/bootstrap"
)

func main() {
	log := bootstrap.Logger()
	s, err := bootstrap.Settler(context.Background(), os.Getenv, log)
	if err != nil {
		bootstrap.Exit(log, err)
	}
	lambda.Start(s.Handle)
}
