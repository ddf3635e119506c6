// Command fail fails the way its event asks: a returned error, a response
// whose reader fails mid-stream, or a response larger than Lambda allows.
package main

import (
	"errors"
	"io"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
)

// DeclinedError is a custom error type: Lambda reports its type name.
type DeclinedError struct{ Reason string }

func (e *DeclinedError) Error() string { return "card declined: " + e.Reason }

type event struct {
	Mode string `json:"mode"`
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("stream broke") }

func handle(ev event) (any, error) {
	switch ev.Mode {
	case "reader":
		return io.Reader(failingReader{}), nil
	case "big":
		return strings.NewReader(strings.Repeat("x", 7*1024*1024)), nil
	case "ok":
		return "fine", nil
	default:
		return nil, &DeclinedError{Reason: "insufficient funds"}
	}
}

func main() { lambda.Start(handle) }
