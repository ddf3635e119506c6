// Package sqs is the SQS service of the embedded local cloud: standard
// queues over the awsJson 1.0 protocol (X-Amz-Target AmazonSQS.<Op>) with
// visibility timeouts, delays, retention, dead-letter redrive, long polling
// and message move tasks, as the SQS Developer Guide describes them.
package sqs

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

const (
	contentType  = "application/x-amz-json-1.0"
	targetPrefix = "AmazonSQS."
	// maxRequestBody bounds a request: a 1 MiB batch whose binary attributes
	// grow by a third in base64, plus JSON framing.
	maxRequestBody = 4 << 20
)

// Service serves SQS. It is safe for concurrent use.
type Service struct {
	opts Options

	// mu guards queues. Lock order: mu is never acquired while a queue's
	// lock is held, and no two queue locks are ever held at once.
	mu     sync.RWMutex
	queues map[string]*queue

	tasks taskRegistry
	// moveMu serializes runMoveTasks; taken before any other lock.
	moveMu sync.Mutex

	done      chan struct{}
	closeOnce sync.Once
	loopDone  chan struct{}
}

// New starts a Service and its background loop; Close stops it.
func New(opts Options) *Service {
	s := &Service{
		opts:     opts.withDefaults(),
		queues:   map[string]*queue{},
		tasks:    newTaskRegistry(),
		done:     make(chan struct{}),
		loopDone: make(chan struct{}),
	}
	go s.loop()
	return s
}

// Close stops the background loop and releases the long polls in progress,
// which answer with no messages. It is safe to call more than once.
func (s *Service) Close() {
	s.closeOnce.Do(func() { close(s.done) })
	<-s.loopDone
}

func (s *Service) now() time.Time { return s.opts.Now() }

func (s *Service) loop() {
	defer close(s.loopDone)
	t := time.NewTicker(s.opts.TickInterval)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			s.tick()
		}
	}
}

// tick applies the passage of time to every queue (which wakes long polls
// waiting for delayed or expired in-flight messages) and advances the move
// tasks.
func (s *Service) tick() {
	now := s.now()
	for _, q := range s.snapshotQueues() {
		q.mu.Lock()
		q.advanceLocked(now)
		q.mu.Unlock()
	}
	s.runMoveTasks(now)
}

// snapshotQueues returns the queues sorted by name.
func (s *Service) snapshotQueues() []*queue {
	s.mu.RLock()
	out := make([]*queue, 0, len(s.queues))
	for _, q := range s.queues {
		out = append(out, q)
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (s *Service) lookup(name string) *queue {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.queues[name]
}

func (s *Service) lookupARN(arn string) *queue {
	name, ok := s.queueNameFromARN(arn)
	if !ok {
		return nil
	}
	return s.lookup(name)
}

// decodeQueueURLInput decodes a request whose only member is QueueUrl
// (DeleteQueue, PurgeQueue, ListQueueTags) and resolves the queue.
func (s *Service) decodeQueueURLInput(c *call) (*queue, error) {
	in, err := decode[queueURLInput](c)
	if err != nil {
		return nil, err
	}
	q, apiErr := s.queueFromURL(in.QueueUrl)
	if apiErr != nil {
		return nil, apiErr
	}
	return q, nil
}

// queueFromURL resolves a request's QueueUrl.
func (s *Service) queueFromURL(raw *string) (*queue, *awsproto.Error) {
	if raw == nil {
		return nil, errMissingParameter("QueueUrl")
	}
	name, err := queueNameFromURL(*raw)
	if err != nil {
		return nil, err
	}
	q := s.lookup(name)
	if q == nil {
		return nil, errQueueDoesNotExist()
	}
	return q, nil
}

// call is one decoded HTTP request.
type call struct {
	ctx     context.Context
	body    []byte
	baseURL string
}

func (c *call) queueURL(name string) string {
	return c.baseURL + "/" + awsproto.AccountID + "/" + name
}

// decode unmarshals the request body into a new T.
func decode[T any](c *call) (*T, error) {
	v := new(T)
	if len(c.body) == 0 {
		return v, nil
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return nil, errSerialization(err)
	}
	return v, nil
}

// ServeHTTP implements the awsJson 1.0 protocol of SQS.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		awsproto.WriteError(w, contentType, errNotImplemented("%s requests: SQS is served over awsJson 1.0 POST only", r.Method))
		return
	}
	if ct := r.Header.Get("Content-Type"); strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		awsproto.WriteError(w, contentType, errNotImplemented("the awsQuery protocol; use an SDK that speaks awsJson 1.0 (aws-sdk-go-v2 sqs >= 1.25)"))
		return
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	if !ok {
		awsproto.WriteError(w, contentType, errUnknownOperation(r.Header.Get("X-Amz-Target")))
		return
	}
	handler := s.handler(op)
	if handler == nil {
		awsproto.WriteError(w, contentType, errUnknownOperation(targetPrefix+op))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err != nil {
		awsproto.WriteError(w, contentType, errSerialization(err))
		return
	}
	out, err := handler(&call{ctx: r.Context(), body: body, baseURL: s.baseURL(r)})
	if err != nil {
		var apiErr *awsproto.Error
		if !errors.As(err, &apiErr) {
			apiErr = &awsproto.Error{Status: http.StatusInternalServerError, Type: "InternalFailure", Message: err.Error()}
		}
		awsproto.WriteError(w, contentType, apiErr)
		return
	}
	awsproto.WriteJSON(w, contentType, http.StatusOK, out)
}

func (s *Service) baseURL(r *http.Request) string {
	if s.opts.BaseURL != "" {
		return s.opts.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

type handlerFunc func(*call) (any, error)

// handler returns the implementation of op, nil for an unknown operation.
func (s *Service) handler(op string) handlerFunc {
	switch op {
	case "CreateQueue":
		return s.createQueue
	case "GetQueueUrl":
		return s.getQueueURL
	case "ListQueues":
		return s.listQueues
	case "DeleteQueue":
		return s.deleteQueue
	case "PurgeQueue":
		return s.purgeQueue
	case "GetQueueAttributes":
		return s.getQueueAttributes
	case "SetQueueAttributes":
		return s.setQueueAttributes
	case "ListDeadLetterSourceQueues":
		return s.listDeadLetterSourceQueues
	case "TagQueue":
		return s.tagQueue
	case "UntagQueue":
		return s.untagQueue
	case "ListQueueTags":
		return s.listQueueTags
	case "SendMessage":
		return s.sendMessage
	case "SendMessageBatch":
		return s.sendMessageBatch
	case "ReceiveMessage":
		return s.receiveMessage
	case "DeleteMessage":
		return s.deleteMessage
	case "DeleteMessageBatch":
		return s.deleteMessageBatch
	case "ChangeMessageVisibility":
		return s.changeMessageVisibility
	case "ChangeMessageVisibilityBatch":
		return s.changeMessageVisibilityBatch
	case "StartMessageMoveTask":
		return s.startMessageMoveTask
	case "ListMessageMoveTasks":
		return s.listMessageMoveTasks
	case "CancelMessageMoveTask":
		return s.cancelMessageMoveTask
	case "AddPermission", "RemovePermission":
		return func(*call) (any, error) {
			return nil, errNotImplemented("%s (queue policies are stored through SetQueueAttributes Policy but never enforced)", op)
		}
	}
	return nil
}
