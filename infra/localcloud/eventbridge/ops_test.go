package eventbridge

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ebsdk "github.com/aws/aws-sdk-go-v2/service/eventbridge"
)

// Anything the service does not implement answers with an explicit error.
func TestUnimplementedOperationsFailExplicitly(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	ctx := context.Background()
	if _, err := h.client.CreateArchive(ctx, &ebsdk.CreateArchiveInput{ArchiveName: aws.String("a"), EventSourceArn: aws.String("arn:aws:events:us-east-1:000000000000:event-bus/default")}); errorCode(t, err) != "NotImplemented" {
		t.Errorf("CreateArchive error = %v, want NotImplemented", err)
	}
	if _, err := h.client.PutPermission(ctx, &ebsdk.PutPermissionInput{Policy: aws.String("{}")}); errorCode(t, err) != "NotImplemented" {
		t.Errorf("PutPermission error = %v, want NotImplemented", err)
	}

	tests := []struct {
		name, method, target, body string
		wantStatus                 int
		wantType                   string
	}{
		{"unknown operation", http.MethodPost, "AWSEvents.Frobnicate", `{}`, 400, "UnknownOperationException"},
		{"other service", http.MethodPost, "AmazonSQS.SendMessage", `{}`, 400, "UnknownOperationException"},
		{"GET", http.MethodGet, "AWSEvents.ListRules", ``, 400, "UnknownOperationException"},
		{"malformed body", http.MethodPost, "AWSEvents.ListRules", `{"Limit":`, 400, "SerializationException"},
		{"wrong type", http.MethodPost, "AWSEvents.ListRules", `{"Limit":"ten"}`, 400, "SerializationException"},
		{"empty body is {}", http.MethodPost, "AWSEvents.ListRules", ``, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tt.method, "/", strings.NewReader(tt.body))
			req.Header.Set("X-Amz-Target", tt.target)
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			rec := httptest.NewRecorder()
			h.svc.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d (%s)", rec.Code, tt.wantStatus, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/x-amz-json-1.1" {
				t.Errorf("Content-Type = %q", ct)
			}
			body, _ := io.ReadAll(rec.Body)
			var out map[string]any
			if err := json.Unmarshal(body, &out); err != nil {
				t.Fatalf("body %s: %v", body, err)
			}
			if tt.wantType != "" && out["__type"] != tt.wantType {
				t.Errorf("__type = %v, want %s", out["__type"], tt.wantType)
			}
		})
	}
}
