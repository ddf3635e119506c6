package mockpg

import (
	"encoding/json"
	"net/http"
	"time"
)

// Operation kinds: the scopes of idempotency keys.
const (
	opAuthorize = "authorize"
	opCapture   = "capture"
	opVoid      = "void"
	opRefund    = "refund"
)

type opKey struct {
	kind string
	key  string
}

// operation is the stored outcome of one idempotent request.
type operation struct {
	kind        string
	key         string
	fingerprint string
	status      int
	body        []byte
	at          time.Time
}

// validated is a decoded request body that can check itself.
type validated interface{ validate() error }

// opSpec describes one operation for operate.
type opSpec struct {
	kind string
	// req is decoded from the body and validated before anything happens.
	req     validated
	emptyOK bool
	// hangs reports a request the PG never answers (pm_timeout); nothing is
	// recorded for it.
	hangs func() bool
	// perform does the operation; it runs with p.mu held.
	perform func(now time.Time) outcome
}

// operate runs an operation through the immediate failure modes, request
// validation, latency, idempotency and the business rules, in that order.
func (p *PG) operate(w http.ResponseWriter, r *http.Request, spec opSpec) {
	settings, ok := p.refuse(w)
	if !ok {
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if !validIdempotencyKey(key) {
		writeError(w, http.StatusBadRequest, "idempotency_key_missing", "the Idempotency-Key header must hold 1 to 255 printable ASCII characters")
		return
	}
	if err := decodeBody(w, r, spec.req, spec.emptyOK); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if err := spec.req.validate(); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	canonical, err := json.Marshal(spec.req)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "encoding the request failed")
		return
	}
	fingerprint := r.URL.Path + "\n" + string(canonical)
	if !p.delay(w, r, settings) {
		return
	}

	p.mu.Lock()
	if prev, found := p.ops[opKey{spec.kind, key}]; found {
		p.mu.Unlock()
		if prev.fingerprint != fingerprint {
			writeError(w, http.StatusUnprocessableEntity, "idempotency_key_reused", "this Idempotency-Key was used for a different "+spec.kind+" request")
			return
		}
		p.log.Info("mock PG replay", "operation", spec.kind, "key", key, "status", prev.status)
		if settings.DropResponses {
			p.hang(w, r)
			return
		}
		w.Header().Set("Idempotent-Replayed", "true")
		writeRaw(w, prev.status, prev.body)
		return
	}
	if spec.hangs != nil && spec.hangs() {
		p.mu.Unlock()
		p.log.Info("mock PG never answers", "operation", spec.kind, "key", key)
		p.hang(w, r)
		return
	}
	now := p.now()
	out := spec.perform(now)
	body, err := json.Marshal(out.body)
	if err != nil {
		p.mu.Unlock()
		writeError(w, http.StatusInternalServerError, "internal", "encoding the response failed")
		return
	}
	p.ops[opKey{spec.kind, key}] = &operation{
		kind: spec.kind, key: key, fingerprint: fingerprint, status: out.status, body: body, at: now,
	}
	p.mu.Unlock()

	p.log.Info("mock PG operation", "operation", spec.kind, "key", key, "status", out.status, "path", r.URL.Path, "dropped", settings.DropResponses)
	if settings.DropResponses {
		p.hang(w, r)
		return
	}
	writeRaw(w, out.status, body)
}

func (p *PG) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	var req authorizeRequest
	p.operate(w, r, opSpec{
		kind:    opAuthorize,
		req:     &req,
		hangs:   func() bool { return neverAnswers(req.PaymentMethod) },
		perform: func(now time.Time) outcome { return p.authorize(req, now) },
	})
}

func (p *PG) handleCapture(w http.ResponseWriter, r *http.Request) {
	var req amountRequest
	id := r.PathValue("id")
	p.operate(w, r, opSpec{
		kind:    opCapture,
		req:     &req,
		perform: func(now time.Time) outcome { return p.capture(id, req, now) },
	})
}

func (p *PG) handleVoid(w http.ResponseWriter, r *http.Request) {
	var req voidRequest
	id := r.PathValue("id")
	p.operate(w, r, opSpec{
		kind:    opVoid,
		req:     &req,
		emptyOK: true,
		perform: func(now time.Time) outcome { return p.voidAuthorization(id, now) },
	})
}

func (p *PG) handleRefund(w http.ResponseWriter, r *http.Request) {
	var req amountRequest
	id := r.PathValue("id")
	p.operate(w, r, opSpec{
		kind:    opRefund,
		req:     &req,
		perform: func(now time.Time) outcome { return p.refund(id, req, now) },
	})
}
