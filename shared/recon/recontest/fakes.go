package recontest

import (
	"bytes"
	"context"
	"io"
	"maps"
	"sync"

	"github.com/paylane/paylane/shared/recon"
)

// Reports is an in-memory report bucket.
type Reports struct {
	mu      sync.Mutex
	objects map[string][]byte
	// Fail, when set, is asked once a Put read its body; its error fails the Put.
	Fail func(key string) error
}

// Put reads the whole body and keeps it under key.
func (r *Reports) Put(_ context.Context, key string, body io.Reader) error {
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	if r.Fail != nil {
		if err := r.Fail(key); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.objects == nil {
		r.objects = map[string][]byte{}
	}
	r.objects[key] = b
	return nil
}

// Get returns an object, and whether there is one.
func (r *Reports) Get(key string) ([]byte, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, ok := r.objects[key]
	return bytes.Clone(b), ok
}

// Keys returns the keys of the objects.
func (r *Reports) Keys() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ks []string
	for k := range maps.Keys(r.objects) {
		ks = append(ks, k)
	}
	return ks
}

// Sink is an in-memory discrepancy queue.
type Sink struct {
	mu      sync.Mutex
	sent    []recon.Result
	batches int
	// Fail, when set, is asked before each Send; its error fails the Send.
	Fail func(ds []recon.Result) error
}

// Send keeps the discrepancies.
func (s *Sink) Send(_ context.Context, ds []recon.Result) error {
	if s.Fail != nil {
		if err := s.Fail(ds); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, ds...)
	s.batches++
	return nil
}

// Sent returns the discrepancies sent so far, and in how many batches.
func (s *Sink) Sent() ([]recon.Result, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recon.Result(nil), s.sent...), s.batches
}

// Bus is an in-memory bus.
type Bus struct {
	mu     sync.Mutex
	events []recon.CompletedEvent
	// Fail, when set, is asked before each publish; its error fails it.
	Fail func(ev recon.CompletedEvent) error
}

// PublishCompleted keeps the event.
func (b *Bus) PublishCompleted(_ context.Context, ev recon.CompletedEvent) error {
	if b.Fail != nil {
		if err := b.Fail(ev); err != nil {
			return err
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.events = append(b.events, ev)
	return nil
}

// Events returns the events published so far.
func (b *Bus) Events() []recon.CompletedEvent {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]recon.CompletedEvent(nil), b.events...)
}
