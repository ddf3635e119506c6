package lambdart

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Runtime API, version 2018-06-01
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html).
const (
	runtimeAPIPrefix = "/2018-06-01/runtime"

	headerRequestID    = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline     = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN  = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID      = "Lambda-Runtime-Trace-Id"
	headerErrorType    = "Lambda-Runtime-Function-Error-Type"
	trailerErrorBody   = "Lambda-Runtime-Function-Error-Body"
	errorStateMismatch = "InvalidStateTransition"
)

// maxPayload is Lambda's limit on a synchronous request and on a response:
// 6 MB (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
const maxPayload = 6 * 1024 * 1024

// routes serves the Runtime API to this instance's process only (each
// instance has its own listener, so a request always concerns this instance).
// The Extensions, Telemetry and Logs APIs are not implemented and say so.
func (inst *instance) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+runtimeAPIPrefix+"/invocation/next", inst.handleNext)
	mux.HandleFunc("POST "+runtimeAPIPrefix+"/invocation/{id}/response", inst.handleResponse)
	mux.HandleFunc("POST "+runtimeAPIPrefix+"/invocation/{id}/error", inst.handleError)
	mux.HandleFunc("POST "+runtimeAPIPrefix+"/init/error", inst.handleInitError)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		for _, api := range []string{"/2020-01-01/extension/", "/2022-07-01/telemetry", "/2020-08-15/logs"} {
			if strings.HasPrefix(r.URL.Path, api) {
				writeRuntimeError(w, http.StatusNotImplemented, "NotImplemented",
					"the local Lambda runtime does not implement "+api+" (only the Runtime API 2018-06-01)")
				return
			}
		}
		writeRuntimeError(w, http.StatusNotFound, "NotFound", r.Method+" "+r.URL.Path+" is not a Runtime API resource")
	})
	return mux
}

// handleNext hands the runtime its next invocation, blocking until there is
// one. Asking for the next invocation also completes the previous one: only
// then is the instance free again.
func (inst *instance) handleNext(w http.ResponseWriter, r *http.Request) {
	inst.mu.Lock()
	if inst.polling {
		inst.mu.Unlock()
		writeRuntimeError(w, http.StatusForbidden, errorStateMismatch, "a request for the next invocation is already waiting")
		return
	}
	if cur := inst.current; cur != nil {
		if !cur.isFinished() {
			inst.mu.Unlock()
			writeRuntimeError(w, http.StatusForbidden, errorStateMismatch,
				"invocation "+cur.id+" has no response or error yet")
			return
		}
		inst.current = nil
		close(cur.nextCalled)
	}
	if !inst.initialized {
		inst.initialized = true
		inst.initDuration = time.Since(inst.launchedAt)
	}
	inst.polling = true
	inst.mu.Unlock()
	defer func() {
		inst.mu.Lock()
		inst.polling = false
		inst.mu.Unlock()
	}()

	inst.fn.markReady(inst)
	var inv *invocation
	for inv == nil {
		select {
		case h := <-inst.deliver:
			if h.claim() {
				inv = h.inv
			}
		case <-r.Context().Done():
			inst.fn.unready(inst)
			return
		case <-inst.stopping:
			return
		}
	}
	inst.fn.delivered(inst)
	now := time.Now()
	inv.startedAt = now
	inv.deadline = now.Add(inst.fn.cfg.Timeout)
	inst.mu.Lock()
	inst.current = inv
	inst.mu.Unlock()
	close(inv.started)

	h := w.Header()
	h.Set(headerRequestID, inv.id)
	h.Set(headerDeadline, strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set(headerFunctionARN, inv.invokedARN)
	h.Set(headerTraceID, inv.trace)
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.payload)
}

// invocationFor returns the invocation a runtime posts a result for, or
// answers the runtime with why it may not.
func (inst *instance) invocationFor(w http.ResponseWriter, id string) *invocation {
	inst.mu.Lock()
	cur := inst.current
	inst.mu.Unlock()
	switch {
	case cur == nil:
		writeRuntimeError(w, http.StatusForbidden, errorStateMismatch, "no invocation is in progress")
	case cur.id != id:
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequestID", "invocation "+id+" is not the one in progress")
	case cur.isFinished():
		writeRuntimeError(w, http.StatusForbidden, errorStateMismatch, "invocation "+id+" already has its result")
	default:
		return cur
	}
	return nil
}

func (inst *instance) handleResponse(w http.ResponseWriter, r *http.Request) {
	inv := inst.invocationFor(w, r.PathValue("id"))
	if inv == nil {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
	if err != nil {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequest", "reading the response: "+err.Error())
		return
	}
	var o outcome
	switch {
	case len(body) > maxPayload:
		o.err = newFunctionError(ErrorTypeResponseTooLarge,
			"Response payload size exceeded maximum allowed payload size ("+strconv.Itoa(maxPayload)+" bytes).")
	case r.Trailer.Get(headerErrorType) != "":
		// A runtime that fails while streaming its response reports the error in
		// trailers (aws-lambda-go does when the handler's io.Reader fails).
		o.err = trailerError(r.Trailer)
	default:
		o.payload = body
	}
	inst.fn.noteFinishing(inst)
	if !inv.finish(o) {
		writeRuntimeError(w, http.StatusForbidden, errorStateMismatch, "invocation "+inv.id+" already has its result")
		return
	}
	if len(body) > maxPayload {
		writeRuntimeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			"the response exceeds "+strconv.Itoa(maxPayload)+" bytes")
		return
	}
	writeAccepted(w)
}

func trailerError(t http.Header) *FunctionError {
	body, err := base64.StdEncoding.DecodeString(t.Get(trailerErrorBody))
	if err != nil {
		body = nil
	}
	return functionErrorFromRuntime(body, t.Get(headerErrorType))
}

func (inst *instance) handleError(w http.ResponseWriter, r *http.Request) {
	inv := inst.invocationFor(w, r.PathValue("id"))
	if inv == nil {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload))
	if err != nil {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequest", "reading the error: "+err.Error())
		return
	}
	inst.fn.noteFinishing(inst)
	if !inv.finish(outcome{err: functionErrorFromRuntime(body, r.Header.Get(headerErrorType))}) {
		writeRuntimeError(w, http.StatusForbidden, errorStateMismatch, "invocation "+inv.id+" already has its result")
		return
	}
	writeAccepted(w)
}

// handleInitError records a failed Init phase; it fails the invocation that
// started the instance, which is then discarded.
func (inst *instance) handleInitError(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload))
	if err != nil {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequest", "reading the error: "+err.Error())
		return
	}
	inst.mu.Lock()
	if inst.initialized || inst.initErr != nil {
		inst.mu.Unlock()
		writeRuntimeError(w, http.StatusForbidden, errorStateMismatch, "the Init phase is over")
		return
	}
	inst.initErr = functionErrorFromRuntime(body, r.Header.Get(headerErrorType))
	close(inst.initFailed)
	inst.mu.Unlock()
	writeAccepted(w)
}

func writeAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"status":"OK"}`))
}

// writeRuntimeError answers in the Runtime API's error shape.
func writeRuntimeError(w http.ResponseWriter, status int, typ, message string) {
	body, _ := json.Marshal(errorDocument{ErrorMessage: message, ErrorType: typ})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
