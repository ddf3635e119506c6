// Package dynamodb serves the DynamoDB and DynamoDB Streams APIs of the
// embedded local cloud: tables with secondary indexes, item operations,
// queries and scans, batches, transactions, TTL, consumed capacity and
// streams, over the awsJson 1.0 protocol (X-Amz-Target
// DynamoDB_20120810.<Op> and DynamoDBStreams_20120810.<Op>).
//
// Deliberate differences from AWS, all visible rather than silent:
//   - tables and indexes are ACTIVE at once (UpdateTable answers UPDATING,
//     DescribeTable ACTIVE); throughput is reported, never throttled;
//   - legacy parameters (Expected, AttributeUpdates, KeyConditions,
//     QueryFilter, ScanFilter, AttributesToGet, ConditionalOperator) and
//     control-plane members not listed in this package's request types
//     (replicas, resource policies, warm throughput, ...) are refused with
//     a ValidationException; unknown operations (backups, PartiQL, exports,
//     global tables, ...) get UnknownOperationException;
//   - each stream has one shard; it keeps at most Options.MaxStreamRecords
//     records besides the 24-hour retention;
//   - TransactWriteItems client tokens are remembered for 10 minutes but at
//     most Options.MaxIdempotencyTokens of them.
package dynamodb

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

const contentType = "application/x-amz-json-1.0"

// Options configure a Service. Zero values select the defaults.
type Options struct {
	// Region names the region in ARNs and stream records (default us-east-1).
	Region string
	// Now is the clock (default time.Now); tests inject their own.
	Now func() time.Time
	// TTLSweepInterval is how often expired items are deleted (default 1s;
	// negative disables the background sweeper, SweepExpired still works).
	TTLSweepInterval time.Duration
	// StreamRetention is how long stream records are kept (default 24h, as
	// in AWS).
	StreamRetention time.Duration
	// MaxStreamRecords bounds the records one stream keeps (default
	// 100,000); older records are trimmed as if they had expired.
	MaxStreamRecords int
	// MaxIdempotencyTokens bounds the TransactWriteItems client request
	// tokens remembered for their 10-minute window (default 200,000); the
	// oldest are forgotten first.
	MaxIdempotencyTokens int
}

