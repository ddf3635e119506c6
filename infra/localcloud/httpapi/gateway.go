package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// Invoker runs a function synchronously and returns its response payload.
// Any non-nil error is a failed invocation (function error, timeout, or the
// function could not be run).
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

// Route sends the requests that match Method and Path to Function.
type Route struct {
	// Method is an HTTP method or "ANY"; ignored for the $default route.
	Method string
	// Path is a resource path such as /v1/payments/{id}/capture, may end with a
	// greedy variable ({proxy+}), or is "$default" for the catch-all route.
	Path     string
	Function string
	// PayloadFormatVersion is "2.0" (the default when empty) or "1.0".
	PayloadFormatVersion string
}

// Options configure a Gateway. Zero values take the defaults in the comments.
type Options struct {
	Region string // us-east-1
	// APIID appears in the events' requestContext.apiId; a random 10-character
	// id like API Gateway's when empty.
	APIID string
	// Stage is "$default" (served at the root). Another name is served under
	// /<stage>, as API Gateway does, and rawPath keeps the prefix.
	Stage string
	// IntegrationTimeout is how long a function may take before the client
	// gets 503 Service Unavailable (30 s, the HTTP API maximum).
	IntegrationTimeout time.Duration
	// MaxBodyBytes bounds request bodies (10 MB, the HTTP API payload quota).
	MaxBodyBytes int64
	// Now is the clock for requestContext.time (time.Now).
	Now func() time.Time
	// Log receives integration failures (discarded when nil).
	Log *slog.Logger
}

const (
	defaultIntegrationTimeout = 30 * time.Second
	defaultMaxBodyBytes       = 10 << 20
)

// Gateway is an http.Handler that behaves as an HTTP API stage.
type Gateway struct {
	routes []*route
	inv    Invoker
	opts   Options
}

// New validates the routes and returns the gateway. Errors wrap ErrInvalidRoute.
func New(routes []Route, inv Invoker, opts Options) (*Gateway, error) {
	if inv == nil {
		return nil, errors.New("httpapi: nil Invoker")
	}
	if opts.Region == "" {
		opts.Region = awsproto.DefaultRegion
	}
	if opts.APIID == "" {
		opts.APIID = randomAPIID()
	}
	if opts.Stage == "" {
		opts.Stage = "$default"
	}
	if opts.IntegrationTimeout <= 0 {
		opts.IntegrationTimeout = defaultIntegrationTimeout
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = defaultMaxBodyBytes
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	g := &Gateway{inv: inv, opts: opts}
	keys := map[string]bool{}
	for i, r := range routes {
		c, err := compileRoute(r, i)
		if err != nil {
			return nil, fmt.Errorf("httpapi: %w", err)
		}
		// API Gateway refuses a second route with the same key (ConflictException).
		if keys[c.key] {
			return nil, fmt.Errorf("httpapi: %w: route key %q defined twice", ErrInvalidRoute, c.key)
		}
		keys[c.key] = true
		g.routes = append(g.routes, c)
	}
	return g, nil
}

// ServeHTTP routes the request, invokes the function and writes its response.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := newRequestID()
	w.Header().Set("Apigw-Requestid", requestID)

	escaped := r.URL.EscapedPath()
	routed, ok := g.stripStage(escaped)
	if !ok {
		writeMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	segs, err := splitRequestPath(routed)
	if err != nil {
		writeMessage(w, http.StatusBadRequest, "Bad Request")
		return
	}
	rt, params := selectRoute(g.routes, r.Method, segs)
	if rt == nil {
		writeMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	body, err := readBody(r, g.opts.MaxBodyBytes)
	if err != nil {
		if errors.Is(err, errBodyTooLarge) {
			writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
			return
		}
		writeMessage(w, http.StatusBadRequest, "Bad Request")
		return
	}
	in := &incoming{req: r, body: body, route: rt, params: params, requestID: requestID,
		rawPath: escaped, now: g.opts.Now().UTC()}
	var payload []byte
	if rt.PayloadFormatVersion == "1.0" {
		payload, err = g.eventV1(in)
	} else {
		payload, err = g.eventV2(in)
	}
	if err != nil {
		g.opts.Log.Error("building the integration request", "route", rt.key, "err", err)
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	out, err := g.invoke(r.Context(), rt.Function, payload)
	switch {
	case errors.Is(err, errIntegrationTimeout):
		g.opts.Log.Warn("integration timed out", "route", rt.key, "function", rt.Function, "timeout", g.opts.IntegrationTimeout)
		writeMessage(w, http.StatusServiceUnavailable, "Service Unavailable")
		return
	case r.Context().Err() != nil:
		return // the client went away: nobody to answer
	case err != nil:
		g.opts.Log.Warn("function failed", "route", rt.key, "function", rt.Function, "err", err)
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	var resp *response
	if rt.PayloadFormatVersion == "1.0" {
		resp, err = parseResponseV1(out)
	} else {
		resp, err = parseResponseV2(out)
	}
	if err != nil {
		g.opts.Log.Warn("malformed Lambda proxy response", "route", rt.key, "function", rt.Function, "err", err)
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	resp.write(w)
}

// stripStage removes the /<stage> prefix of a named stage. Requests outside the
// stage do not reach the API (404, as API Gateway answers).
func (g *Gateway) stripStage(escaped string) (string, bool) {
	if g.opts.Stage == "$default" {
		return escaped, true
	}
	prefix := "/" + g.opts.Stage
	switch {
	case escaped == prefix:
		return "/", true
	case strings.HasPrefix(escaped, prefix+"/"):
		return escaped[len(prefix):], true
	}
	return "", false
}

var errIntegrationTimeout = errors.New("integration timeout")

// invoke calls the function but gives up after the integration timeout even if
// the Invoker does not honour its context, as API Gateway stops waiting.
func (g *Gateway) invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, g.opts.IntegrationTimeout, errIntegrationTimeout)
	defer cancel()
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := g.inv.Invoke(ctx, function, payload)
		done <- result{out, err}
	}()
	select {
	case res := <-done:
		if res.err != nil && errors.Is(context.Cause(ctx), errIntegrationTimeout) {
			return nil, errIntegrationTimeout
		}
		return res.out, res.err
	case <-ctx.Done():
		if errors.Is(context.Cause(ctx), errIntegrationTimeout) {
			return nil, errIntegrationTimeout
		}
		return nil, ctx.Err()
	}
}

var errBodyTooLarge = errors.New("request body too large")

func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	if r.ContentLength > limit {
		return nil, errBodyTooLarge
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading request body: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, errBodyTooLarge
	}
	return b, nil
}

// writeMessage writes API Gateway's own error shape, {"message":"..."}.
func writeMessage(w http.ResponseWriter, status int, msg string) {
	body, _ := json.Marshal(map[string]string{"message": msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func randomAPIID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [10]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}
