package dynamodb

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// namespace prefixes DynamoDB's error codes in the __type member.
const namespace = "com.amazonaws.dynamodb.v20120810"

func apiError(typ, format string, args ...any) *awsproto.Error {
	return &awsproto.Error{Status: http.StatusBadRequest, Namespace: namespace, Type: typ, Message: fmt.Sprintf(format, args...)}
}

func validationf(format string, args ...any) *awsproto.Error {
	return apiError("ValidationException", format, args...)
}

func notFoundf(format string, args ...any) *awsproto.Error {
	return apiError("ResourceNotFoundException", format, args...)
}

func tableNotFound() *awsproto.Error {
	return notFoundf("Requested resource not found")
}

func serializationErr(err error) *awsproto.Error {
	return apiError("SerializationException", "%s", err.Error())
}

// asAPIError turns any error of the engine into the error DynamoDB would
// send: awsproto errors as they are, attr/expr validation failures as
// ValidationException, malformed JSON as SerializationException, anything
// else as an internal error.
func asAPIError(err error) *awsproto.Error {
	var ae *awsproto.Error
	if errors.As(err, &ae) {
		return ae
	}
	var ve *attr.ValidationError
	if errors.As(err, &ve) {
		return validationf("%s", ve.Message)
	}
	var se *attr.SerializationError
	if errors.As(err, &se) {
		return apiError("SerializationException", "%s", se.Message)
	}
	if errors.Is(err, errSyntax) {
		return serializationErr(err)
	}
	return &awsproto.Error{Status: http.StatusInternalServerError, Namespace: namespace, Type: "InternalServerError", Message: err.Error()}
}
