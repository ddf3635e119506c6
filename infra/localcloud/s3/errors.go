package s3

import (
	"fmt"
	"net/http"
	"strconv"
)

// Error is an S3 error response: a status code and the XML document
// <Error><Code/><Message/>…</Error>. Fields are extra elements S3 adds for
// some codes (BucketName, Key, ArgumentName, ActualObjectSize…), in order.
type Error struct {
	Status  int
	Code    string
	Message string
	Fields  []Field
	// Header values added to the response (e.g. Allow for MethodNotAllowed).
	Header map[string]string
}

// Field is one extra element of an error document.
type Field struct{ Name, Value string }

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func newError(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// with returns e with an extra element appended.
func (e *Error) with(name, value string) *Error {
	e.Fields = append(e.Fields, Field{name, value})
	return e
}

func errInvalidArgument(format string, args ...any) *Error {
	return newError(http.StatusBadRequest, "InvalidArgument", format, args...)
}

func errInvalidRequest(format string, args ...any) *Error {
	return newError(http.StatusBadRequest, "InvalidRequest", format, args...)
}

func errNoSuchBucket(name string) *Error {
	return newError(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist").with("BucketName", name)
}

func errNoSuchKey(key string) *Error {
	return newError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.").with("Key", key)
}

func errNoSuchUpload(id string) *Error {
	return newError(http.StatusNotFound, "NoSuchUpload",
		"The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.").
		with("UploadId", id)
}

func errMalformedXML() *Error {
	return newError(http.StatusBadRequest, "MalformedXML",
		"The XML you provided was not well-formed or did not validate against our published schema")
}

func errPreconditionFailed(condition string) *Error {
	return newError(http.StatusPreconditionFailed, "PreconditionFailed",
		"At least one of the pre-conditions you specified did not hold").with("Condition", condition)
}

func errNotImplemented(operation string) *Error {
	return newError(http.StatusNotImplemented, "NotImplemented",
		"%s is not implemented by the local cloud's S3", operation)
}

func errMethodNotAllowed(method, resource string) *Error {
	return newError(http.StatusMethodNotAllowed, "MethodNotAllowed",
		"The specified method is not allowed against this resource.").
		with("Method", method).with("ResourceType", resource)
}

func errInvalidRange(size int64) *Error {
	return newError(http.StatusRequestedRangeNotSatisfiable, "InvalidRange",
		"The requested range is not satisfiable").
		with("ActualObjectSize", strconv.FormatInt(size, 10))
}

func errBadDigest(what string) *Error {
	return newError(http.StatusBadRequest, "BadDigest", "The %s you specified did not match the calculated checksum.", what)
}

func errInternal(err error) *Error {
	return newError(http.StatusInternalServerError, "InternalError",
		"We encountered an internal error. Please try again. (%v)", err)
}
