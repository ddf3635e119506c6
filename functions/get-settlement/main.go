// Command get-settlement is the Lambda function behind GET /v1/settlements/{id} (API.md).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/paylane/paylane/shared/bootstrap"
)

func main() {
	log := bootstrap.Logger()
	api, err := bootstrap.MerchantAPI(context.Background(), os.Getenv, log)
	if err != nil {
		bootstrap.Exit(log, err)
	}
	lambda.Start(api.GetSettlement)
}
