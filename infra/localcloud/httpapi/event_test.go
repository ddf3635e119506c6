package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

var fixedNow = time.Date(2026, time.November, 20, 22, 2, 14, 123_000_000, time.UTC)

func fixedClock() time.Time { return fixedNow }

// captureRequest sends req through a gateway with one route and returns the
// event the function received and the apigw-requestid the client saw.
func captureRequest(t *testing.T, route Route, opts Options, req *http.Request) ([]byte, string) {
	t.Helper()
	rec := &recorder{}
	srv := serve(t, newGateway(t, []Route{route}, rec, opts))
	u := srv.URL + req.URL.RequestURI()
	req.URL, _ = req.URL.Parse(u)
	req.Host = ""
	resp, body := do(t, req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	return rec.last(t).payload, resp.Header.Get("Apigw-Requestid")
}

// The event must be exactly what events.APIGatewayV2HTTPRequest describes
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html):
// lower-case header names, repeated headers and query keys comma-joined,
// cookies in their own field, decoded path parameters.
func TestEventV2MatchesLambdaEventsType(t *testing.T) {
	t.Parallel()
	req := newRequest(t, "POST", "http://placeholder/v1/payments/pay_1/capture?expand=a&expand=b&note=x%20y&flag", `{"amount":100}`)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "paylane-test/1.0")
	req.Header.Add("X-Custom", "one")
	req.Header.Add("X-Custom", "two")
	req.Header.Set("X-Amzn-Trace-Id", "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c")
	req.Header.Add("Cookie", "session=abc; theme=dark")
	req.Header.Add("Cookie", "lang=fr")

	route := Route{Method: "POST", Path: "/v1/payments/{id}/capture", Function: "capture", PayloadFormatVersion: "2.0"}
	payload, requestID := captureRequest(t, route, Options{APIID: "abc123defg", Now: fixedClock}, req)

	var got events.APIGatewayV2HTTPRequest
	decodeStrict(t, payload, &got)
	host := got.Headers["host"]
	if !strings.HasPrefix(host, "127.0.0.1:") {
		t.Fatalf("host header %q, want the address the client called", host)
	}
	_, port, _ := strings.Cut(host, ":")
	want := events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       "POST /v1/payments/{id}/capture",
		RawPath:        "/v1/payments/pay_1/capture",
		RawQueryString: "expand=a&expand=b&note=x%20y&flag",
		Cookies:        []string{"session=abc", "theme=dark", "lang=fr"},
		Headers: map[string]string{
			"accept-encoding":   "gzip",
			"content-length":    "14",
			"content-type":      "application/json",
			"host":              host,
			"user-agent":        "paylane-test/1.0",
			"x-custom":          "one,two",
			"x-amzn-trace-id":   "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c",
			"x-forwarded-for":   "127.0.0.1",
			"x-forwarded-port":  port,
			"x-forwarded-proto": "http",
		},
		QueryStringParameters: map[string]string{"expand": "a,b", "note": "x y", "flag": ""},
		PathParameters:        map[string]string{"id": "pay_1"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     "POST /v1/payments/{id}/capture",
			AccountID:    "000000000000",
			Stage:        "$default",
			RequestID:    requestID,
			APIID:        "abc123defg",
			DomainName:   "127.0.0.1",
			DomainPrefix: "abc123defg",
			Time:         "20/Nov/2026:22:02:14 +0000",
			TimeEpoch:    fixedNow.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    "POST",
				Path:      "/v1/payments/pay_1/capture",
				Protocol:  "HTTP/1.1",
				SourceIP:  "127.0.0.1",
				UserAgent: "paylane-test/1.0",
			},
		},
		Body:            `{"amount":100}`,
		IsBase64Encoded: false,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("event mismatch\n got: %s\nwant: %s", mustJSON(t, got), mustJSON(t, want))
	}

	// Round trip: the events type re-encoded gives the same JSON, except for
	// the authentication object it always writes and API Gateway leaves out.
	var sent, reencoded map[string]any
	if err := json.Unmarshal(payload, &sent); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(mustJSON(t, want)), &reencoded); err != nil {
		t.Fatal(err)
	}
	delete(reencoded["requestContext"].(map[string]any), "authentication")
	if !reflect.DeepEqual(sent, reencoded) {
		t.Errorf("JSON differs from the events type's\n sent: %s\nevents: %s", mustJSON(t, sent), mustJSON(t, reencoded))
	}

	// What API Gateway leaves out must be absent, not zero-valued: a function
	// testing for an authorizer or client certificate must not find one.
	var raw map[string]any
	if err := json.Unmarshal(payload, &raw); err != nil {
		t.Fatal(err)
	}
	rc := raw["requestContext"].(map[string]any)
	for _, k := range []string{"authentication", "authorizer"} {
		if _, ok := rc[k]; ok {
			t.Errorf("requestContext.%s present in %s", k, payload)
		}
	}
	if _, ok := raw["stageVariables"]; ok {
		t.Errorf("stageVariables present in %s", payload)
	}
	if _, ok := got.Headers["cookie"]; ok {
		t.Errorf("the cookie header must move to the cookies field")
	}
}

