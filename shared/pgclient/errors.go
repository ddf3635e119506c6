package pgclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/paylane/paylane/shared/fault"
)

// ErrUnavailable is wrapped by every error that leaves the outcome unknown:
// timeout, connection error, 5xx, circuit breaker open. Retry later with the
// same Idempotency-Key, or ask Lookup what happened.
var ErrUnavailable = errors.New("pg unavailable")

// ErrNotPerformed is returned by Lookup when the PG never performed an
// operation with the key: it is safe to send it (again).
var ErrNotPerformed = errors.New("operation not performed by the PG")

// errAnswerTooLarge: the PG's answers are a few hundred bytes; a huge one
// is a broken PG or proxy, which a retry would not mend.
var errAnswerTooLarge = fmt.Errorf("answer over %d bytes", maxAnswer)

// errBadKey: Idempotency-Key must be 1 to 255 printable ASCII characters.
// Checked before sending, since net/http refuses control characters in a
// header with an error that would look like a network failure.
var errBadKey = errors.New("idempotency key must be 1 to 255 printable ASCII characters")

// Refusal is a 4xx answer of the PG: it decided not to do the operation.
// It is definitive; sending the same request again gets the same answer.
type Refusal struct {
	Status  int    // HTTP status, e.g. 409
	Code    string // the PG's error code, e.g. already_captured
	Message string
}

func (r *Refusal) Error() string {
	return fmt.Sprintf("pg refused (%d %s): %s", r.Status, r.Code, r.Message)
}

// refusalOf reads the PG's error body; a body that is not one (a proxy's
// page) gives the status text.
func refusalOf(a answer) *Refusal {
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	r := &Refusal{Status: a.status, Message: http.StatusText(a.status)}
	if json.Unmarshal(a.body, &body) == nil && body.Error.Code != "" {
		r.Code, r.Message = body.Error.Code, body.Error.Message
	}
	return r
}

// unavailable is the error of a call whose outcome is unknown: it wraps
// ErrUnavailable and cause, and carries fault.PGUnavailable for the API.
func unavailable(op string, cause error) error {
	return fault.Wrap(fault.PGUnavailable, fmt.Errorf("pg %s: %w: %w", op, ErrUnavailable, cause),
		"the payment gateway did not answer")
}

func validKey(k string) bool {
	if len(k) == 0 || len(k) > 255 {
		return false
	}
	for i := range len(k) {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}
