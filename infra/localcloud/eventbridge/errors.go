package eventbridge

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// Errors returned by FireRule, checked with errors.Is.
var (
	ErrNotFound     = errors.New("not found")
	ErrNotScheduled = errors.New("rule has no schedule expression")
)

func validationErr(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf("ValidationException", format, args...)
}

func notFoundErr(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf("ResourceNotFoundException", format, args...)
}

func busNotFoundErr(name string) *awsproto.Error {
	return notFoundErr("Event bus %s does not exist.", name)
}

func ruleNotFoundErr(rule, bus string) *awsproto.Error {
	return notFoundErr("Rule %s does not exist on EventBus %s.", rule, bus)
}

func notImplementedErr(format string, args ...any) *awsproto.Error {
	return &awsproto.Error{
		Status:  http.StatusNotImplemented,
		Type:    "NotImplemented",
		Message: fmt.Sprintf(format, args...) + " is not implemented by the local cloud",
	}
}

// toAWSError turns any handler error into the wire error; errors that are
// not already AWS errors are internal failures.
func toAWSError(err error) *awsproto.Error {
	var ae *awsproto.Error
	if errors.As(err, &ae) {
		return ae
	}
	return &awsproto.Error{Status: http.StatusInternalServerError, Type: "InternalException", Message: err.Error()}
}

func alreadyExistsErr(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf("ResourceAlreadyExistsException", format, args...)
}

// reason drops the sentinel's text from a wrapped validation error, leaving
// the detail for an AWS-style message.
func reason(err, sentinel error) string {
	return strings.TrimPrefix(err.Error(), sentinel.Error()+": ")
}
