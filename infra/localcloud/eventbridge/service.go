package eventbridge

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

const (
	contentType  = "application/x-amz-json-1.1"
	targetPrefix = "AWSEvents."
	// maxRequestBody leaves room for 256 KB of entries after JSON escaping.
	maxRequestBody = 8 << 20
)

type handler func(ctx context.Context, body []byte) (any, error)

// Service is the EventBridge service. Create it with New; it is an
// http.Handler and safe for concurrent use.
type Service struct {
	region    string
	queues    QueueSender
	functions FunctionInvoker
	clock     Clock
	speedup   float64
	epoch     time.Time // origin of the sped-up schedule time
	retry     RetryOptions
	log       *slog.Logger
	handlers  map[string]handler

	// lifetime is cancelled by Close; deliveries and the schedule loop
	// stop with it.
	lifetime context.Context
	stop     context.CancelFunc
	wg       sync.WaitGroup
	wake     chan struct{} // pokes the schedule loop when rules change

	mu      sync.Mutex
	closed  bool
	started bool
	buses   map[string]*bus
	tags    map[string]map[string]string // by resource ARN
	pending int                          // deliveries in flight, retries included
	idle    chan struct{}                // closed when pending drops to zero
}

// New creates the service with its default event bus.
func New(opts Options) *Service {
	opts = opts.withDefaults()
	lifetime, stop := context.WithCancel(context.Background())
	s := &Service{
		region:    opts.Region,
		queues:    opts.Queues,
		functions: opts.Functions,
		clock:     opts.Clock,
		speedup:   opts.ScheduleSpeedup,
		retry:     opts.Retry,
		log:       opts.Logger,
		lifetime:  lifetime,
		stop:      stop,
		wake:      make(chan struct{}, 1),
		buses:     make(map[string]*bus),
		tags:      make(map[string]map[string]string),
	}
	s.epoch = s.clock.Now()
	s.buses[defaultBus] = newBus(s.region, defaultBus, s.epoch)
	s.handlers = map[string]handler{
		"CreateEventBus":        s.createEventBus,
		"DescribeEventBus":      s.describeEventBus,
		"ListEventBuses":        s.listEventBuses,
		"DeleteEventBus":        s.deleteEventBus,
		"PutRule":               s.putRule,
		"DescribeRule":          s.describeRule,
		"ListRules":             s.listRules,
		"ListRuleNamesByTarget": s.listRuleNamesByTarget,
		"DeleteRule":            s.deleteRule,
		"EnableRule":            s.enableRule,
		"DisableRule":           s.disableRule,
		"PutTargets":            s.putTargets,
		"RemoveTargets":         s.removeTargets,
		"ListTargetsByRule":     s.listTargetsByRule,
		"PutEvents":             s.putEvents,
		"TestEventPattern":      s.testEventPattern,
		"TagResource":           s.tagResource,
		"UntagResource":         s.untagResource,
		"ListTagsForResource":   s.listTagsForResource,
	}
	return s
}

// notImplementedOp reports whether op is an EventBridge operation the local
// cloud knows but does not serve; those get NotImplemented rather than
// UnknownOperationException.
func notImplementedOp(op string) bool {
	switch op {
	case "ActivateEventSource", "CancelReplay", "CreateApiDestination", "CreateArchive", "CreateConnection",
		"CreateEndpoint", "CreatePartnerEventSource", "DeactivateEventSource", "DeauthorizeConnection",
		"DeleteApiDestination", "DeleteArchive", "DeleteConnection", "DeleteEndpoint", "DeletePartnerEventSource",
		"DescribeApiDestination", "DescribeArchive", "DescribeConnection", "DescribeEndpoint", "DescribeEventSource",
		"DescribePartnerEventSource", "DescribeReplay", "ListApiDestinations", "ListArchives", "ListConnections",
		"ListEndpoints", "ListEventSources", "ListPartnerEventSourceAccounts", "ListPartnerEventSources",
		"ListReplays", "PutPartnerEvents", "PutPermission", "RemovePermission", "StartReplay",
		"UpdateApiDestination", "UpdateArchive", "UpdateConnection", "UpdateEndpoint", "UpdateEventBus":
		return true
	}
	return false
}

// ServeHTTP serves the awsJson 1.1 protocol.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	if r.Method != http.MethodPost || !ok {
		awsproto.WriteError(w, contentType, awsproto.Errorf("UnknownOperationException",
			"expected a POST with X-Amz-Target %s<Operation>", targetPrefix))
		return
	}
	h, ok := s.handlers[op]
	if !ok {
		if notImplementedOp(op) {
			awsproto.WriteError(w, contentType, notImplementedErr("operation %s", op))
			return
		}
		awsproto.WriteError(w, contentType, awsproto.Errorf("UnknownOperationException", "unknown operation %s", op))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err != nil {
		awsproto.WriteError(w, contentType, awsproto.Errorf("SerializationException", "reading request body: %v", err))
		return
	}
	out, err := h(r.Context(), body)
	if err != nil {
		awsproto.WriteError(w, contentType, toAWSError(err))
		return
	}
	awsproto.WriteJSON(w, contentType, http.StatusOK, out)
}

// decodeInput reads an operation's JSON input; an empty body is {}.
func decodeInput(body []byte, v any) error {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return awsproto.Errorf("SerializationException", "field %s: expected %s, got JSON %s", typeErr.Field, typeErr.Type, typeErr.Value)
		}
		return awsproto.Errorf("SerializationException", "malformed JSON request body: %v", err)
	}
	return nil
}

// Close stops the schedule loop and waits for deliveries in flight, which
// are cancelled. It is safe to call more than once.
func (s *Service) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.stop()
	s.wg.Wait()
	return nil
}

// WaitIdle waits until no delivery is in flight (retries included), so that
// a test can check what its targets received.
func (s *Service) WaitIdle(ctx context.Context) error {
	for {
		s.mu.Lock()
		if s.pending == 0 {
			s.mu.Unlock()
			return nil
		}
		idle := s.idle
		s.mu.Unlock()
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// now returns the current time truncated to the second, the precision of
// EventBridge's timestamps.
func (s *Service) now() time.Time {
	return s.clock.Now().UTC().Truncate(time.Second)
}
