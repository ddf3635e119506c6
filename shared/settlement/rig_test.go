package settlement_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/ledger"
	"github.com/paylane/paylane/shared/ledger/ledgertest"
	"github.com/paylane/paylane/shared/merchant"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/settlement"
	"github.com/paylane/paylane/shared/settlement/settlementtest"
)

// hookStore is a settlement.Store whose calls go to Memory unless a hook answers them.
type hookStore struct {
	*settlementtest.Memory
	record    func(m settlement.Movement, day string) (string, error, bool)
	closeDay  func(merchantID, day string) error
	saveBatch func(b settlement.Batch) error
	batch     func(merchantID, id string) (*settlement.Batch, error, bool)
	settled   func() error
	markErr   error
	marked    []string
	mu        sync.Mutex
}

func newHookStore() *hookStore { return &hookStore{Memory: &settlementtest.Memory{}} }

func (s *hookStore) Record(ctx context.Context, m settlement.Movement, day string) (string, error) {
	if s.record != nil {
		if d, err, done := s.record(m, day); done {
			return d, err
		}
	}
	return s.Memory.Record(ctx, m, day)
}

func (s *hookStore) CloseDay(ctx context.Context, merchantID, day string) ([]settlement.Totals, error) {
	if s.closeDay != nil {
		if err := s.closeDay(merchantID, day); err != nil {
			return nil, err
		}
	}
	return s.Memory.CloseDay(ctx, merchantID, day)
}

func (s *hookStore) SaveBatch(ctx context.Context, b settlement.Batch) error {
	if s.saveBatch != nil {
		if err := s.saveBatch(b); err != nil {
			return err
		}
	}
	return s.Memory.SaveBatch(ctx, b)
}

func (s *hookStore) Batch(ctx context.Context, merchantID, id string) (*settlement.Batch, error) {
	if s.batch != nil {
		if b, err, done := s.batch(merchantID, id); done {
			return b, err
		}
	}
	return s.Memory.Batch(ctx, merchantID, id)
}

func (s *hookStore) MarkSettled(ctx context.Context, day string) error {
	if s.markErr != nil {
		return s.markErr
	}
	s.mu.Lock()
	s.marked = append(s.marked, day)
	s.mu.Unlock()
	return s.Memory.MarkSettled(ctx, day)
}

func (s *hookStore) SettledDays(ctx context.Context, from, to string) ([]string, error) {
	if s.settled != nil {
		if err := s.settled(); err != nil {
			return nil, err
		}
	}
	return s.Memory.SettledDays(ctx, from, to)
}

// publisher keeps what was published; fail, when set, answers instead.
type publisher struct {
	mu        sync.Mutex
	published []settlement.Batch
	fail      func(b settlement.Batch) error
}

func (p *publisher) PublishClosed(_ context.Context, b settlement.Batch) error {
	if p.fail != nil {
		if err := p.fail(b); err != nil {
			return err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.published = append(p.published, b)
	return nil
}

func (p *publisher) all() []settlement.Batch {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]settlement.Batch(nil), p.published...)
}

// hookLedger posts to a memory ledger unless fail answers.
type hookLedger struct {
	*ledgertest.Memory
	fail func(j ledger.Journal) error
}

func (l *hookLedger) Post(ctx context.Context, j ledger.Journal) error {
	if l.fail != nil {
		if err := l.fail(j); err != nil {
			return err
		}
	}
	return l.Memory.Post(ctx, j)
}

// merchants is a fixed list of merchants; listErr fails List.
type merchants struct {
	list    []merchant.Merchant
	listErr error
}

func (m *merchants) List(context.Context) ([]merchant.Merchant, error) {
	if m.listErr != nil {
		return nil, m.listErr
	}
	return m.list, nil
}

func (m *merchants) Get(_ context.Context, id string) (*merchant.Merchant, error) {
	for _, x := range m.list {
		if x.ID == id {
			return &x, nil
		}
	}
	return nil, fault.New(fault.NotFound, "merchant %s not found", id)
}

func merchantWith(id string, bps int) merchant.Merchant {
	return merchant.Merchant{ID: id, Status: merchant.Active, FeeRateBps: bps}
}

// rig is a Settler and a Recorder over memory stores, with a settable clock.
type rig struct {
	store     *hookStore
	ledger    *hookLedger
	pub       *publisher
	merchants *merchants
	settler   *settlement.Settler
	recorder  *settlement.Recorder
	mu        sync.Mutex
	now       time.Time
}

func newRig(loc *time.Location, ms ...merchant.Merchant) *rig {
	r := &rig{
		store: newHookStore(), ledger: &hookLedger{Memory: &ledgertest.Memory{}}, pub: &publisher{},
		merchants: &merchants{list: ms}, now: time.Date(2026, 3, 2, 0, 30, 0, 0, time.UTC),
	}
	r.settler = &settlement.Settler{Store: r.store, Ledger: r.ledger, Publisher: r.pub, Merchants: r.merchants,
		Location: loc, Now: r.clock, Parallel: 3}
	r.recorder = &settlement.Recorder{Store: r.store, Location: loc}
	return r
}

func (r *rig) clock() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.now
}

func (r *rig) setNow(t time.Time) {
	r.mu.Lock()
	r.now = t
	r.mu.Unlock()
}

func (r *rig) record(t testing.TB, evs ...payment.Event) {
	t.Helper()
	for _, ev := range evs {
		if err := r.recorder.RecordEvent(context.Background(), ev); err != nil {
			t.Fatalf("recording %s: %v", ev.ID, err)
		}
	}
}

func (r *rig) closeDay(t testing.TB, day, merchantID string) settlement.Summary {
	t.Helper()
	sum, err := r.settler.CloseDay(context.Background(), day, merchantID)
	if err != nil {
		t.Fatalf("CloseDay(%s, %q): %v", day, merchantID, err)
	}
	return sum
}

// sqsMessage wraps a payment event as the bus delivers it to a queue.
func sqsMessage(t testing.TB, id string, ev payment.Event) events.SQSMessage {
	t.Helper()
	detail, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(events.EventBridgeEvent{
		Version: "0", ID: "eb-" + id, DetailType: string(ev.Type), Source: payment.EventSource,
		AccountID: "000000000000", Time: ev.OccurredAt, Region: "us-east-1", Resources: []string{}, Detail: detail,
	})
	if err != nil {
		t.Fatal(err)
	}
	return events.SQSMessage{MessageId: id, Body: string(body), Attributes: map[string]string{"ApproximateReceiveCount": "1"}}
}

var errBoom = errors.New("boom")

func ids(bs []settlement.Batch) []string {
	out := []string{}
	for _, b := range bs {
		out = append(out, fmt.Sprintf("%s/%s", b.MerchantID, b.ID))
	}
	return out
}
