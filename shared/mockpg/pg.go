package mockpg

import (
	"crypto/rand"
	"encoding/binary"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Options configure a PG. The zero value is a working PG.
type Options struct {
	// Now is the PG's clock; time.Now when nil.
	Now func() time.Time
	// Seed makes ids and the failureRate draws reproducible; 0 picks a
	// random seed.
	Seed uint64
	// Log receives one line per operation; discarded when nil.
	Log *slog.Logger
}

// PG is the mock payment gateway. Create it with New; it is safe for
// concurrent use.
type PG struct {
	now func() time.Time
	log *slog.Logger
	mux *http.ServeMux

	// closed releases the requests that never answer (pm_timeout,
	// dropResponses) when the PG shuts down.
	closed    chan struct{}
	closeOnce sync.Once

	mu       sync.Mutex
	rng      *mrand.Rand
	settings Settings
	auths    map[string]*authorization
	ops      map[opKey]*operation
	journal  []journalEntry
}

// New returns a PG with default settings (no outage, no failures, no
// latency, answers delivered).
func New(opts Options) *PG {
	seed := opts.Seed
	if seed == 0 {
		var b [8]byte
		_, _ = io.ReadFull(rand.Reader, b[:])
		seed = binary.LittleEndian.Uint64(b[:])
	}
	var chachaSeed [32]byte
	binary.LittleEndian.PutUint64(chachaSeed[:], seed)
	p := &PG{
		now:    opts.Now,
		log:    opts.Log,
		closed: make(chan struct{}),
		rng:    mrand.New(mrand.NewChaCha8(chachaSeed)),
		auths:  map[string]*authorization{},
		ops:    map[opKey]*operation{},
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	p.mux = p.routes()
	return p
}

func (p *PG) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/authorizations", p.handleAuthorize)
	mux.HandleFunc("POST /v1/authorizations/{id}/capture", p.handleCapture)
	mux.HandleFunc("POST /v1/authorizations/{id}/void", p.handleVoid)
	mux.HandleFunc("POST /v1/authorizations/{id}/refunds", p.handleRefund)
	mux.HandleFunc("GET /v1/authorizations/{id}", p.handleGetAuthorization)
	mux.HandleFunc("GET /v1/operations/{key...}", p.handleGetOperation)
	mux.HandleFunc("GET /v1/statements", p.handleStatement)
	mux.HandleFunc("GET /control", p.handleGetControl)
	mux.HandleFunc("POST /control", p.handlePostControl)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	return mux
}

// ServeHTTP serves the PG protocol described in the package documentation.
func (p *PG) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mux.ServeHTTP(w, r)
}

// Close releases every request left hanging by pm_timeout or dropResponses
// (they answer 503 shutting_down), so that an http.Server can shut down.
// The PG keeps serving other requests.
func (p *PG) Close() {
	p.closeOnce.Do(func() { close(p.closed) })
}

// hang blocks until the client gives up or the PG is closed: the PG never
// answers.
func (p *PG) hang(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-p.closed:
		writeError(w, http.StatusServiceUnavailable, "shutting_down", "the PG is shutting down")
	}
}

// newID returns prefix + 24 random lowercase base32 characters. Call with
// p.mu held: the generator is shared.
func (p *PG) newID(prefix string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	b := make([]byte, 0, len(prefix)+24)
	b = append(b, prefix...)
	for range 24 {
		b = append(b, alphabet[p.rng.IntN(len(alphabet))])
	}
	return string(b)
}
