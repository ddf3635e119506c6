// Command env returns the environment it runs with.
package main

import (
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
)

func handle() (map[string]string, error) {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	env["(cwd)"] = wd
	return env, nil
}

func main() { lambda.Start(handle) }
