package lambdart

import (
	"io"
	"time"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// Options configure a Runtime. Zero values take the defaults documented on each field.
type Options struct {
	// Region the functions run in (AWS_REGION); default awsproto.DefaultRegion.
	Region string
	// Endpoint is the local cloud's URL, given to every function as AWS_ENDPOINT_URL.
	Endpoint string
	// Log is the console: every line a function prints goes here prefixed "[name] ",
	// with the START/END/REPORT lines Lambda writes. Default: discarded.
	Log io.Writer
	// DefaultMaxConcurrency bounds the instances of a function that does not set
	// Function.MaxConcurrency; default 10.
	DefaultMaxConcurrency int
	// AsyncRetryDelay is the wait before the first retry of a failed asynchronous
	// invocation; the second retry waits twice as long. Lambda waits 1 then 2 minutes,
	// which is the default.
	AsyncRetryDelay time.Duration
	// IdleTimeout stops an instance that has waited this long for an invocation;
	// zero keeps idle instances until Close.
	IdleTimeout time.Duration
	// InitTimeout bounds a new instance's Init phase (until it first asks for an
	// invocation); default 10 seconds, Lambda's limit.
	InitTimeout time.Duration
}

const (
	defaultMaxConcurrency  = 10
	defaultAsyncRetryDelay = time.Minute
	defaultInitTimeout     = 10 * time.Second
)

func (o Options) withDefaults() Options {
	if o.Region == "" {
		o.Region = awsproto.DefaultRegion
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.DefaultMaxConcurrency <= 0 {
		o.DefaultMaxConcurrency = defaultMaxConcurrency
	}
	if o.AsyncRetryDelay <= 0 {
		o.AsyncRetryDelay = defaultAsyncRetryDelay
	}
	if o.InitTimeout <= 0 {
		o.InitTimeout = defaultInitTimeout
	}
	return o
}
