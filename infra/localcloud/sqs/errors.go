package sqs

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// ErrQueueNotFound is wrapped by SendToQueue when the queue does not exist.
var ErrQueueNotFound = errors.New("sqs: queue does not exist")

// sqsNamespace prefixes __type so the SDK maps the error to its typed
// exception (types.QueueDoesNotExist, ...).
const sqsNamespace = "com.amazonaws.sqs"

// queryErrorHeader carries the legacy awsQuery error code; the SDK (the
// service is @awsQueryCompatible) reports it as the error's ErrorCode().
const queryErrorHeader = "x-amzn-query-error"

// newError builds an SQS error. queryCode is the awsQuery code from the
// service model's @awsQueryError trait, or the shape name when it has none.
func newError(status int, typ, queryCode, format string, args ...any) *awsproto.Error {
	return &awsproto.Error{
		Status:    status,
		Namespace: sqsNamespace,
		Type:      typ,
		Message:   fmt.Sprintf(format, args...),
		Header:    map[string]string{queryErrorHeader: queryCode + ";Sender"},
	}
}

func errQueueDoesNotExist() *awsproto.Error {
	return newError(http.StatusBadRequest, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
		"The specified queue does not exist.")
}

func errQueueNameExists(name string) *awsproto.Error {
	return newError(http.StatusBadRequest, "QueueNameExists", "QueueAlreadyExists",
		"A queue already exists with the same name and a different value for attribute(s): %s", name)
}

// errInvalidParameterValue is the generic validation error; it has no
// modeled shape, so the SDK surfaces it as a smithy.GenericAPIError with
// code InvalidParameterValue (taken from the query error header).
func errInvalidParameterValue(format string, args ...any) *awsproto.Error {
	return newError(http.StatusBadRequest, "InvalidParameterValue", "InvalidParameterValue", format, args...)
}

func errMissingParameter(name string) *awsproto.Error {
	return newError(http.StatusBadRequest, "MissingParameter", "MissingParameter",
		"The request must contain the parameter %s.", name)
}

func errInvalidAttributeName(name string) *awsproto.Error {
	return newError(http.StatusBadRequest, "InvalidAttributeName", "InvalidAttributeName",
		"Unknown Attribute %s.", name)
}

func errInvalidAttributeValue(format string, args ...any) *awsproto.Error {
	return newError(http.StatusBadRequest, "InvalidAttributeValue", "InvalidAttributeValue", format, args...)
}

func errReceiptHandleIsInvalid(handle string) *awsproto.Error {
	return newError(http.StatusNotFound, "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid",
		"The input receipt handle %q is not a valid receipt handle.", handle)
}

func errMessageNotInflight() *awsproto.Error {
	return newError(http.StatusBadRequest, "MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight",
		"The message referred to isn't in flight.")
}

func errInvalidMessageContents(format string, args ...any) *awsproto.Error {
	return newError(http.StatusBadRequest, "InvalidMessageContents", "InvalidMessageContents", format, args...)
}

func errEmptyBatchRequest() *awsproto.Error {
	return newError(http.StatusBadRequest, "EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest",
		"There should be at least one entry in the request.")
}

func errTooManyEntriesInBatchRequest(n int) *awsproto.Error {
	return newError(http.StatusBadRequest, "TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
		"Maximum number of entries per request are %d. You have sent %d.", maxBatchEntries, n)
}

func errBatchEntryIdsNotDistinct(id string) *awsproto.Error {
	return newError(http.StatusBadRequest, "BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
		"Id %s repeated.", id)
}

func errInvalidBatchEntryID(id string) *awsproto.Error {
	return newError(http.StatusBadRequest, "InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId",
		"A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long; got %q.", id)
}

func errBatchRequestTooLong(size, limit int) *awsproto.Error {
	return newError(http.StatusBadRequest, "BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong",
		"Batch requests cannot be longer than %d bytes. You have sent %d bytes.", limit, size)
}

func errPurgeQueueInProgress(name string) *awsproto.Error {
	return newError(http.StatusForbidden, "PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress",
		"Only one PurgeQueue operation on %s is allowed every 60 seconds.", name)
}

func errOverLimit(format string, args ...any) *awsproto.Error {
	return newError(http.StatusForbidden, "OverLimit", "OverLimit", format, args...)
}

func errResourceNotFound(format string, args ...any) *awsproto.Error {
	return newError(http.StatusNotFound, "ResourceNotFoundException", "ResourceNotFoundException", format, args...)
}

// errNotImplemented answers what AWS supports but the local cloud does not:
// an explicit, typed failure (types.UnsupportedOperation) instead of a
// silent success.
func errNotImplemented(format string, args ...any) *awsproto.Error {
	return newError(http.StatusBadRequest, "UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation",
		"not implemented by the local cloud: "+format, args...)
}

func errUnknownOperation(target string) *awsproto.Error {
	return &awsproto.Error{
		Status:  http.StatusBadRequest,
		Type:    "UnknownOperationException",
		Message: fmt.Sprintf("operation %q is not an SQS operation served by the local cloud", target),
		Header:  map[string]string{queryErrorHeader: "UnknownOperationException;Sender"},
	}
}

func errSerialization(err error) *awsproto.Error {
	return &awsproto.Error{
		Status:  http.StatusBadRequest,
		Type:    "SerializationException",
		Message: "cannot decode the request body: " + err.Error(),
		Header:  map[string]string{queryErrorHeader: "SerializationException;Sender"},
	}
}
