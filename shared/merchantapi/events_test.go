package merchantapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	localddb "github.com/paylane/paylane/infra/localcloud/dynamodb"
	"github.com/paylane/paylane/shared/auth"
)

// TestSampleEvents pushes every file in events/ through its handler's real decoding, as
// `sam local invoke -e` would, after re-signing it with the current time. A sample in the
// wrong payload format, or a handler reading the wrong field, fails here.
func TestSampleEvents(t *testing.T) {
	ddb := localddb.New(localddb.Options{})
	t.Cleanup(ddb.Close)
	srv := httptest.NewServer(ddb)
	t.Cleanup(srv.Close)
	api := newRig(t, srv.Client().Transport, srv.URL).api
	handlers := map[string]any{
		"authorize": api.Authorize, "capture": api.Capture, "void": api.Void, "refund": api.Refund,
		"get-payment": api.GetPayment, "list-payments": api.ListPayments, "balance": api.Balance,
	}
	const sampleID = "pay_abcdefghijklmnopqrstuvwxyz"
	paymentID := ""
	// Authorize first: the other samples are pointed at the payment it creates.
	for _, tc := range []struct {
		name   string
		status int
	}{
		{"authorize", http.StatusCreated},
		{"get-payment", http.StatusOK},
		{"list-payments", http.StatusOK},
		{"balance", http.StatusOK},
		{"capture", http.StatusAccepted},
		{"void", http.StatusConflict}, // captured now: invalid_state
		{"refund", http.StatusConflict},
	} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "events", tc.name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if paymentID != "" {
			raw = []byte(strings.ReplaceAll(string(raw), sampleID, paymentID))
		}
		raw = resign(t, raw, "secret1")
		out, err := lambda.NewHandler(handlers[tc.name]).Invoke(context.Background(), raw)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var resp struct {
			StatusCode int    `json:"statusCode"`
			Body       string `json:"body"`
		}
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatalf("%s: response %s: %v", tc.name, out, err)
		}
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, resp.StatusCode, resp.Body, tc.status)
		}
		if tc.name == "authorize" {
			var p struct{ ID string }
			_ = json.Unmarshal([]byte(resp.Body), &p)
			paymentID = p.ID
		}
	}
}

// resign replaces the sample's timestamp and signature with fresh ones.
func resign(t *testing.T, raw []byte, secret string) []byte {
	t.Helper()
	var ev struct {
		RawPath        string            `json:"rawPath"`
		RawQueryString string            `json:"rawQueryString"`
		Headers        map[string]string `json:"headers"`
		Body           string            `json:"body"`
		RequestContext struct {
			HTTP struct{ Method string } `json:"http"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	pq := ev.RawPath
	if ev.RawQueryString != "" {
		pq += "?" + ev.RawQueryString
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	sig := auth.Sign(secret, ts, ev.RequestContext.HTTP.Method, pq, []byte(ev.Body))
	// The header comes before requestContext.timeEpoch, which starts with the same digits.
	s := strings.Replace(string(raw), `"x-timestamp": "`+ev.Headers["x-timestamp"], `"x-timestamp": "`+ts, 1)
	s = strings.Replace(s, ev.Headers["x-signature"], sig, 1)
	return []byte(s)
}
