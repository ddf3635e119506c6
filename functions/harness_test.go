// Package functions_test runs the deployed functions end to end: the real template.yaml on
// the embedded local cloud, real signed HTTP requests, the mock PG behind them.
package functions_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/paylane/paylane/infra/localcloud"
	"github.com/paylane/paylane/shared/auth"
	"github.com/paylane/paylane/shared/dynamostore"
	"github.com/paylane/paylane/shared/merchant"
)

// Merchants seeded for every test: a default one, another one (to check isolation), and one
// with a small rate limit.
var seeded = []merchant.Merchant{
	{ID: "m_demo", Secret: "secret-demo", Status: merchant.Active, RateLimitPerSecond: 1000, FeeRateBps: 250},
	{ID: "m_other", Secret: "secret-other", Status: merchant.Active, RateLimitPerSecond: 1000, FeeRateBps: 250},
	{ID: "m_limited", Secret: "secret-limited", Status: merchant.Active, RateLimitPerSecond: 5, FeeRateBps: 250},
	{ID: "m_disabled", Secret: "secret-disabled", Status: merchant.Disabled, RateLimitPerSecond: 1000, FeeRateBps: 250},
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// system is a running Paylane on the local cloud.
type system struct {
	cloud *localcloud.Cloud
	db    *dynamodb.Client
}

func start(t testing.TB) *system {
	t.Helper()
	return startWith(t, nil)
}

// startWith starts the system with a change to the local cloud's configuration.
func startWith(t testing.TB, change func(*localcloud.Config)) *system {
	t.Helper()
	if testing.Short() {
		t.Skip("short mode: runs the whole system on the local cloud")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	console := &lockedBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cfg := localcloud.Config{
		ModuleDir: root, StackName: "paylane",
		AWSAddr: "127.0.0.1:0", APIAddr: "127.0.0.1:0", PGAddr: "127.0.0.1:0",
		BuildDir: filepath.Join(t.TempDir(), "build"), Console: console,
		// Short timeouts so retries, redeliveries and DLQs happen within a test's patience;
		// the ratios between them are the template's (visibility >= worker timeout > PG timeout).
		Parameters: map[string]string{
			"PgTimeoutMs": "1000", "WorkerTimeout": "3", "WorkerVisibilityTimeout": "4", "JanitorGraceSeconds": "1",
			// 3.6 s; the sweep only runs when a test fires it (its schedule is hourly).
			"AuthorizationExpiryHours": "0.001", "DiscrepancyDelayMs": "1000",
		},
		StreamPollInterval: 50 * time.Millisecond, AsyncRetryDelay: 200 * time.Millisecond,
		AfterProvision: func(ctx context.Context, cfg aws.Config, c *localcloud.Cloud) error {
			store := dynamostore.NewMerchants(dynamodb.NewFromConfig(cfg), c.Resource("MerchantsTable"), dynamostore.Options{Now: time.Now})
			for _, m := range seeded {
				m.CreatedAt, m.UpdatedAt = time.Now(), time.Now()
				if err := store.Create(ctx, m); err != nil {
					return err
				}
			}
			return nil
		},
	}
	if change != nil {
		change(&cfg)
	}
	cloud, err := localcloud.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("start: %v\n%s", err, console.String())
	}
	t.Cleanup(func() {
		if err := cloud.Close(context.Background()); err != nil {
			t.Errorf("close: %v", err)
		}
		if t.Failed() {
			t.Logf("console:\n%s", console.String())
		}
	})
	return &system{cloud: cloud, db: dynamodb.NewFromConfig(cloud.AWSConfig())}
}

// client signs requests as one merchant, as API.md says.
type client struct {
	t        testing.TB
	base     string
	merchant string
	secret   string
	now      func() time.Time
}

func (s *system) client(t testing.TB, merchantID string) *client {
	for _, m := range seeded {
		if m.ID == merchantID {
			return &client{t: t, base: s.cloud.APIURL(), merchant: m.ID, secret: m.Secret, now: time.Now}
		}
	}
	t.Fatalf("no seeded merchant %s", merchantID)
	return nil
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not JSON: %v: %s", err, r.body)
	}
	return m
}

func (r reply) errorCode() string {
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	_ = json.Unmarshal(r.body, &e)
	return e.Error.Code
}

// do sends a signed request. key is the Idempotency-Key ("" sends none).
func (c *client) do(method, pathQuery, body, key string) reply {
	c.t.Helper()
	return c.send(method, pathQuery, []byte(body), key, func(h http.Header) {})
}

func (c *client) send(method, pathQuery string, body []byte, key string, tamper func(http.Header)) reply {
	c.t.Helper()
	ts := strconv.FormatInt(c.now().Unix(), 10)
	req, err := http.NewRequest(method, c.base+pathQuery, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Merchant-Id", c.merchant)
	req.Header.Set("X-Timestamp", ts)
	req.Header.Set("X-Signature", auth.Sign(c.secret, ts, method, pathQuery, body))
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	tamper(req.Header)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, pathQuery, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

var keySeq struct {
	sync.Mutex
	n int
}

// newKey returns an idempotency key unique within the test run.
func newKey(t testing.TB) string {
	keySeq.Lock()
	defer keySeq.Unlock()
	keySeq.n++
	return fmt.Sprintf("%s-%d-%d", strings.ReplaceAll(t.Name(), "/", "-"), time.Now().UnixNano(), keySeq.n)
}

// authorize creates an AUTHORIZED payment and returns its id.
func (c *client) authorize(amount int64, currency string) string {
	c.t.Helper()
	r := c.do("POST", "/v1/payments", fmt.Sprintf(`{"amount":%d,"currency":%q,"orderId":"o-%d","paymentMethod":"pm_card_visa"}`, amount, currency, time.Now().UnixNano()), newKey(c.t))
	if r.status != http.StatusCreated {
		c.t.Fatalf("authorize: %d %s", r.status, r.body)
	}
	return r.json(c.t)["id"].(string)
}

// pgControl sets the mock PG's behaviour (API.md, "Local run conventions").
func (s *system) pgControl(t testing.TB, settings string) {
	t.Helper()
	resp, err := http.Post(s.cloud.PGURL()+"/control", "application/json", strings.NewReader(settings))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PG control %s: %d", settings, resp.StatusCode)
	}
}
