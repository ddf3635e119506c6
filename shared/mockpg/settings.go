package mockpg

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// maxLatency bounds latencyMs so that a typo cannot park requests for days.
const maxLatency = 10 * time.Minute

// Settings are the PG's failure modes, set at run time through /control.
type Settings struct {
	// Outage makes every operation answer 503 without doing anything.
	Outage bool `json:"outage"`
	// FailureRate is the fraction (0 to 1) of operations that answer 503
	// without doing anything.
	FailureRate float64 `json:"failureRate"`
	// LatencyMs is waited before each operation is performed.
	LatencyMs int64 `json:"latencyMs"`
	// DropResponses performs each operation, then never answers.
	DropResponses bool `json:"dropResponses"`
}

// controlRequest is the body of POST /control: any subset of the settings.
type controlRequest struct {
	Reset         bool     `json:"reset"`
	Outage        *bool    `json:"outage"`
	FailureRate   *float64 `json:"failureRate"`
	LatencyMs     *int64   `json:"latencyMs"`
	DropResponses *bool    `json:"dropResponses"`
}

func (c controlRequest) validate() error {
	if c.FailureRate != nil && (*c.FailureRate < 0 || *c.FailureRate > 1) {
		return fmt.Errorf("%w: failureRate must be between 0 and 1", errBadRequest)
	}
	if c.LatencyMs != nil && (*c.LatencyMs < 0 || time.Duration(*c.LatencyMs)*time.Millisecond > maxLatency) {
		return fmt.Errorf("%w: latencyMs must be between 0 and %d", errBadRequest, maxLatency.Milliseconds())
	}
	return nil
}

// Settings returns the current settings.
func (p *PG) Settings() Settings {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.settings
}

// SetSettings replaces the settings, as POST /control with every field does.
func (p *PG) SetSettings(s Settings) error {
	req := controlRequest{Reset: true, Outage: &s.Outage, FailureRate: &s.FailureRate, LatencyMs: &s.LatencyMs, DropResponses: &s.DropResponses}
	if err := req.validate(); err != nil {
		return err
	}
	p.applyControl(req)
	return nil
}

func (p *PG) applyControl(c controlRequest) Settings {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c.Reset {
		p.settings = Settings{}
	}
	if c.Outage != nil {
		p.settings.Outage = *c.Outage
	}
	if c.FailureRate != nil {
		p.settings.FailureRate = *c.FailureRate
	}
	if c.LatencyMs != nil {
		p.settings.LatencyMs = *c.LatencyMs
	}
	if c.DropResponses != nil {
		p.settings.DropResponses = *c.DropResponses
	}
	return p.settings
}

func (p *PG) handleGetControl(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, p.Settings())
}

func (p *PG) handlePostControl(w http.ResponseWriter, r *http.Request) {
	var req controlRequest
	if err := decodeBody(w, r, &req, false); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if err := req.validate(); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	s := p.applyControl(req)
	p.log.Info("mock PG settings changed", "outage", s.Outage, "failureRate", s.FailureRate, "latencyMs", s.LatencyMs, "dropResponses", s.DropResponses)
	writeJSON(w, http.StatusOK, s)
}

// refuse applies the failure modes that answer at once without doing
// anything; it returns the settings in force and whether to go on.
func (p *PG) refuse(w http.ResponseWriter) (Settings, bool) {
	p.mu.Lock()
	s := p.settings
	fail := s.FailureRate > 0 && p.rng.Float64() < s.FailureRate
	p.mu.Unlock()
	switch {
	case s.Outage:
		writeError(w, http.StatusServiceUnavailable, "outage", "the PG is down (simulated outage)")
		return s, false
	case fail:
		writeError(w, http.StatusServiceUnavailable, "transient_failure", "the PG failed to process the request (simulated failure); nothing was done")
		return s, false
	}
	return s, true
}

// delay waits the configured latency before the operation is performed. It
// returns false, having answered if anyone still listens, when the client
// gave up or the PG closed meanwhile. The request body must have been read:
// only then does net/http notice a client that hangs up.
func (p *PG) delay(w http.ResponseWriter, r *http.Request, s Settings) bool {
	if s.LatencyMs <= 0 || p.sleep(r.Context(), time.Duration(s.LatencyMs)*time.Millisecond) {
		return true
	}
	if r.Context().Err() == nil {
		writeError(w, http.StatusServiceUnavailable, "shutting_down", "the PG is shutting down")
	}
	return false
}

// sleep waits d, or less if the client gives up or the PG closes (false).
func (p *PG) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-p.closed:
		return false
	}
}
