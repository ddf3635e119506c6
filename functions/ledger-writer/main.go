// Command ledger-writer posts balanced journals for captures and refunds, exactly once per
// event (ARCHITECTURE.md §6).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/paylane/paylane/shared/bootstrap"
)

func main() {
	log := bootstrap.Logger()
	w, err := bootstrap.LedgerWriter(context.Background(), os.Getenv, log)
	if err != nil {
		bootstrap.Exit(log, err)
	}
	lambda.Start(w.Handle)
}
