package lambdart

import (
	"encoding/json"
	"testing"
	"time"
)

func TestFunctionErrorFromRuntime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, header, wantType, wantMessage string
	}{
		{"aws-lambda-go", `{"errorMessage":"boom","errorType":"errorString","stackTrace":[]}`, "", "errorString", "boom"},
		// The body is what the caller receives, so its type wins over the header's.
		{"body and header", `{"errorMessage":"boom","errorType":"Custom"}`, "Runtime.Other", "Custom", "boom"},
		{"header only", `not json`, "Runtime.Other", "Runtime.Other", ""},
		{"nothing", ``, "", "Unhandled", ""},
	}
	for _, tc := range tests {
		fe := functionErrorFromRuntime([]byte(tc.body), tc.header)
		if fe.Type != tc.wantType || fe.Message != tc.wantMessage {
			t.Errorf("%s: %q / %q, want %q / %q", tc.name, fe.Type, fe.Message, tc.wantType, tc.wantMessage)
		}
		if tc.body != "" && string(fe.Payload) != tc.body {
			t.Errorf("%s: payload %q, want the body untouched", tc.name, fe.Payload)
		}
	}
}

// FuzzFunctionErrorFromRuntime: any body gives an error with a type, and the
// caller gets the body as is (or a well-formed document when there is none).
func FuzzFunctionErrorFromRuntime(f *testing.F) {
	f.Add([]byte(`{"errorMessage":"m","errorType":"T"}`), "")
	f.Add([]byte(`{"errorType":1}`), "H")
	f.Add([]byte(``), "")
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		fe := functionErrorFromRuntime(body, header)
		if fe.Type == "" {
			t.Fatal("empty error type")
		}
		if len(body) > 0 && string(fe.Payload) != string(body) {
			t.Fatalf("payload %q, want %q", fe.Payload, body)
		}
		if len(body) == 0 {
			var doc errorDocument
			if err := json.Unmarshal(fe.Payload, &doc); err != nil || doc.ErrorType != fe.Type {
				t.Fatalf("payload %q: %v", fe.Payload, err)
			}
		}
	})
}

func TestIdentifiers(t *testing.T) {
	t.Parallel()
	now := time.Unix(0x5f000000, 0)
	tests := []struct {
		name, got, pattern string
	}{
		// https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-tracingheader
		{"trace header", newTraceHeader(now), `^Root=1-5f000000-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`},
		{"log stream", newLogStreamName(now), `^2020/07/0[34]/\[\$LATEST\][0-9a-f]{32}$`},
		{"log group", logGroupName("payments"), `^/aws/lambda/payments$`},
	}
	for _, tc := range tests {
		if !matches(tc.pattern, tc.got) {
			t.Errorf("%s %q does not match %s", tc.name, tc.got, tc.pattern)
		}
	}
	if a, b := newTraceHeader(now), newTraceHeader(now); a == b {
		t.Errorf("two trace headers are equal: %s", a)
	}
}
