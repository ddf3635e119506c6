package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	localddb "github.com/paylane/paylane/infra/localcloud/dynamodb"
	"github.com/paylane/paylane/shared/auth"
	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/merchant"
)

// localDynamo serves the local cloud's DynamoDB with a merchants table, and points the
// process's AWS configuration at it, as an operator would with AWS_ENDPOINT_URL.
func localDynamo(t *testing.T) {
	ddb := localddb.New(localddb.Options{})
	srv := httptest.NewServer(ddb)
	t.Cleanup(func() { srv.Close(); ddb.Close() })
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	db := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{}})
	_, err := db.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName: aws.String("paylane-merchants"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func payctl(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestMerchantCommands(t *testing.T) {
	localDynamo(t)
	env := map[string]string{}
	code, out, stderr := payctl(t, env, "merchant", "create", "-rate-limit", "50", "m_shop")
	if code != 0 || !strings.Contains(out, "merchant m_shop created") {
		t.Fatalf("create: %d %q %q", code, out, stderr)
	}
	secret := strings.TrimSpace(out[strings.Index(out, "secret ")+len("secret "):])
	if len(secret) != 64 {
		t.Fatalf("secret %q: want 64 hex characters", secret)
	}
	if code, _, stderr := payctl(t, env, "merchant", "create", "m_shop"); code != 1 || !strings.Contains(stderr, "exists") {
		t.Errorf("creating twice: %d %q", code, stderr)
	}
	code, out, _ = payctl(t, env, "merchant", "rotate-secret", "m_shop")
	if code != 0 || strings.Contains(out, secret) {
		t.Errorf("rotate: %d %q", code, out)
	}
	if code, out, _ := payctl(t, env, "merchant", "set-limit", "m_shop", "2000"); code != 0 || !strings.Contains(out, "rate limit 2000/s") {
		t.Errorf("set-limit: %d %q", code, out)
	}
	if code, out, _ := payctl(t, env, "merchant", "set-fee", "m_shop", "180"); code != 0 || !strings.Contains(out, "fee 180 bps") {
		t.Errorf("set-fee: %d %q", code, out)
	}
	if code, _, _ := payctl(t, env, "merchant", "disable", "m_shop"); code != 0 {
		t.Errorf("disable: %d", code)
	}
	code, out, _ = payctl(t, env, "merchant", "list")
	if code != 0 || !strings.Contains(out, "m_shop") || !strings.Contains(out, "DISABLED") || !strings.Contains(out, "2000") || !strings.Contains(out, "180") {
		t.Errorf("list: %d\n%s", code, out)
	}
	for _, bad := range [][]string{
		{"merchant", "set-limit", "m_shop", "0"},
		{"merchant", "set-fee", "m_shop", "10001"},
		{"merchant", "set-limit", "m_shop", "ten"},
		{"merchant", "create", "Shop!"},
		{"merchant", "rotate-secret", "m_nobody"},
	} {
		if code, _, stderr := payctl(t, env, bad...); code == 0 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q", bad, code, stderr)
		}
	}
	if code, _, stderr := payctl(t, env, "merchant", "frobnicate"); code != 2 || !strings.Contains(stderr, "usage") {
		t.Errorf("unknown subcommand: %d %q", code, stderr)
	}
}

type merchantsFunc func(ctx context.Context, id string) (*merchant.Merchant, error)

func (f merchantsFunc) Get(ctx context.Context, id string) (*merchant.Merchant, error) {
	return f(ctx, id)
}

func TestCurlSignsAsAPIMdSays(t *testing.T) {
	t.Parallel()
	v := &auth.Verifier{Now: time.Now, Merchants: merchantsFunc(func(ctx context.Context, id string) (*merchant.Merchant, error) {
		if id != "m_demo" {
			return nil, fault.New(fault.NotFound, "no merchant")
		}
		return &merchant.Merchant{ID: id, Secret: "secret1", Status: merchant.Active}, nil
	})}
	var gotKey string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, err := v.Verify(r.Context(), auth.Request{
			MerchantID: r.Header.Get("X-Merchant-Id"), Timestamp: r.Header.Get("X-Timestamp"),
			Signature: r.Header.Get("X-Signature"), Method: r.Method, PathWithQuery: r.URL.RequestURI(), Body: body,
		})
		if err != nil {
			http.Error(w, `{"error":{"code":"unauthenticated"}}`, http.StatusUnauthorized)
			return
		}
		gotKey = r.Header.Get("Idempotency-Key")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"id":"pay_x"}`))
	}))
	t.Cleanup(srv.Close)
	env := map[string]string{"PAYLANE_API_URL": srv.URL, "PAYLANE_MERCHANT_ID": "m_demo", "PAYLANE_MERCHANT_SECRET": "secret1"}
	code, out, stderr := payctl(t, env, "curl", "-d", `{"amount":1}`, "-key", "k-1", "/v1/payments?x=1")
	if code != 0 || !strings.Contains(out, "201 Created") || !strings.Contains(out, `{"id":"pay_x"}`) || gotKey != "k-1" {
		t.Fatalf("signed POST: %d %q %q (key %q)", code, out, stderr, gotKey)
	}
	env["PAYLANE_MERCHANT_SECRET"] = "wrong"
	if code, out, _ := payctl(t, env, "curl", "/v1/payments"); code != 1 || !strings.Contains(out, "401") {
		t.Errorf("wrong secret: %d %q", code, out)
	}
	if code, _, stderr := payctl(t, map[string]string{}, "curl", "/v1/payments"); code != 1 || !strings.Contains(stderr, "PAYLANE_MERCHANT_ID") {
		t.Errorf("no credentials: %d %q", code, stderr)
	}
}
