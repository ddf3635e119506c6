// Command recon-recorder keeps one record per PG operation of ours, what the PG's statements are reconciled against.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/paylane/paylane/shared/bootstrap"
)

func main() {
	log := bootstrap.Logger()
	h, err := bootstrap.ReconRecorder(context.Background(), os.Getenv, log)
	if err != nil {
		bootstrap.Exit(log, err)
	}
	lambda.Start(h.Handle)
}
