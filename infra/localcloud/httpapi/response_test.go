package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// How API Gateway turns a function's answer into the client's response:
// "Lambda function response format" in
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
// (2.0 infers a 200 application/json response from valid JSON without a
// statusCode; 1.0 has no inference). A malformed answer is a 500.
func TestFunctionResponses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		version    string
		reply      string
		status     int
		header     http.Header // expected values of these headers
		body       string
		notPresent []string
	}{
		{
			name: "structured", version: "2.0",
			reply:  `{"statusCode":201,"headers":{"Content-Type":"text/plain","X-Payment":"pay_1"},"body":"created"}`,
			status: 201, header: http.Header{"Content-Type": {"text/plain"}, "X-Payment": {"pay_1"}}, body: "created",
		},
		{
			name: "events type round trip", version: "2.0",
			reply: marshal(t, events.APIGatewayV2HTTPResponse{
				StatusCode: 202, Headers: map[string]string{"content-type": "application/json"},
				Body: `{"id":"pay_1"}`, Cookies: []string{"a=1; Path=/", "b=2; HttpOnly"},
			}),
			status: 202, header: http.Header{"Set-Cookie": {"a=1; Path=/", "b=2; HttpOnly"}}, body: `{"id":"pay_1"}`,
		},
		{
			name: "multi-value headers win over single", version: "2.0",
			reply:  `{"statusCode":200,"headers":{"x-m":"0","x-s":"s","x-n":5},"multiValueHeaders":{"x-m":["1","2"]},"body":""}`,
			status: 200, header: http.Header{"X-M": {"1", "2"}, "X-S": {"s"}, "X-N": {"5"}}, body: "",
		},
		{
			name: "base64 body is decoded", version: "2.0",
			reply:  `{"statusCode":200,"headers":{"content-type":"application/octet-stream"},"isBase64Encoded":true,"body":"AAEC/w=="}`,
			status: 200, header: http.Header{"Content-Type": {"application/octet-stream"}}, body: "\x00\x01\x02\xff",
		},
		{
			name: "framing headers are the server's", version: "2.0",
			reply:  `{"statusCode":200,"headers":{"content-length":"999"},"body":"abc"}`,
			status: 200, header: http.Header{"Content-Length": {"3"}}, body: "abc",
		},
		{
			name: "object without statusCode is the body", version: "2.0",
			reply:  `{"message":"Hello from Lambda!"}`,
			status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: `{"message":"Hello from Lambda!"}`,
		},
		{
			name: "string is the body", version: "2.0",
			reply:  `"Hello from Lambda!"`,
			status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: "Hello from Lambda!",
		},
		{
			name: "array is the body", version: "2.0",
			reply: `[1,2]`, status: 200, body: "[1,2]",
		},
		{
			name: "no Set-Cookie without cookies", version: "2.0",
			reply: `{"statusCode":204,"cookies":null}`, status: 204, body: "", notPresent: []string{"Set-Cookie"},
		},
		{name: "not JSON", version: "2.0", reply: `Hello`, status: 500, body: `{"message":"Internal Server Error"}`},
		{name: "statusCode as string", version: "2.0", reply: `{"statusCode":"200"}`, status: 500, body: `{"message":"Internal Server Error"}`},
		{name: "statusCode out of range", version: "2.0", reply: `{"statusCode":99}`, status: 500, body: `{"message":"Internal Server Error"}`},
		{name: "object body", version: "2.0", reply: `{"statusCode":200,"body":{"a":1}}`, status: 500, body: `{"message":"Internal Server Error"}`},
		{name: "bad base64", version: "2.0", reply: `{"statusCode":200,"isBase64Encoded":true,"body":"!!"}`, status: 500, body: `{"message":"Internal Server Error"}`},
		{name: "header object value", version: "2.0", reply: `{"statusCode":200,"headers":{"x":{"a":1}}}`, status: 500, body: `{"message":"Internal Server Error"}`},
		{
			name: "1.0 structured", version: "1.0",
			reply: marshal(t, events.APIGatewayProxyResponse{
				StatusCode: 200, MultiValueHeaders: map[string][]string{"X-A": {"1", "2"}}, Body: "ok",
			}),
			status: 200, header: http.Header{"X-A": {"1", "2"}}, body: "ok",
		},
		{name: "1.0 has no inference", version: "1.0", reply: `{"message":"hi"}`, status: 500, body: `{"message":"Internal Server Error"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{reply: []byte(tt.reply)}
			srv := serve(t, newGateway(t, []Route{{Method: "GET", Path: "/r", Function: "f", PayloadFormatVersion: tt.version}}, rec, Options{}))
			resp, body := do(t, newRequest(t, "GET", srv.URL+"/r", ""))
			if resp.StatusCode != tt.status || body != tt.body {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, body, tt.status, tt.body)
			}
			for name, want := range tt.header {
				if got := resp.Header.Values(name); !reflect.DeepEqual(got, want) {
					t.Errorf("header %s = %q, want %q", name, got, want)
				}
			}
			for _, name := range tt.notPresent {
				if v := resp.Header.Values(name); len(v) > 0 {
					t.Errorf("header %s = %q, want none", name, v)
				}
			}
			if resp.Header.Get("Apigw-Requestid") == "" {
				t.Error("no apigw-requestid header")
			}
		})
	}
}

// FuzzParseResponseV2 checks that any function output either is rejected as
// malformed or yields a response with a status a client can receive.
func FuzzParseResponseV2(f *testing.F) {
	for _, s := range []string{`{"statusCode":200}`, `"x"`, `null`, `{"statusCode":1e3}`, `{"statusCode":200,"isBase64Encoded":true,"body":"QQ=="}`, `{`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, out []byte) {
		resp, err := parseResponseV2(out)
		if err != nil {
			if !errors.Is(err, ErrMalformedResponse) {
				t.Fatalf("error %v does not wrap ErrMalformedResponse", err)
			}
			return
		}
		if resp.status < 200 || resp.status > 599 {
			t.Fatalf("status %d", resp.status)
		}
		if resp.header.Get("Content-Type") == "" {
			t.Fatalf("no content type for %q", out)
		}
	})
}