// Service is the DynamoDB and DynamoDB Streams endpoint.
type Service struct {
	region    string
	now       func() time.Time
	retention time.Duration
	maxRecs   int

	mu      sync.RWMutex
	tables  map[string]*table
	streams map[string]*stream // by ARN, including disabled ones
	seq     uint64             // distinguishes streams and table ids

	tokens *tokenStore

	bufs      sync.Pool
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// New returns a running Service; Close stops its TTL sweeper.
func New(opts Options) *Service {
	s := &Service{
		region:    opts.Region,
		now:       opts.Now,
		retention: opts.StreamRetention,
		maxRecs:   opts.MaxStreamRecords,
		tables:    make(map[string]*table),
		streams:   make(map[string]*stream),
		stop:      make(chan struct{}),
		done:      make(chan struct{}),
	}
	if s.region == "" {
		s.region = awsproto.DefaultRegion
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.retention <= 0 {
		s.retention = 24 * time.Hour
	}
	if s.maxRecs <= 0 {
		s.maxRecs = 100_000
	}
	maxTokens := opts.MaxIdempotencyTokens
	if maxTokens <= 0 {
		maxTokens = 200_000
	}
	s.tokens = newTokenStore(maxTokens)
	s.bufs.New = func() any { b := make([]byte, 0, 4096); return &b }
	interval := opts.TTLSweepInterval
	if interval == 0 {
		interval = time.Second
	}
	if interval > 0 {
		go s.sweepLoop(interval)
	} else {
		close(s.done)
	}
	return s
}

// Close stops the background work. The Service still answers requests.
func (s *Service) Close() {
	s.closeOnce.Do(func() { close(s.stop) })
	<-s.done
}

// handler serves one operation: it appends the response body to dst.
type handler func(s *Service, dst, body []byte) ([]byte, error)

func (s *Service) handlerFor(target string) (handler, bool) {
	if op, ok := strings.CutPrefix(target, "DynamoDB_20120810."); ok {
		return dynamoHandler(op)
	}
	if op, ok := strings.CutPrefix(target, "DynamoDBStreams_20120810."); ok {
		return streamsHandler(op)
	}
	return nil, false
}

func dynamoHandler(op string) (handler, bool) {
	switch op {
	case "PutItem":
		return (*Service).putItem, true
	case "GetItem":
		return (*Service).getItem, true
	case "UpdateItem":
		return (*Service).updateItem, true
	case "DeleteItem":
		return (*Service).deleteItem, true
	case "Query":
		return (*Service).query, true
	case "Scan":
		return (*Service).scan, true
	case "BatchGetItem":
		return (*Service).batchGetItem, true
	case "BatchWriteItem":
		return (*Service).batchWriteItem, true
	case "TransactGetItems":
		return (*Service).transactGetItems, true
	case "TransactWriteItems":
		return (*Service).transactWriteItems, true
	case "CreateTable":
		return (*Service).createTable, true
	case "DescribeTable":
		return (*Service).describeTable, true
	case "DeleteTable":
		return (*Service).deleteTable, true
	case "ListTables":
		return (*Service).listTables, true
	case "UpdateTable":
		return (*Service).updateTable, true
	case "UpdateTimeToLive":
		return (*Service).updateTimeToLive, true
	case "DescribeTimeToLive":
		return (*Service).describeTimeToLive, true
	case "TagResource":
		return (*Service).tagResource, true
	case "UntagResource":
		return (*Service).untagResource, true
	case "ListTagsOfResource":
		return (*Service).listTagsOfResource, true
	case "DescribeEndpoints":
		return (*Service).describeEndpoints, true
	case "DescribeLimits":
		return (*Service).describeLimits, true
	}
	return nil, false
}

func streamsHandler(op string) (handler, bool) {
	switch op {
	case "ListStreams":
		return (*Service).listStreams, true
	case "DescribeStream":
		return (*Service).describeStream, true
	case "GetShardIterator":
		return (*Service).getShardIterator, true
	case "GetRecords":
		return (*Service).getRecords, true
	}
	return nil, false
}

// ServeHTTP answers one awsJson 1.0 request.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	h, ok := s.handlerFor(target)
	if !ok {
		awsproto.WriteError(w, contentType, &awsproto.Error{
			Status:    http.StatusBadRequest,
			Namespace: "com.amazon.coral.service",
			Type:      "UnknownOperationException",
			Message:   "the local cloud does not implement " + target,
		})
		return
	}
	if r.Method != http.MethodPost {
		awsproto.WriteError(w, contentType, apiError("SerializationException", "awsJson requests are POSTs"))
		return
	}
	defer func() {
		// A bug must reach the client as an explicit error, not as a
		// dropped connection the SDK would retry.
		if p := recover(); p != nil {
			awsproto.WriteError(w, contentType, &awsproto.Error{Status: http.StatusInternalServerError, Namespace: namespace,
				Type: "InternalServerError", Message: fmt.Sprintf("the local cloud failed: %v", p)})
		}
	}()
	in := s.getBuf()
	defer s.putBuf(in)
	body, err := readBody(r.Body, (*in)[:0])
	*in = body
	if err != nil {
		awsproto.WriteError(w, contentType, serializationErr(err))
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	out := s.getBuf()
	defer s.putBuf(out)
	resp, err := h(s, (*out)[:0], body)
	if err != nil {
		awsproto.WriteError(w, contentType, asAPIError(err))
		return
	}
	*out = resp
	awsproto.WriteRaw(w, contentType, http.StatusOK, resp)
}

// Request and response buffers are pooled; nothing decoded from a request
// keeps a reference into its buffer (strings and items are copied out).
func (s *Service) getBuf() *[]byte { return s.bufs.Get().(*[]byte) }

func (s *Service) putBuf(b *[]byte) {
	const maxPooled = 256 << 10 // large pages are not worth keeping around
	if cap(*b) > maxPooled {
		return
	}
	*b = (*b)[:0]
	s.bufs.Put(b)
}

// readBody reads r into buf, growing it as needed.
func readBody(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// table returns the live table called name (or named by its ARN).
func (s *Service) table(name string) (*table, error) {
	if name == "" {
		return nil, validationf("1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null")
	}
	if strings.HasPrefix(name, "arn:") {
		if _, _, _, res, err := awsproto.ParseARN(name); err == nil {
			name = strings.TrimPrefix(res, "table/")
		}
	}
	s.mu.RLock()
	t := s.tables[name]
	s.mu.RUnlock()
	if t == nil {
		return nil, tableNotFound()
	}
	return t, nil
}

// TableMetrics returns what the table consumed so far, including capacity
// AWS charges without reporting it (failed conditional writes, cancelled
// transactions), with its current item count and size.
func (s *Service) TableMetrics(name string) (TableMetrics, error) {
	t, err := s.table(name)
	if err != nil {
		return TableMetrics{}, err
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	return TableMetrics{
		ReadCapacityUnits:      float64(t.readHalfUnits.Load()) / 2,
		WriteCapacityUnits:     float64(t.writeUnits.Load()),
		ConditionalCheckFailed: t.ccfCount.Load(),
		ItemCount:              t.items.len(),
		SizeBytes:              t.bytes,
	}, nil
}
