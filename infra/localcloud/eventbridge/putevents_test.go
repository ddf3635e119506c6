package eventbridge

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ebsdk "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// Per-entry failures: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevents.html#eb-failure-handling
// ("By default, if an individual entry within a request fails, EventBridge
// continues processing the rest of the entries in the request").
func TestPutEventsPartialFailures(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	ctx := context.Background()
	mustPutRule(t, h, &ebsdk.PutRuleInput{Name: aws.String("all"), EventPattern: aws.String(`{"source":[{"prefix":""}]}`)},
		ebtypes.Target{Id: aws.String("q"), Arn: aws.String(queueARN("all"))})

	tests := []struct {
		name     string
		entry    ebtypes.PutEventsRequestEntry
		wantCode string
	}{
		{"valid", entry("", "app", "T", `{"a":1}`), ""},
		{"valid by bus ARN", entry("arn:aws:events:us-east-1:000000000000:event-bus/default", "app", "T", `{}`), ""},
		{"missing source", ebtypes.PutEventsRequestEntry{DetailType: aws.String("T"), Detail: aws.String(`{}`)}, "InvalidArgument"},
		{"missing detail type", ebtypes.PutEventsRequestEntry{Source: aws.String("app"), Detail: aws.String(`{}`)}, "InvalidArgument"},
		{"missing detail", ebtypes.PutEventsRequestEntry{Source: aws.String("app"), DetailType: aws.String("T")}, "InvalidArgument"},
		{"detail is an array", entry("", "app", "T", `[1]`), "MalformedDetail"},
		{"detail is a string", entry("", "app", "T", `"x"`), "MalformedDetail"},
		{"detail not JSON", entry("", "app", "T", `{"a":`), "MalformedDetail"},
		{"detail type too long", entry("", "app", strings.Repeat("x", 129), `{}`), "InvalidArgument"},
		{"aws source", entry("", "aws.s3", "T", `{}`), "NotAuthorizedForSourceException"},
		{"missing bus", entry("nope", "app", "T", `{}`), "ResourceNotFoundException"},
	}
	entries := make([]ebtypes.PutEventsRequestEntry, 0, len(tests))
	for _, tt := range tests[:10] {
		entries = append(entries, tt.entry)
	}
	// One request of ten entries, then the eleventh alone with a valid one.
	out, err := h.client.PutEvents(ctx, &ebsdk.PutEventsInput{Entries: entries})
	if err != nil {
		t.Fatal(err)
	}
	last, err := h.client.PutEvents(ctx, &ebsdk.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{tests[10].entry, tests[0].entry}})
	if err != nil {
		t.Fatal(err)
	}
	results := append(out.Entries, last.Entries[0])
	wantFailed := 0
	for i, tt := range tests {
		r := results[i]
		if got := aws.ToString(r.ErrorCode); got != tt.wantCode {
			t.Errorf("%s: ErrorCode = %q (%s), want %q", tt.name, got, aws.ToString(r.ErrorMessage), tt.wantCode)
		}
		if (r.EventId == nil) == (tt.wantCode == "") {
			t.Errorf("%s: EventId = %v with ErrorCode %q", tt.name, r.EventId, tt.wantCode)
		}
		if tt.wantCode != "" && aws.ToString(r.ErrorMessage) == "" {
			t.Errorf("%s: no ErrorMessage", tt.name)
		}
		if tt.wantCode != "" && i < 10 {
			wantFailed++
		}
	}
	if int(out.FailedEntryCount) != wantFailed || last.FailedEntryCount != 1 {
		t.Errorf("FailedEntryCount = %d and %d, want %d and 1", out.FailedEntryCount, last.FailedEntryCount, wantFailed)
	}
	h.waitIdle(t)
	if got := len(h.backend.to(queueARN("all"))); got != 3 {
		t.Errorf("%d events delivered, want the 3 accepted ones", got)
	}
}

func TestPutEventsRequestValidation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	ctx := context.Background()
	many := make([]ebtypes.PutEventsRequestEntry, 11)
	for i := range many {
		many[i] = entry("", "app", "T", `{}`)
	}
	// The documented size: Source, DetailType, Detail and Resources in
	// UTF-8 bytes, plus 14 for Time; the total must stay under 256 KB.
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
	big := `{"x":"` + strings.Repeat("a", 256*1024) + `"}`
	tests := []struct {
		name     string
		entries  []ebtypes.PutEventsRequestEntry
		endpoint *string
		wantCode string
	}{
		{"no entries", []ebtypes.PutEventsRequestEntry{}, nil, "ValidationException"},
		{"eleven entries", many, nil, "ValidationException"},
		{"over 256 KB", []ebtypes.PutEventsRequestEntry{entry("", "app", "T", big)}, nil, "ValidationException"},
		{"no complete entry", []ebtypes.PutEventsRequestEntry{{Source: aws.String("app")}}, nil, "ValidationException"},
		{"global endpoint", []ebtypes.PutEventsRequestEntry{entry("", "app", "T", `{}`)}, aws.String("abc.xyz"), "NotImplemented"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := h.client.PutEvents(ctx, &ebsdk.PutEventsInput{Entries: tt.entries, EndpointId: tt.endpoint})
			if got := errorCode(t, err); got != tt.wantCode {
				t.Fatalf("PutEvents error = %v, want %s", err, tt.wantCode)
			}
		})
	}
}

// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_TestEventPattern.html
func TestTestEventPattern(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	ctx := context.Background()
	const event = `{"id":"1","account":"000000000000","source":"app","time":"2024-01-01T00:00:00Z","region":"us-east-1","resources":[],"detail-type":"T","detail":{"n":7}}`
	tests := []struct {
		name, pattern, event string
		want                 bool
		wantCode             string
	}{
		{"match", `{"detail":{"n":[{"numeric":[">",5]}]}}`, event, true, ""},
		{"no match", `{"detail":{"n":[{"numeric":["<",5]}]}}`, event, false, ""},
		{"invalid pattern", `{"detail":{"n":[]}}`, event, false, "InvalidEventPatternException"},
		{"event missing fields", `{"source":["app"]}`, `{"source":"app"}`, false, "ValidationException"},
		{"event not JSON", `{"source":["app"]}`, `{`, false, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := h.client.TestEventPattern(ctx, &ebsdk.TestEventPatternInput{EventPattern: aws.String(tt.pattern), Event: aws.String(tt.event)})
			if got := errorCode(t, err); got != tt.wantCode {
				t.Fatalf("error = %v, want %q", err, tt.wantCode)
			}
			if err == nil && out.Result != tt.want {
				t.Fatalf("Result = %v, want %v", out.Result, tt.want)
			}
		})
	}
}
