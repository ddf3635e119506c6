package lambdart

import (
	"encoding/json"
	"errors"
)

var (
	// ErrFunctionNotFound is returned for a name or ARN no registered function answers to
	// (Lambda's ResourceNotFoundException).
	ErrFunctionNotFound = errors.New("lambdart: function not found")
	// ErrFunctionExists is returned by Register for a name already registered.
	ErrFunctionExists = errors.New("lambdart: function already registered")
	// ErrInvalidFunction is returned by Register for a configuration Lambda would refuse.
	ErrInvalidFunction = errors.New("lambdart: invalid function configuration")
	// ErrRequestTooLarge is returned for a payload above Lambda's invocation quota
	// (Lambda's RequestTooLargeException).
	ErrRequestTooLarge = errors.New("lambdart: request payload too large")
	// ErrClosed is returned once the runtime is closing.
	ErrClosed = errors.New("lambdart: runtime closed")
)

// Error types Lambda itself reports, as opposed to the ones a function reports.
const (
	ErrorTypeTimeout           = "Sandbox.Timedout"
	ErrorTypeExit              = "Runtime.ExitError"
	ErrorTypeInvalidEntrypoint = "Runtime.InvalidEntrypoint"
	ErrorTypeResponseTooLarge  = "Function.ResponseSizeTooLarge"
	// ErrorTypeUnhandled is what Lambda reports when the runtime gave no type.
	ErrorTypeUnhandled = "Unhandled"
)

// FunctionError is an invocation that failed inside the function or its
// execution environment: what the Invoke API answers with X-Amz-Function-Error.
// Payload is the error document the caller of Invoke would receive.
type FunctionError struct {
	Type    string
	Message string
	Payload []byte
}

func (e *FunctionError) Error() string {
	return "lambda function error " + e.Type + ": " + e.Message
}

// errorDocument is the body runtimes post to /error and /init/error, and the
// payload Lambda returns for a failed invocation.
type errorDocument struct {
	ErrorMessage string          `json:"errorMessage"`
	ErrorType    string          `json:"errorType"`
	StackTrace   json.RawMessage `json:"stackTrace,omitempty"`
}

// newFunctionError builds a FunctionError Lambda itself raises, with the
// payload Lambda would return for it.
func newFunctionError(typ, message string) *FunctionError {
	payload, _ := json.Marshal(errorDocument{ErrorMessage: message, ErrorType: typ})
	return &FunctionError{Type: typ, Message: message, Payload: payload}
}

// functionErrorFromRuntime reads what a runtime posted to /error or /init/error.
// The body is the payload the caller sees, so its errorType wins over the
// Lambda-Runtime-Function-Error-Type header; a body that is not the documented
// JSON document is still passed through untouched.
func functionErrorFromRuntime(body []byte, headerType string) *FunctionError {
	var doc errorDocument
	if err := json.Unmarshal(body, &doc); err != nil {
		doc = errorDocument{}
	}
	typ := doc.ErrorType
	if typ == "" {
		typ = headerType
	}
	if typ == "" {
		typ = ErrorTypeUnhandled
	}
	if len(body) == 0 {
		return newFunctionError(typ, doc.ErrorMessage)
	}
	return &FunctionError{Type: typ, Message: doc.ErrorMessage, Payload: body}
}
