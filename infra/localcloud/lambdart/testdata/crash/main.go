// Command crash exits in the middle of an invocation when asked to.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Crash bool `json:"crash"`
}

func handle(ev event) (int, error) {
	if ev.Crash {
		fmt.Println("crashing now")
		os.Exit(3)
	}
	return os.Getpid(), nil
}

func main() { lambda.Start(handle) }
