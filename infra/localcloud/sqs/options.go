package sqs

import (
	"strings"
	"time"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// Options configures a Service.
type Options struct {
	// Region goes into queue ARNs; awsproto.DefaultRegion when empty.
	Region string
	// BaseURL prefixes queue URLs ("http://127.0.0.1:4566" gives
	// "http://127.0.0.1:4566/000000000000/<name>"). When empty the URL is
	// built from the Host of the request that asks for it.
	BaseURL string
	// Now is the clock behind every timestamp, delay, visibility timeout and
	// retention period; time.Now when nil. Tests inject a fake clock.
	Now func() time.Time
	// TickInterval is how often the background loop promotes delayed and
	// expired in-flight messages, drops expired ones, wakes long polls and
	// runs move tasks; 50ms when zero.
	TickInterval time.Duration
}

const defaultTickInterval = 50 * time.Millisecond

func (o Options) withDefaults() Options {
	if o.Region == "" {
		o.Region = awsproto.DefaultRegion
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.TickInterval <= 0 {
		o.TickInterval = defaultTickInterval
	}
	return o
}
