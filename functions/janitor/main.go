// Command janitor settles PG calls whose outcome is unknown, on a schedule: an
// authorization we answered 503 for but the PG approved is voided at the PG.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/paylane/paylane/shared/bootstrap"
)

func main() {
	log := bootstrap.Logger()
	j, err := bootstrap.Janitor(context.Background(), os.Getenv, log)
	if err != nil {
		bootstrap.Exit(log, err)
	}
	lambda.Start(j.Handle)
}
