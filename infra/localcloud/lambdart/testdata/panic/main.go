// Command panic panics in the middle of an invocation when asked to.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Panic bool `json:"panic"`
}

func handle(ev event) (int, error) {
	if ev.Panic {
		panic("kaboom")
	}
	return os.Getpid(), nil
}

func main() { lambda.Start(handle) }
