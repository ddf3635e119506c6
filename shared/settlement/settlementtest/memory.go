package settlementtest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/settlement"
)

// Memory is a settlement.Store in memory, safe for concurrent use. The zero value is
// ready. It keeps one aggregate per merchant-day where the DynamoDB store keeps shards:
// what the contract checks cannot tell them apart.
type Memory struct {
	mu       sync.Mutex
	recorded map[string]string // event id -> the day it landed in
	days     map[merchantDay]*dayAggregate
	batches  map[merchantBatch]settlement.Batch
	settled  map[string]bool
}

type merchantDay struct{ merchant, day string }

type merchantBatch struct{ merchant, id string }

type dayAggregate struct {
	closed bool
	totals map[string]*settlement.Totals
}

var _ settlement.Store = (*Memory)(nil)

// Record implements settlement.Store.
func (s *Memory) Record(_ context.Context, m settlement.Movement, day string) (string, error) {
	if err := m.Validate(); err != nil {
		return "", err
	}
	if _, err := settlement.ParseDay(day); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if first, ok := s.recorded[m.EventID]; ok {
		return first, fmt.Errorf("recording %s: %w", m.EventID, settlement.ErrAlreadyRecorded)
	}
	for {
		agg := s.aggregate(m.MerchantID, day)
		if !agg.closed {
			t, ok := agg.totals[m.Currency]
			if !ok {
				t = &settlement.Totals{Currency: m.Currency}
				agg.totals[m.Currency] = t
			}
			t.Add(m)
			if s.recorded == nil {
				s.recorded = map[string]string{}
			}
			s.recorded[m.EventID] = day
			return day, nil
		}
		next, err := settlement.NextDay(day)
		if err != nil {
			return "", err
		}
		day = next
	}
}

func (s *Memory) aggregate(merchantID, day string) *dayAggregate {
	if s.days == nil {
		s.days = map[merchantDay]*dayAggregate{}
	}
	k := merchantDay{merchantID, day}
	agg, ok := s.days[k]
	if !ok {
		agg = &dayAggregate{totals: map[string]*settlement.Totals{}}
		s.days[k] = agg
	}
	return agg
}

// CloseDay implements settlement.Store.
func (s *Memory) CloseDay(_ context.Context, merchantID, day string) ([]settlement.Totals, error) {
	if _, err := settlement.ParseDay(day); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	agg := s.aggregate(merchantID, day)
	agg.closed = true
	out := make([]settlement.Totals, 0, len(agg.totals))
	for _, t := range agg.totals {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b settlement.Totals) int { return cmp.Compare(a.Currency, b.Currency) })
	return out, nil
}

// SaveBatch implements settlement.Store.
func (s *Memory) SaveBatch(_ context.Context, b settlement.Batch) error {
	if err := checkBatch(b); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := merchantBatch{b.MerchantID, b.ID}
	if old, ok := s.batches[k]; ok {
		if old.SameSettlement(b) {
			return nil
		}
		return fmt.Errorf("saving batch %s of %s: %w", b.ID, b.MerchantID, settlement.ErrBatchExists)
	}
	if s.batches == nil {
		s.batches = map[merchantBatch]settlement.Batch{}
	}
	s.batches[k] = b
	return nil
}

// checkBatch refuses a batch whose id does not name its day and currency: the stores find
// batches by their id.
func checkBatch(b settlement.Batch) error {
	if b.MerchantID == "" || b.ID != settlement.BatchID(b.Date, b.Currency) {
		return fmt.Errorf("batch %q of merchant %q on %s in %s: its id must be BatchID(date, currency)", b.ID, b.MerchantID, b.Date, b.Currency)
	}
	_, err := settlement.ParseDay(b.Date)
	return err
}

// Batches implements settlement.Store.
func (s *Memory) Batches(_ context.Context, merchantID, from, to string) ([]settlement.Batch, error) {
	for _, d := range []string{from, to} {
		if d == "" {
			continue
		}
		if _, err := settlement.ParseDay(d); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []settlement.Batch{}
	for k, b := range s.batches {
		if k.merchant == merchantID && (from == "" || b.Date >= from) && (to == "" || b.Date <= to) {
			out = append(out, b)
		}
	}
	slices.SortFunc(out, func(a, b settlement.Batch) int {
		return cmp.Or(cmp.Compare(a.Date, b.Date), cmp.Compare(a.Currency, b.Currency))
	})
	return out, nil
}

// Batch implements settlement.Store.
func (s *Memory) Batch(_ context.Context, merchantID, id string) (*settlement.Batch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.batches[merchantBatch{merchantID, id}]
	if !ok {
		return nil, fault.New(fault.NotFound, "settlement batch %q not found", id)
	}
	return &b, nil
}

// MarkSettled implements settlement.Store.
func (s *Memory) MarkSettled(_ context.Context, day string) error {
	if _, err := settlement.ParseDay(day); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.settled == nil {
		s.settled = map[string]bool{}
	}
	s.settled[day] = true
	return nil
}

// SettledDays implements settlement.Store.
func (s *Memory) SettledDays(_ context.Context, from, to string) ([]string, error) {
	for _, d := range []string{from, to} {
		if _, err := settlement.ParseDay(d); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for d := range s.settled {
		if d >= from && d <= to {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out, nil
}