func TestEventV2OmitsAbsentParts(t *testing.T) {
	t.Parallel()
	req := newRequest(t, "GET", "http://placeholder/health", "")
	payload, _ := captureRequest(t, Route{Path: "$default", Function: "f"}, Options{}, req)
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(payload, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"cookies", "queryStringParameters", "pathParameters", "body"} {
		if _, ok := raw[k]; ok {
			t.Errorf("%s present in %s", k, payload)
		}
	}
	var ev events.APIGatewayV2HTTPRequest
	decodeStrict(t, payload, &ev)
	if ev.RouteKey != "$default" || ev.RawPath != "/health" || ev.IsBase64Encoded || ev.RequestContext.HTTP.Method != "GET" {
		t.Errorf("unexpected event %s", payload)
	}
	if !strings.HasPrefix(ev.Headers["x-amzn-trace-id"], "Root=1-") {
		t.Errorf("API Gateway adds an X-Ray trace header, got %q", ev.Headers["x-amzn-trace-id"])
	}
}

// HTTP APIs pass only text/*, application/json, application/xml and
// application/javascript bodies as text; every other type, and a body without
// a Content-Type, arrives base64-encoded with isBase64Encoded true ("body" and
// "isBase64Encoded" in the payload format table of
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
func TestEventBodyEncoding(t *testing.T) {
	t.Parallel()
	binary := string([]byte{0x00, 0xff, 0x10, 'a'})
	tests := []struct {
		contentType string
		body        string
		wantB64     bool
	}{
		{"application/json", `{"a":1}`, false},
		{"application/json; charset=utf-8", `{"a":1}`, false},
		{"text/plain", "hello", false},
		{"text/csv", "a,b", false},
		{"application/xml", "<a/>", false},
		{"application/javascript", "x()", false},
		{"application/octet-stream", binary, true},
		{"image/png", binary, true},
		{"application/x-www-form-urlencoded", "a=1&b=2", true},
		{"", "no type", true},
	}
	for _, tt := range tests {
		t.Run(tt.contentType, func(t *testing.T) {
			t.Parallel()
			for _, version := range []string{"2.0", "1.0"} {
				req := newRequest(t, "PUT", "http://placeholder/blob", tt.body)
				if tt.contentType != "" {
					req.Header.Set("Content-Type", tt.contentType)
				}
				payload, _ := captureRequest(t, Route{Method: "PUT", Path: "/blob", Function: "f", PayloadFormatVersion: version}, Options{}, req)
				var ev struct {
					Body            string `json:"body"`
					IsBase64Encoded bool   `json:"isBase64Encoded"`
				}
				if err := json.Unmarshal(payload, &ev); err != nil {
					t.Fatal(err)
				}
				if ev.IsBase64Encoded != tt.wantB64 {
					t.Fatalf("%s: isBase64Encoded %v, want %v", version, ev.IsBase64Encoded, tt.wantB64)
				}
				got := ev.Body
				if ev.IsBase64Encoded {
					dec, err := base64.StdEncoding.DecodeString(ev.Body)
					if err != nil {
						t.Fatalf("%s: body %q is not base64: %v", version, ev.Body, err)
					}
					got = string(dec)
				}
				if got != tt.body {
					t.Fatalf("%s: body %q, want %q", version, got, tt.body)
				}
			}
		})
	}
}

