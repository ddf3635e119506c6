// Package awsproto holds what every service of the embedded local cloud shares
// about the AWS wire protocols: the local account and region, ARNs, and how
// the awsJson protocols (DynamoDB, Streams, SQS, EventBridge) encode errors.
package awsproto

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"
)

// AccountID is the account every local resource belongs to, as LocalStack does.
const AccountID = "000000000000"

// DefaultRegion is used when the local cloud is not told otherwise.
const DefaultRegion = "us-east-1"

// Error is an error in the shape the awsJson 1.0/1.1 protocols send:
// a status code plus a body {"__type": "...", "message": "..."}.
// Type is the short error code ("ValidationException"); Namespace, when set,
// is prefixed as "namespace#Type" (DynamoDB uses com.amazonaws.dynamodb.v20120810).
type Error struct {
	Status    int
	Namespace string
	Type      string
	Message   string
	// Extra fields merged into the JSON body (e.g. CancellationReasons, Item).
	Extra map[string]any
	// Header values added to the response (e.g. x-amzn-query-error for SQS).
	Header map[string]string
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

// Errorf builds a 400 error of the given type.
func Errorf(typ, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Type: typ, Message: fmt.Sprintf(format, args...)}
}

// WriteJSON writes v as an awsJson response body with the given content type
// (application/x-amz-json-1.0 or 1.1).
func WriteJSON(w http.ResponseWriter, contentType string, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		WriteError(w, contentType, &Error{Status: 500, Type: "InternalFailure", Message: "encoding response: " + err.Error()})
		return
	}
	WriteRaw(w, contentType, status, body)
}

// WriteRaw writes an already encoded body. Every response carries X-Amz-Crc32, the CRC32
// of the body that DynamoDB sends and its SDK clients verify (they check it even when it is
// absent, against zero); the other services' clients ignore it.
func WriteRaw(w http.ResponseWriter, contentType string, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = []string{contentType}
	h["X-Amzn-Requestid"] = []string{NewRequestID()}
	h["X-Amz-Crc32"] = []string{strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10)}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// WriteError writes e as an awsJson error response.
func WriteError(w http.ResponseWriter, contentType string, e *Error) {
	typ := e.Type
	if e.Namespace != "" {
		typ = e.Namespace + "#" + e.Type
	}
	body := map[string]any{"__type": typ, "message": e.Message}
	for k, v := range e.Extra {
		body[k] = v
	}
	for k, v := range e.Header {
		w.Header().Set(k, v)
	}
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	b, _ := json.Marshal(body)
	WriteRaw(w, contentType, status, b)
}

// ARN builds an ARN in the local account.
func ARN(service, region, resource string) string {
	return "arn:aws:" + service + ":" + region + ":" + AccountID + ":" + resource
}

// ParseARN splits an ARN into service, region, account and resource.
func ParseARN(arn string) (service, region, account, resource string, err error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return "", "", "", "", fmt.Errorf("not an ARN: %q", arn)
	}
	return parts[2], parts[3], parts[4], parts[5], nil
}
