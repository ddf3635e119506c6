// Package pgclient talks to the payment gateway (PG) over the protocol of
// shared/mockpg (see its package documentation). Every call carries an
// Idempotency-Key, has its own timeout, and goes through an optional circuit
// breaker. Its answers fall in three kinds, and callers act on the kind:
//
//   - a result: the PG did it (an authorization may be a decline, which is a
//     result, not an error);
//   - a *Refusal (a 4xx): the PG decided not to; definitive, do not retry;
//   - an error wrapping ErrUnavailable (timeout, connection error, 5xx,
//     breaker open): the outcome is unknown; retry later with the same key,
//     or ask Lookup. It is also a fault.PGUnavailable error, so the API
//     answers 503 without further mapping.
//
// Anything else (a 2xx the client cannot read, a bad argument) is a plain
// error: a bug on one side, not something a retry fixes.
package pgclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/paylane/paylane/shared/breaker"
)

// DefaultTimeout bounds each call when Options.Timeout is zero.
const DefaultTimeout = 3 * time.Second

// maxAnswer bounds what is read of an answer: the PG's are a few hundred
// bytes, and a broken proxy must not make a function read megabytes.
const maxAnswer = 1 << 20

// Options configure a Client.
type Options struct {
	// BaseURL is the PG's address, e.g. http://127.0.0.1:8090.
	BaseURL string
	// HTTP sends the requests (wrap it with tracing.HTTPClient); a client
	// with the default transport when nil.
	HTTP *http.Client
	// Timeout bounds each call, answer included; DefaultTimeout when zero.
	Timeout time.Duration
	// Breaker guards the operations (not Lookup); none when nil. A refusal
	// counts as a success for it whatever its IsFailure says: the PG answered.
	Breaker *breaker.Breaker
	// Log gets one line per call (operation, key, status, duration; never a
	// body); discarded when nil.
	Log *slog.Logger
}

// Client is a PG client, safe for concurrent use.
type Client struct {
	base    string
	http    *http.Client
	timeout time.Duration
	breaker *breaker.Breaker
	log     *slog.Logger
}

// New returns a client.
func New(opts Options) *Client {
	c := &Client{
		base:    strings.TrimRight(opts.BaseURL, "/"),
		http:    opts.HTTP,
		timeout: opts.Timeout,
		breaker: opts.Breaker,
		log:     opts.Log,
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c
}

// request is one call to the PG.
type request struct {
	op     string // authorize, capture, void, refund, lookup: for errors and logs
	method string
	path   string // escaped
	key    string
	body   any // JSON-encoded when not nil
}

// answer is what the PG said: a status and a body.
type answer struct {
	status int
	body   []byte
}

// operate sends an operation through the breaker and returns a 2xx answer,
// a *Refusal, or an unavailable error.
func (c *Client) operate(ctx context.Context, r request) (answer, error) {
	if !validKey(r.key) {
		return answer{}, fmt.Errorf("pgclient: %s: %w", r.op, errBadKey)
	}
	if c.breaker == nil {
		return c.send(ctx, r)
	}
	var got answer
	var refusal *Refusal
	err := c.breaker.Do(ctx, func(ctx context.Context) error {
		a, err := c.send(ctx, r)
		if errors.As(err, &refusal) {
			// The PG is up and decided: that is a success for the breaker.
			return nil
		}
		got = a
		return err
	})
	switch {
	case refusal != nil:
		return answer{}, refusal
	case errors.Is(err, breaker.ErrOpen):
		c.log.LogAttrs(ctx, slog.LevelWarn, "pg call not sent: circuit breaker open",
			slog.String("operation", r.op), slog.String("idempotencyKey", r.key))
		return answer{}, unavailable(r.op, err)
	case err != nil && ctx.Err() != nil && !errors.Is(err, ErrUnavailable):
		// The caller's context was done before the call: nothing was sent.
		return answer{}, unavailable(r.op, err)
	}
	return got, err
}

// send makes one HTTP call with the client's timeout. It returns a 2xx
// answer, a *Refusal for a 4xx (other than 408 and 429, which say the
// request was not processed), or an unavailable error.
func (c *Client) send(ctx context.Context, r request) (answer, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return answer{}, fmt.Errorf("pgclient: %s: encoding the request: %w", r.op, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, c.base+r.path, body)
	if err != nil {
		return answer{}, fmt.Errorf("pgclient: %s: %w", r.op, err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.key != "" {
		req.Header.Set("Idempotency-Key", r.key)
	}

	start := time.Now()
	a, err := c.roundTrip(req)
	if errors.Is(err, errAnswerTooLarge) {
		return answer{}, fmt.Errorf("pgclient: %s: %w", r.op, err)
	}
	attrs := []slog.Attr{
		slog.String("operation", r.op), slog.String("idempotencyKey", r.key),
		slog.Int("status", a.status), slog.Int64("durationMs", time.Since(start).Milliseconds()),
	}
	if err != nil {
		c.log.LogAttrs(ctx, slog.LevelWarn, "pg call failed", append(attrs, slog.String("error", err.Error()))...)
		return answer{}, unavailable(r.op, err)
	}
	c.log.LogAttrs(ctx, slog.LevelInfo, "pg call", attrs...)

	switch {
	case a.status >= 200 && a.status < 300:
		return a, nil
	case a.status >= 400 && a.status < 500 && a.status != http.StatusRequestTimeout && a.status != http.StatusTooManyRequests:
		return answer{}, refusalOf(a)
	}
	e := refusalOf(a)
	return answer{}, unavailable(r.op, fmt.Errorf("status %d %s: %s", e.Status, e.Code, e.Message))
}

// roundTrip sends req and reads the whole answer; an error means no
// complete answer arrived.
func (c *Client) roundTrip(req *http.Request) (answer, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return answer{status: resp.StatusCode}, fmt.Errorf("reading the answer: %w", err)
	}
	if len(b) > maxAnswer {
		return answer{status: resp.StatusCode}, errAnswerTooLarge
	}
	return answer{status: resp.StatusCode, body: b}, nil
}

// decode reads a 2xx answer into v.
func decode(op string, a answer, v any) error {
	if err := json.Unmarshal(a.body, v); err != nil {
		return fmt.Errorf("pgclient: %s: unreadable answer (status %d): %w", op, a.status, err)
	}
	return nil
}
