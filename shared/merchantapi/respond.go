package merchantapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/fault"
)

type response = events.APIGatewayV2HTTPResponse

type errorBody struct {
	Error errorJSON `json:"error"`
}

type errorJSON struct {
	Code    fault.Code `json:"code"`
	Message string     `json:"message"`
	Field   string     `json:"field,omitempty"`
}

// unauthenticatedBody is byte for byte the same whatever the cause (API.md).
var unauthenticatedBody = mustJSON(errorBody{Error: errorJSON{Code: fault.Unauthenticated, Message: "request could not be authenticated"}})

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called with fixed values at init
	}
	return string(b)
}

func jsonResponse(status int, body []byte) response {
	return response{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(body),
	}
}

func encode(v any) ([]byte, error) { return json.Marshal(v) }

// errorResponse renders a fault for the client. Errors without a code are internal: the
// client gets a generic message (a 5xx never carries internal detail), the caller logs it.
func errorResponse(err error) response {
	code := fault.CodeOf(err)
	e := errorJSON{Code: code, Message: "internal error"}
	if code == fault.Unauthenticated {
		return jsonResponse(http.StatusUnauthorized, []byte(unauthenticatedBody))
	}
	var fe *fault.Error
	if code != fault.Internal && asFault(err, &fe) {
		e.Message, e.Field = fe.Message, fe.Field
	}
	if code == fault.PGUnavailable {
		e.Message = "the payment gateway did not answer in time; nothing was charged"
	}
	body, _ := json.Marshal(errorBody{Error: e})
	resp := jsonResponse(fault.Status(code), body)
	if code == fault.InProgress {
		resp.Headers["Retry-After"] = "1"
	}
	return resp
}

func rateLimited(retryAfter time.Duration) response {
	secs := int((retryAfter + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	body, _ := json.Marshal(errorBody{Error: errorJSON{Code: fault.RateLimited, Message: "rate limit exceeded"}})
	resp := jsonResponse(http.StatusTooManyRequests, body)
	resp.Headers["Retry-After"] = strconv.Itoa(secs)
	return resp
}

func tooLarge() response {
	body, _ := json.Marshal(errorBody{Error: errorJSON{Code: fault.Invalid, Message: "request body is larger than 65536 bytes"}})
	return jsonResponse(http.StatusRequestEntityTooLarge, body)
}
