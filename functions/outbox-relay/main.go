// Command outbox-relay publishes the outbox records of the payments table's stream as
// events on the bus (ARCHITECTURE.md §1, §5).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/paylane/paylane/shared/bootstrap"
)

func main() {
	log := bootstrap.Logger()
	relay, err := bootstrap.OutboxRelay(context.Background(), os.Getenv, log)
	if err != nil {
		bootstrap.Exit(log, err)
	}
	lambda.Start(relay.Handle)
}
