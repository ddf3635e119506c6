// Command initerror fails its Init phase the way INIT_MODE says: "post"
// reports an init error through the Runtime API, "exit" exits, "hang" never
// finishes; anything else starts normally.
package main

import (
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	switch os.Getenv("INIT_MODE") {
	case "post":
		url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
		body := `{"errorMessage":"config table missing","errorType":"ConfigError"}`
		req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		if err != nil {
			os.Exit(2)
		}
		req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.ConfigError")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			os.Exit(2)
		}
		_ = resp.Body.Close()
		os.Exit(1)
	case "exit":
		os.Exit(4)
	case "hang":
		time.Sleep(time.Hour)
	}
	lambda.Start(func() (string, error) { return "initialized", nil })
}
