package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/merchant"
)

func newMerchant(id string) merchant.Merchant {
	return merchant.Merchant{
		ID: id, Secret: "secret-" + id, Status: merchant.Active,
		RateLimitPerSecond: merchant.DefaultRateLimit, FeeRateBps: merchant.DefaultFeeRateBps,
	}
}

// seedLikeLocalCloud writes a merchant the way cmd/localcloud/seed.go does: no version,
// no updatedAt, createdAt without fractional seconds.
func seedLikeLocalCloud(t testing.TB, e *env, id string) {
	t.Helper()
	_, err := e.db.PutItem(context.Background(), &dynamodb.PutItemInput{
		TableName: aws.String(e.merchants),
		Item: item{
			"pk": avS("MERCHANT#" + id), "sk": avS("PROFILE"), "merchantId": avS(id), "secret": avS("s3cret"),
			"status": avS("ACTIVE"), "rateLimitPerSecond": avN(1000), "feeRateBps": avN(250),
			"createdAt": avS("2026-03-01T00:00:00Z"),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMerchants_CreateGet(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.merchantsStore(nil)
	m := newMerchant("m_1")
	if err := s.Create(ctxT(t), m); err != nil {
		t.Fatalf("Create: %v", err)
	}
	got, err := s.Get(ctxT(t), "m_1")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	want := m
	want.CreatedAt, want.UpdatedAt = e.clock.Now(), e.clock.Now()
	if !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Errorf("times %v %v, want now", got.CreatedAt, got.UpdatedAt)
	}
	got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("Get:\n got %+v\nwant %+v", *got, want)
	}
	if v := (&reader{item: e.rawItem(t, e.merchants, merchantKey("m_1"))}).int("version"); v != 1 {
		t.Errorf("version %d, want 1", v)
	}

	tests := []struct {
		name     string
		do       func() error
		wantCode fault.Code
		field    string
	}{
		{"CreateExisting", func() error { return s.Create(ctxT(t), newMerchant("m_1")) }, fault.InvalidState, ""},
		{"CreateWithoutID", func() error { return s.Create(ctxT(t), newMerchant("")) }, fault.Invalid, "merchantId"},
		{"GetAbsent", func() error { _, err := s.Get(ctxT(t), "m_nope"); return err }, fault.NotFound, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			var fe *fault.Error
			if !errors.As(err, &fe) || fe.Code != tc.wantCode || fe.Field != tc.field {
				t.Fatalf("got %v, want %s (field %q)", err, tc.wantCode, tc.field)
			}
		})
	}
	if got, _ := s.Get(ctxT(t), "m_1"); got.Secret != "secret-m_1" {
		t.Errorf("a refused Create changed the merchant: secret %q", got.Secret)
	}
}

func TestMerchants_Update(t *testing.T) {
	t.Parallel()

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.merchantsStore(nil)
		if err := s.Create(ctxT(t), newMerchant("m_1")); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Hour)
		got, err := s.Update(ctxT(t), "m_1", func(m *merchant.Merchant) error {
			m.Secret, m.FeeRateBps = "rotated", 100
			return nil
		})
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
		stored, _ := s.Get(ctxT(t), "m_1")
		for _, m := range []*merchant.Merchant{got, stored} {
			if m.Secret != "rotated" || m.FeeRateBps != 100 || m.RateLimitPerSecond != 1000 || !m.UpdatedAt.Equal(e.clock.Now()) {
				t.Errorf("after Update: %+v", m)
			}
		}
		if v := (&reader{item: e.rawItem(t, e.merchants, merchantKey("m_1"))}).int("version"); v != 2 {
			t.Errorf("version %d, want 2", v)
		}
	})

	t.Run("SeededWithoutVersion", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s := e.merchantsStore(nil)
		seedLikeLocalCloud(t, e, "m_demo")
		m, err := s.Get(ctxT(t), "m_demo")
		if err != nil {
			t.Fatalf("Get of a seeded merchant: %v", err)
		}
		if !m.CreatedAt.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) || !m.UpdatedAt.IsZero() {
			t.Errorf("seeded times: %v %v", m.CreatedAt, m.UpdatedAt)
		}
		if _, err := s.Update(ctxT(t), "m_demo", func(m *merchant.Merchant) error { m.Status = merchant.Disabled; return nil }); err != nil {
			t.Fatalf("Update of a seeded merchant: %v", err)
		}
		if m, _ := s.Get(ctxT(t), "m_demo"); m.Status != merchant.Disabled || m.Secret != "s3cret" {
			t.Errorf("after Update: %+v", m)
		}
	})

	refusals := []struct {
		name     string
		id       string
		change   func(*merchant.Merchant) error
		wantCode fault.Code
	}{
		{"Absent", "m_nope", func(*merchant.Merchant) error { return nil }, fault.NotFound},
		{"ChangeRefuses", "m_1", func(m *merchant.Merchant) error {
			m.Secret = "half-done"
			return fault.Field("feeRateBps", "too high")
		}, fault.Invalid},
		{"ChangeMovesTheID", "m_1", func(m *merchant.Merchant) error { m.ID = "m_2"; return nil }, fault.Invalid},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			s := e.merchantsStore(nil)
			if err := s.Create(ctxT(t), newMerchant("m_1")); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Update(ctxT(t), tc.id, tc.change); !fault.Is(err, tc.wantCode) {
				t.Fatalf("Update: got %v, want %s", err, tc.wantCode)
			}
			if m, _ := s.Get(ctxT(t), "m_1"); m.Secret != "secret-m_1" {
				t.Errorf("a refused Update wrote: %+v", m)
			}
			if _, err := s.Get(ctxT(t), "m_2"); !fault.Is(err, fault.NotFound) {
				t.Errorf("a refused Update created m_2: %v", err)
			}
		})
	}

	// A lost race: another writer changes the merchant between Update's read and write.
	races := []struct {
		name      string
		races     int
		wantErr   bool
		wantPuts  int
		wantLimit int
	}{
		{"RetriedAfterALostRace", 2, false, 3, 7},
		{"GivesUpAfterThreeRetries", 100, true, 4, 0},
	}
	for _, tc := range races {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			base := e.merchantsStore(nil)
			if err := base.Create(ctxT(t), newMerchant("m_1")); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			puts := 0
			s := e.merchantsStore(hookDB{DB: e.db, hook: func(op string, in any) error {
				if op != "PutItem" {
					return nil
				}
				mu.Lock()
				puts++
				race := puts <= tc.races
				mu.Unlock()
				if race {
					_, err := base.Update(context.Background(), "m_1", func(m *merchant.Merchant) error {
						m.RateLimitPerSecond++
						return nil
					})
					return err
				}
				return nil
			}})
			got, err := s.Update(ctxT(t), "m_1", func(m *merchant.Merchant) error {
				m.FeeRateBps = 7
				return nil
			})
			if tc.wantErr {
				if err == nil || fault.CodeOf(err) != fault.Internal {
					t.Fatalf("Update: got %+v, %v; want an internal error", got, err)
				}
			} else if err != nil {
				t.Fatalf("Update: %v", err)
			}
			if puts != tc.wantPuts {
				t.Errorf("writes attempted: %d, want %d", puts, tc.wantPuts)
			}
			stored, _ := base.Get(ctxT(t), "m_1")
			if !tc.wantErr && (stored.FeeRateBps != 7 || stored.RateLimitPerSecond != 1000+tc.races) {
				t.Errorf("stored %+v: both writers' changes must be kept", stored)
			}
		})
	}
}