// Payload format 1.0 is the REST proxy event plus "version": single-value maps
// keep the last value, multi-value maps keep all.
func TestEventV1MatchesLambdaEventsType(t *testing.T) {
	t.Parallel()
	req := newRequest(t, "GET", "http://placeholder/v1/payments/pay_9?expand=a&expand=b", "")
	req.Header.Set("User-Agent", "paylane-test/1.0")
	req.Header.Add("X-Custom", "one")
	req.Header.Add("X-Custom", "two")
	req.Header.Set("Cookie", "session=abc")
	route := Route{Method: "GET", Path: "/v1/payments/{id}", Function: "get", PayloadFormatVersion: "1.0"}
	payload, requestID := captureRequest(t, route, Options{APIID: "abc123defg", Now: fixedClock}, req)

	var got struct {
		Version string `json:"version"`
		events.APIGatewayProxyRequest
	}
	decodeStrict(t, payload, &got)
	ev := got.APIGatewayProxyRequest
	if got.Version != "1.0" || ev.Resource != "/v1/payments/{id}" || ev.Path != "/v1/payments/pay_9" || ev.HTTPMethod != "GET" {
		t.Errorf("version/resource/path/method: %s", payload)
	}
	if ev.Headers["x-custom"] != "two" || !reflect.DeepEqual(ev.MultiValueHeaders["x-custom"], []string{"one", "two"}) {
		t.Errorf("headers %v multiValueHeaders %v", ev.Headers, ev.MultiValueHeaders)
	}
	if ev.Headers["cookie"] != "session=abc" {
		t.Errorf("format 1.0 keeps the cookie header, got %q", ev.Headers["cookie"])
	}
	if ev.QueryStringParameters["expand"] != "b" || !reflect.DeepEqual(ev.MultiValueQueryStringParameters["expand"], []string{"a", "b"}) {
		t.Errorf("query %v multi %v", ev.QueryStringParameters, ev.MultiValueQueryStringParameters)
	}
	if ev.PathParameters["id"] != "pay_9" {
		t.Errorf("pathParameters %v", ev.PathParameters)
	}
	rc := ev.RequestContext
	if rc.AccountID != "000000000000" || rc.APIID != "abc123defg" || rc.RequestID != requestID || rc.Stage != "$default" ||
		rc.ResourcePath != "/v1/payments/{id}" || rc.HTTPMethod != "GET" || rc.RequestTimeEpoch != fixedNow.UnixMilli() ||
		rc.RequestTime != "20/Nov/2026:22:02:14 +0000" || rc.Identity.SourceIP != "127.0.0.1" || rc.Identity.UserAgent != "paylane-test/1.0" {
		t.Errorf("requestContext %+v", rc)
	}
	if ev.Body != "" || ev.IsBase64Encoded {
		t.Errorf("body %q isBase64Encoded %v for a request without body", ev.Body, ev.IsBase64Encoded)
	}
}

func TestNamedStageIsServedUnderItsPrefix(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	srv := serve(t, newGateway(t, []Route{{Method: "GET", Path: "/pets", Function: "pets"}}, rec, Options{Stage: "dev"}))
	resp, body := do(t, newRequest(t, "GET", srv.URL+"/dev/pets", ""))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/dev/pets: %d %s", resp.StatusCode, body)
	}
	var ev events.APIGatewayV2HTTPRequest
	decodeStrict(t, rec.last(t).payload, &ev)
	if ev.RawPath != "/dev/pets" || ev.RouteKey != "GET /pets" || ev.RequestContext.Stage != "dev" {
		t.Errorf("rawPath %q routeKey %q stage %q", ev.RawPath, ev.RouteKey, ev.RequestContext.Stage)
	}
	if resp, _ := do(t, newRequest(t, "GET", srv.URL+"/pets", "")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/pets outside the stage: %d, want 404", resp.StatusCode)
	}
}
