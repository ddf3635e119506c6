// Command expiry-sweeper voids authorizations left uncaptured past the expiry window, on a
// schedule, through the same void path as the API (the void worker releases them at the PG).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/paylane/paylane/shared/bootstrap"
)

func main() {
	log := bootstrap.Logger()
	s, err := bootstrap.ExpirySweeper(context.Background(), os.Getenv, log)
	if err != nil {
		bootstrap.Exit(log, err)
	}
	lambda.Start(s.Handle)
}