func TestMerchants_List(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	base := e.merchantsStore(nil)
	var want []string
	for _, i := range []int{7, 3, 11, 0, 5, 9, 1} {
		id := fmt.Sprintf("m_%02d", i)
		if err := base.Create(ctxT(t), newMerchant(id)); err != nil {
			t.Fatal(err)
		}
	}
	seedLikeLocalCloud(t, e, "m_demo")
	// Something else in the table is not a merchant.
	if _, err := e.db.PutItem(ctxT(t), &dynamodb.PutItemInput{TableName: aws.String(e.merchants),
		Item: item{"pk": avS("MERCHANT#m_00"), "sk": avS("NOTE"), "text": avS("x")}}); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 1, 3, 5, 7, 9, 11} {
		want = append(want, fmt.Sprintf("m_%02d", i))
	}
	want = append(want, "m_demo")

	// Pages of two items, as DynamoDB would cut a large table into 1 MB pages.
	scans := 0
	s := e.merchantsStore(hookDB{DB: e.db, hook: func(op string, in any) error {
		if sc, ok := in.(*dynamodb.ScanInput); ok {
			scans++
			sc.Limit = aws.Int32(2)
		}
		return nil
	}})
	got, err := s.List(ctxT(t))
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	var ids []string
	for _, m := range got {
		ids = append(ids, m.ID)
	}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("List:\n got %v\nwant %v", ids, want)
	}
	if scans < 5 {
		t.Errorf("%d scans for 9 items in pages of 2", scans)
	}
}
