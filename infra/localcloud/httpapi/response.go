package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// ErrMalformedResponse is wrapped when a function's answer is not a valid
// Lambda proxy response; API Gateway then answers 500 Internal Server Error.
var ErrMalformedResponse = errors.New("malformed Lambda proxy response")

// response is what the client gets.
type response struct {
	status int
	header http.Header
	body   []byte
}

// parseResponseV2 interprets a function's answer under payload format 2.0.
// A JSON object with a statusCode is a structured response; any other valid
// JSON is the body of a 200 application/json response (a JSON string gives
// its value, anything else its JSON text).
func parseResponseV2(out []byte) (*response, error) {
	out = bytes.TrimSpace(out)
	if !json.Valid(out) {
		return nil, fmt.Errorf("%w: not JSON", ErrMalformedResponse)
	}
	var fields map[string]json.RawMessage
	if out[0] == '{' {
		if err := json.Unmarshal(out, &fields); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformedResponse, err)
		}
	}
	if _, ok := fields["statusCode"]; !ok {
		body := out
		var s string
		if out[0] == '"' && json.Unmarshal(out, &s) == nil {
			body = []byte(s)
		}
		return &response{
			status: http.StatusOK,
			header: http.Header{"Content-Type": {"application/json"}},
			body:   body,
		}, nil
	}
	resp, err := structuredResponse(fields)
	if err != nil {
		return nil, err
	}
	var cookies []string
	if raw, ok := fields["cookies"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &cookies); err != nil {
			return nil, fmt.Errorf("%w: cookies: %w", ErrMalformedResponse, err)
		}
	}
	// Each cookie becomes a set-cookie header.
	for _, c := range cookies {
		resp.header.Add("Set-Cookie", c)
	}
	return resp, nil
}

// parseResponseV1 interprets a function's answer under payload format 1.0,
// which has no inference: the answer must be an object with a statusCode.
func parseResponseV1(out []byte) (*response, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(out, &fields); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedResponse, err)
	}
	if _, ok := fields["statusCode"]; !ok {
		return nil, fmt.Errorf("%w: no statusCode", ErrMalformedResponse)
	}
	return structuredResponse(fields)
}

// structuredResponse reads statusCode, headers, multiValueHeaders, body and
// isBase64Encoded, the fields both formats share.
func structuredResponse(fields map[string]json.RawMessage) (*response, error) {
	var status int
	if err := json.Unmarshal(fields["statusCode"], &status); err != nil {
		return nil, fmt.Errorf("%w: statusCode: %w", ErrMalformedResponse, err)
	}
	if status < 200 || status > 599 {
		return nil, fmt.Errorf("%w: statusCode %d", ErrMalformedResponse, status)
	}
	resp := &response{status: status, header: http.Header{}}

	single := map[string]json.RawMessage{}
	if raw, ok := fields["headers"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &single); err != nil {
			return nil, fmt.Errorf("%w: headers: %w", ErrMalformedResponse, err)
		}
	}
	multi := map[string][]json.RawMessage{}
	if raw, ok := fields["multiValueHeaders"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &multi); err != nil {
			return nil, fmt.Errorf("%w: multiValueHeaders: %w", ErrMalformedResponse, err)
		}
	}
	// When a header is in both maps, API Gateway keeps the multi-value list.
	for name, raw := range single {
		if _, ok := multi[name]; ok || isNull(raw) {
			continue
		}
		v, err := scalarString(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: header %s: %w", ErrMalformedResponse, name, err)
		}
		resp.header.Add(name, v)
	}
	for name, vals := range multi {
		for _, raw := range vals {
			v, err := scalarString(raw)
			if err != nil {
				return nil, fmt.Errorf("%w: header %s: %w", ErrMalformedResponse, name, err)
			}
			resp.header.Add(name, v)
		}
	}
	// The server frames the body itself; a function's own framing headers would
	// contradict it.
	resp.header.Del("Content-Length")
	resp.header.Del("Transfer-Encoding")
	if resp.header.Get("Content-Type") == "" {
		resp.header.Set("Content-Type", "application/json")
	}

	var body string
	if raw, ok := fields["body"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &body); err != nil {
			return nil, fmt.Errorf("%w: body must be a string: %w", ErrMalformedResponse, err)
		}
	}
	var b64 bool
	if raw, ok := fields["isBase64Encoded"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &b64); err != nil {
			return nil, fmt.Errorf("%w: isBase64Encoded: %w", ErrMalformedResponse, err)
		}
	}
	resp.body = []byte(body)
	if b64 {
		dec, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return nil, fmt.Errorf("%w: body is not base64: %w", ErrMalformedResponse, err)
		}
		resp.body = dec
	}
	return resp, nil
}

// scalarString renders a header value; functions written in dynamic languages
// often return numbers or booleans there.
func scalarString(raw json.RawMessage) (string, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", err
	}
	switch t := v.(type) {
	case string:
		return t, nil
	case bool:
		return strconv.FormatBool(t), nil
	case float64:
		return string(bytes.TrimSpace(raw)), nil
	}
	return "", fmt.Errorf("value %s is not a string", raw)
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

func (r *response) write(w http.ResponseWriter) {
	h := w.Header()
	for name, vals := range r.header {
		h[name] = append(h[name], vals...)
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body)
}
