package localcloud

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// named answers with its name, so a test sees which service a request reached.
type named string

func (n named) ServeHTTP(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, string(n)) }

func TestRouter(t *testing.T) {
	t.Parallel()
	rt := &router{dynamodb: named("dynamodb"), sqs: named("sqs"), eventbridge: named("eventbridge"), s3: named("s3"), control: named("control")}
	sig := func(service string) string {
		return "AWS4-HMAC-SHA256 Credential=test/20261120/us-east-1/" + service + "/aws4_request, SignedHeaders=host, Signature=00"
	}
	tests := []struct {
		name       string
		method     string
		path       string
		header     map[string]string
		body       string
		wantBody   string // the service reached, or a fragment of the error
		wantStatus int
	}{
		{name: "dynamodb", method: "POST", path: "/", header: map[string]string{"X-Amz-Target": "DynamoDB_20120810.PutItem"}, wantBody: "dynamodb", wantStatus: 200},
		{name: "streams", method: "POST", path: "/", header: map[string]string{"X-Amz-Target": "DynamoDBStreams_20120810.GetRecords"}, wantBody: "dynamodb", wantStatus: 200},
		{name: "sqs", method: "POST", path: "/", header: map[string]string{"X-Amz-Target": "AmazonSQS.SendMessage"}, wantBody: "sqs", wantStatus: 200},
		{name: "eventbridge", method: "POST", path: "/", header: map[string]string{"X-Amz-Target": "AWSEvents.PutEvents"}, wantBody: "eventbridge", wantStatus: 200},
		{name: "s3 signed", method: "GET", path: "/bucket/key", header: map[string]string{"Authorization": sig("s3")}, wantBody: "s3", wantStatus: 200},
		{name: "s3 unsigned", method: "GET", path: "/bucket/key", wantBody: "s3", wantStatus: 200},
		{name: "s3 presigned", method: "GET", path: "/bucket/key?X-Amz-Credential=test%2F20261120%2Fus-east-1%2Fs3%2Faws4_request", wantBody: "s3", wantStatus: 200},
		{name: "control", method: "GET", path: "/_localcloud/health", wantBody: "control", wantStatus: 200},
		{name: "kms is not implemented", method: "POST", path: "/", header: map[string]string{"X-Amz-Target": "TrentService.Encrypt"}, wantBody: "UnknownOperationException", wantStatus: 400},
		{name: "lambda REST API is not implemented", method: "POST", path: "/2015-03-31/functions/f/invocations", header: map[string]string{"Authorization": sig("lambda")}, wantBody: "lambda API", wantStatus: 400},
		{name: "xray is not implemented", method: "POST", path: "/TraceSegments", header: map[string]string{"Authorization": sig("xray")}, wantBody: "xray API", wantStatus: 400},
		{name: "query protocol is refused", method: "POST", path: "/", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, body: "Action=Publish", wantBody: "UnsupportedProtocol", wantStatus: 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			rt.ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus || !strings.Contains(rec.Body.String(), tc.wantBody) {
				t.Errorf("got %d %q, want %d containing %q", rec.Code, rec.Body.String(), tc.wantStatus, tc.wantBody)
			}
		})
	}
}

func TestRouterCountsRequests(t *testing.T) {
	t.Parallel()
	rt := &router{dynamodb: named("dynamodb"), sqs: named("sqs"), eventbridge: named("eventbridge"), s3: named("s3"), control: named("control")}
	for _, target := range []string{"DynamoDB_20120810.PutItem", "DynamoDB_20120810.PutItem", "AmazonSQS.SendMessage"} {
		req := httptest.NewRequest("POST", "/", nil)
		req.Header.Set("X-Amz-Target", target)
		rt.ServeHTTP(httptest.NewRecorder(), req)
	}
	rt.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("PUT", "/bucket/key", nil))
	rt.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/_localcloud/health", nil))
	got := rt.requests.snapshot(true)
	want := map[string]int64{"DynamoDB_20120810.PutItem": 2, "AmazonSQS.SendMessage": 1, "S3.PUT": 1}
	if len(got) != len(want) {
		t.Fatalf("counts %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %d, want %d", k, got[k], v)
		}
	}
	if after := rt.requests.snapshot(false); len(after) != 0 {
		t.Errorf("reset left %v", after)
	}
}
