package dynamodb

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The benchmarks measure the whole path a Lambda function takes: the
// aws-sdk-go-v2 client (signing, serialising), loopback TCP, net/http and
// the service, with 16 goroutines issuing requests concurrently.

const benchClients = 16

// benchClient returns an SDK client for a fresh service behind a real TCP
// listener, tuned as a load generator: enough idle connections for every
// goroutine, and no client-side retry rate limiting.
func benchClient(b *testing.B) (*ddb.Client, *Service) {
	b.Helper()
	svc := New(Options{})
	srv := httptest.NewServer(svc)
	b.Cleanup(func() {
		srv.Close()
		svc.Close()
	})
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        4 * benchClients,
		MaxIdleConnsPerHost: 4 * benchClients,
		IdleConnTimeout:     time.Minute,
	}
	b.Cleanup(tr.CloseIdleConnections)
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:  &http.Client{Transport: tr},
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.RateLimiter = ratelimit.None })
		},
	}
	return ddb.NewFromConfig(cfg, func(o *ddb.Options) { o.BaseEndpoint = aws.String(srv.URL) }), svc
}

// runParallel runs op b.N times from 16 goroutines and reports ops/s and
// latency percentiles.
func runParallel(b *testing.B, op func(ctx context.Context, i int64) error) {
	b.Helper()
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((benchClients + procs - 1) / procs)
	var seq atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			i := seq.Add(1)
			t0 := time.Now()
			if err := op(ctx, i); err != nil {
				b.Error(err)
				return
			}
			local = append(local, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, local...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	cpu := processCPU() - cpu0
	b.StopTimer()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "ops/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	// CPU per operation (client and server together) tells what the
	// machine can sustain even when other processes share its cores:
	// 2 cores / cpu-us/op is the throughput ceiling.
	b.ReportMetric(float64(cpu.Microseconds())/float64(len(lat)), "cpu-us/op")
}

// processCPU is the user+system CPU time this process used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchItem is a typical payment item: 8 attributes.
func benchItem(id string) map[string]ddbtypes.AttributeValue {
	return map[string]ddbtypes.AttributeValue{
		"pk":         s("PAYMENT#" + id),
		"sk":         s("META"),
		"status":     s("AUTHORIZED"),
		"amount":     n("1999"),
		"currency":   s("EUR"),
		"merchantId": s("merchant-42"),
		"createdAt":  s("2026-03-01T12:00:00Z"),
		"attempts":   n("1"),
	}
}

func benchTable(b *testing.B, db *ddb.Client, name string, viewType ddbtypes.StreamViewType) {
	b.Helper()
	in := &ddb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
		},
		KeySchema: []ddbtypes.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: ddbtypes.KeyTypeRange},
		},
	}
	if viewType != "" {
		in.StreamSpecification = &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: viewType}
	}
	if _, err := db.CreateTable(context.Background(), in); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkPutItem(b *testing.B) {
	db, _ := benchClient(b)
	benchTable(b, db, "payments", "")
	runParallel(b, func(ctx context.Context, i int64) error {
		_, err := db.PutItem(ctx, &ddb.PutItemInput{TableName: aws.String("payments"), Item: benchItem(strconv.FormatInt(i, 10))})
		return err
	})
}

// BenchmarkTransactWriteItems is the payment write: two new items guarded
// by attribute_not_exists(pk) and an update of a shared counter item, on a
// table with a NEW_AND_OLD_IMAGES stream.
func BenchmarkTransactWriteItems(b *testing.B) {
	db, _ := benchClient(b)
	benchTable(b, db, "ledger", ddbtypes.StreamViewTypeNewAndOldImages)
	runParallel(b, func(ctx context.Context, i int64) error {
		id := strconv.FormatInt(i, 10)
		payment := benchItem(id)
		event := benchItem(id)
		event["sk"] = s("EVENT#1")
		_, err := db.TransactWriteItems(ctx, &ddb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{
			{Put: &ddbtypes.Put{TableName: aws.String("ledger"), Item: payment, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
			{Put: &ddbtypes.Put{TableName: aws.String("ledger"), Item: event, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
			{Update: &ddbtypes.Update{
				TableName:                 aws.String("ledger"),
				Key:                       map[string]ddbtypes.AttributeValue{"pk": s("MERCHANT#" + strconv.FormatInt(i%64, 10)), "sk": s("BALANCE")},
				UpdateExpression:          aws.String("SET #b = if_not_exists(#b, :zero) + :amt, updatedAt = :now"),
				ExpressionAttributeNames:  map[string]string{"#b": "balance"},
				ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":zero": n("0"), ":amt": n("1999"), ":now": s("2026-03-01T12:00:00Z")},
			}},
		}})
		return err
	})
}

// nopResponseWriter discards responses, so the server-only benchmarks
// measure the handler and nothing else.
type nopResponseWriter struct{ h http.Header }

func (w *nopResponseWriter) Header() http.Header         { return w.h }
func (w *nopResponseWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nopResponseWriter) WriteHeader(int)             {}

// BenchmarkServeTransactWriteItems is the server's share of
// BenchmarkTransactWriteItems: the same request body handed straight to
// ServeHTTP, without the SDK and TCP.
func BenchmarkServeTransactWriteItems(b *testing.B) {
	svc := New(Options{})
	defer svc.Close()
	create := `{"TableName":"ledger","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"S"}],` +
		`"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}}`
	serve(b, svc, "CreateTable", create)
	var seq atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := &nopResponseWriter{h: http.Header{}}
		for pb.Next() {
			i := seq.Add(1)
			id := strconv.FormatInt(i, 10)
			item := func(sk string) string {
				return `{"pk":{"S":"PAYMENT#` + id + `"},"sk":{"S":"` + sk + `"},"status":{"S":"AUTHORIZED"},"amount":{"N":"1999"},"currency":{"S":"EUR"},` +
					`"merchantId":{"S":"merchant-42"},"createdAt":{"S":"2026-03-01T12:00:00Z"},"attempts":{"N":"1"}}`
			}
			body := `{"ClientRequestToken":"tok-` + id + `","TransactItems":[` +
				`{"Put":{"TableName":"ledger","Item":` + item("META") + `,"ConditionExpression":"attribute_not_exists(pk)"}},` +
				`{"Put":{"TableName":"ledger","Item":` + item("EVENT#1") + `,"ConditionExpression":"attribute_not_exists(pk)"}},` +
				`{"Update":{"TableName":"ledger","Key":{"pk":{"S":"MERCHANT#` + strconv.FormatInt(i%64, 10) + `"},"sk":{"S":"BALANCE"}},` +
				`"UpdateExpression":"SET #b = if_not_exists(#b, :zero) + :amt, updatedAt = :now","ExpressionAttributeNames":{"#b":"balance"},` +
				`"ExpressionAttributeValues":{":zero":{"N":"0"},":amt":{"N":"1999"},":now":{"S":"2026-03-01T12:00:00Z"}}}}]}`
			req, _ := http.NewRequest(http.MethodPost, "/", strings.NewReader(body))
			req.Header.Set("X-Amz-Target", "DynamoDB_20120810.TransactWriteItems")
			svc.ServeHTTP(w, req)
		}
	})
}

func serve(b *testing.B, svc *Service, op, body string) {
	b.Helper()
	req, _ := http.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	rec := httptest.NewRecorder()
	svc.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s: %d %s", op, rec.Code, rec.Body)
	}
}
