// Package fault is the one error vocabulary of Paylane: a small set of codes, each one of
// API.md's error codes, carried by *Error and read with errors.As. Domain code returns
// them; the HTTP layer maps each code to its status once (see Status). Errors without a
// code are internal: the client sees a generic message, the log sees everything.
package fault

import (
	"errors"
	"fmt"
	"net/http"
)

// Code is an API.md error code.
type Code string

const (
	Invalid         Code = "invalid_request"
	KeyMissing      Code = "idempotency_key_missing"
	Unauthenticated Code = "unauthenticated"
	Declined        Code = "payment_declined"
	NotFound        Code = "not_found"
	InvalidState    Code = "invalid_state"
	InProgress      Code = "idempotency_in_progress"
	AmountExceeds   Code = "amount_exceeds_available"
	KeyReused       Code = "idempotency_key_reused"
	RateLimited     Code = "rate_limited"
	PGUnavailable   Code = "pg_unavailable"
	Internal        Code = "internal"
	PayloadTooLarge Code = "payload_too_large" // 413; API.md sends it as invalid_request
)

// Error is an error a client can act on.
type Error struct {
	Code    Code
	Message string
	Field   string // the request field at fault, when there is one
	Err     error  // the cause, for logs; never shown to clients
}

func (e *Error) Error() string {
	msg := string(e.Code) + ": " + e.Message
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with a code and a message for the client.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field returns an invalid_request error about one request field.
func Field(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error with a code whose cause is err.
func Wrap(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// CodeOf returns err's code, or Internal when it has none.
func CodeOf(err error) Code {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Code
	}
	return Internal
}

// Is reports whether err carries code.
func Is(err error, code Code) bool {
	var fe *Error
	return errors.As(err, &fe) && fe.Code == code
}

// Status is the HTTP status API.md gives each code.
func Status(code Code) int {
	switch code {
	case Invalid, KeyMissing:
		return http.StatusBadRequest
	case Unauthenticated:
		return http.StatusUnauthorized
	case Declined:
		return http.StatusPaymentRequired
	case NotFound:
		return http.StatusNotFound
	case InvalidState, InProgress, AmountExceeds:
		return http.StatusConflict
	case KeyReused:
		return http.StatusUnprocessableEntity
	case RateLimited:
		return http.StatusTooManyRequests
	case PGUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}
