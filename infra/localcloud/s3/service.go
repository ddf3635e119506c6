// Package s3 is the S3 service of the embedded local cloud: buckets, objects,
// multipart uploads and bucket notifications to SQS, served over S3's REST-XML
// protocol (path-style, or virtual-hosted when the Host is <bucket>.localhost).
//
// Object bodies live in files under Options.DataDir so large objects never sit
// in memory; everything else is kept in memory for the life of the Service.
// What is not implemented answers 501 NotImplemented naming the operation.
package s3

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// QueueSender delivers a message to an SQS queue named by its ARN.
// *sqs.Service implements it; it fails when the queue does not exist.
type QueueSender interface {
	SendToQueue(ctx context.Context, queueARN, body string) error
}

// Options configures a Service. The zero value is usable.
type Options struct {
	// Region the service runs in; awsproto.DefaultRegion when empty.
	Region string
	// DataDir is where object and part bodies are written. The service works
	// in its own fresh sub-directory, removed by Close. Empty means the
	// system temporary directory.
	DataDir string
	// Queues receives bucket notifications. Nil means every queue
	// destination fails validation, as a missing queue would.
	Queues QueueSender
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// MinPartSize is the smallest size of every part but the last of a
	// multipart upload; 5 MiB (the S3 limit) when zero.
	MinPartSize int64
	// Logger receives notification delivery failures, which S3 cannot report
	// to the caller of the request that caused them. slog.Default when nil.
	Logger *slog.Logger
}

// Service is the local S3. It is safe for concurrent use.
type Service struct {
	region      string
	base        string // Options.DataDir
	queues      QueueSender
	now         func() time.Time
	minPartSize int64
	log         *slog.Logger

	mu       sync.Mutex
	buckets  map[string]*bucket
	sequence uint64 // feeds the notification sequencer
	dir      string // our own directory under base, once created
	closed   bool
}

// DefaultMinPartSize is S3's minimum size for every part of a multipart upload but the last.
const DefaultMinPartSize = 5 << 20

// New creates a Service. Its data directory is created on the first write,
// so a bad DataDir surfaces as an InternalError on that request.
func New(opts Options) *Service {
	s := &Service{
		region:      opts.Region,
		base:        opts.DataDir,
		queues:      opts.Queues,
		now:         opts.Now,
		minPartSize: opts.MinPartSize,
		log:         opts.Logger,
		buckets:     map[string]*bucket{},
	}
	if s.region == "" {
		s.region = awsproto.DefaultRegion
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.minPartSize <= 0 {
		s.minPartSize = DefaultMinPartSize
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// Close removes every stored body. The Service must not be used afterwards.
func (s *Service) Close() error {
	s.mu.Lock()
	s.buckets = map[string]*bucket{}
	dir := s.dir
	s.dir = ""
	s.closed = true
	s.mu.Unlock()
	if dir == "" {
		return nil
	}
	if err := os.RemoveAll(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("s3: removing data dir: %w", err)
	}
	return nil
}

// dataDir returns the service's own directory, creating it on first use.
func (s *Service) dataDir() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", errClosed
	}
	if s.dir != "" {
		return s.dir, nil
	}
	if s.base != "" {
		if err := os.MkdirAll(s.base, 0o755); err != nil {
			return "", fmt.Errorf("creating data dir: %w", err)
		}
	}
	dir, err := os.MkdirTemp(s.base, "localcloud-s3-")
	if err != nil {
		return "", fmt.Errorf("creating data dir: %w", err)
	}
	s.dir = dir
	return dir, nil
}

var errClosed = errors.New("s3 service is closed")

// Region is the region the service answers for.
func (s *Service) Region() string { return s.region }

// ServeHTTP serves one S3 REST request.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := newCall(w, r)
	if err := s.dispatch(c); err != nil {
		c.fail(err)
	}
}

// clock returns the current time truncated to the second, the precision S3
// keeps for Last-Modified.
func (s *Service) clock() time.Time {
	return s.now().UTC().Truncate(time.Second)
}
