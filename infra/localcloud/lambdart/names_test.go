package lambdart

import (
	"errors"
	"strings"
	"testing"
)

// The forms Invoke accepts: https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html#API_Invoke_RequestSyntax
func TestParseFunctionRef(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ref           string
		wantName      string
		wantQualifier string
		wantErr       bool
	}{
		{ref: "payments", wantName: "payments"},
		{ref: "payments:$LATEST", wantName: "payments", wantQualifier: "$LATEST"},
		{ref: "arn:aws:lambda:us-east-1:000000000000:function:payments", wantName: "payments"},
		{ref: "arn:aws:lambda:us-east-1:000000000000:function:payments:$LATEST", wantName: "payments", wantQualifier: "$LATEST"},
		{ref: "000000000000:function:pay_ments-2", wantName: "pay_ments-2"},
		{ref: "arn:aws:lambda:eu-west-1:000000000000:function:payments", wantErr: true}, // another region
		{ref: "arn:aws:lambda:us-east-1:123456789012:function:payments", wantErr: true}, // another account
		{ref: "arn:aws:sqs:us-east-1:000000000000:payments", wantErr: true},             // not Lambda
		{ref: "arn:aws:lambda:us-east-1:000000000000:layer:payments", wantErr: true},    // not a function
		{ref: "payments:prod", wantErr: true},                                           // aliases are not implemented
		{ref: "payments:1", wantErr: true},                                              // nor versions
		{ref: "", wantErr: true},
		{ref: "pay/ments", wantErr: true},
		{ref: strings.Repeat("a", 65), wantErr: true},
		{ref: "a:b:c:d:e", wantErr: true},
	}
	for _, tc := range tests {
		got, err := parseFunctionRef(tc.ref, "us-east-1")
		if tc.wantErr {
			if !errors.Is(err, ErrFunctionNotFound) {
				t.Errorf("%q: err = %v, want ErrFunctionNotFound", tc.ref, err)
			}
			continue
		}
		if err != nil || got.name != tc.wantName || got.qualifier != tc.wantQualifier {
			t.Errorf("%q: got %+v, %v; want %s %q", tc.ref, got, err, tc.wantName, tc.wantQualifier)
		}
	}
}

// FuzzParseFunctionRef checks that whatever parses names a valid function and
// that the ARN of a parsed name parses back to it.
func FuzzParseFunctionRef(f *testing.F) {
	for _, seed := range []string{"payments", "payments:$LATEST", "arn:aws:lambda:us-east-1:000000000000:function:x",
		"000000000000:function:x:$LATEST", "arn:aws:lambda::::", ":::", "arn:aws-cn:lambda:us-east-1:000000000000:function:y"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		got, err := parseFunctionRef(ref, "us-east-1")
		if err != nil {
			if !errors.Is(err, ErrFunctionNotFound) {
				t.Fatalf("%q: error %v does not wrap ErrFunctionNotFound", ref, err)
			}
			return
		}
		if !functionNamePattern.MatchString(got.name) {
			t.Fatalf("%q parsed to invalid name %q", ref, got.name)
		}
		if got.qualifier != "" && got.qualifier != latest {
			t.Fatalf("%q parsed to qualifier %q", ref, got.qualifier)
		}
		back, err := parseFunctionRef(got.invokedARN("us-east-1"), "us-east-1")
		if err != nil || back != got {
			t.Fatalf("%q -> %+v -> %s -> %+v, %v", ref, got, got.invokedARN("us-east-1"), back, err)
		}
	})
}
