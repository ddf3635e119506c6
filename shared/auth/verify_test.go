package auth

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/merchant"
)

var testNow = time.Unix(1_700_000_000, 0)

// merchantsFn is a MerchantSource made of a function, so each test says what
// the store answers.
type merchantsFn func(ctx context.Context, id string) (*merchant.Merchant, error)

func (f merchantsFn) Get(ctx context.Context, id string) (*merchant.Merchant, error) {
	return f(ctx, id)
}

// fixedMerchants knows m_demo (active) and m_off (disabled).
func fixedMerchants() MerchantSource {
	return merchantsFn(func(_ context.Context, id string) (*merchant.Merchant, error) {
		switch id {
		case "m_demo":
			return &merchant.Merchant{ID: id, Secret: "secret1", Status: merchant.Active}, nil
		case "m_off":
			return &merchant.Merchant{ID: id, Secret: "secret2", Status: merchant.Disabled}, nil
		case "m_nosecret":
			return &merchant.Merchant{ID: id, Status: merchant.Active}, nil
		}
		return nil, fault.New(fault.NotFound, "no merchant %s", id)
	})
}

func newVerifier() *Verifier {
	return &Verifier{Merchants: fixedMerchants(), Now: func() time.Time { return testNow }}
}

// signed returns a request m_demo signed correctly at ts.
func signed(ts time.Time) Request {
	r := Request{
		MerchantID:    "m_demo",
		Timestamp:     strconv.FormatInt(ts.Unix(), 10),
		Method:        "POST",
		PathWithQuery: "/v1/payments/pay_1/refunds?x=1",
		Body:          []byte(`{"amount":100}`),
	}
	r.Signature = Sign("secret1", r.Timestamp, r.Method, r.PathWithQuery, r.Body)
	return r
}

func TestVerifyAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  Request
	}{
		{"now", signed(testNow)},
		{"exactly 300 s early", signed(testNow.Add(-300 * time.Second))},
		{"exactly 300 s late", signed(testNow.Add(300 * time.Second))},
		{"no body", func() Request {
			r := signed(testNow)
			r.Method, r.PathWithQuery, r.Body = "GET", "/v1/balance", nil
			r.Signature = Sign("secret1", r.Timestamp, r.Method, r.PathWithQuery, nil)
			return r
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := newVerifier().Verify(context.Background(), tt.req)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if m.ID != "m_demo" {
				t.Errorf("merchant = %q, want m_demo", m.ID)
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	change := func(f func(*Request)) Request {
		r := signed(testNow)
		f(&r)
		return r
	}
	resign := func(f func(*Request)) Request {
		return change(func(r *Request) {
			f(r)
			r.Signature = Sign("secret1", r.Timestamp, r.Method, r.PathWithQuery, r.Body)
		})
	}
	tests := []struct {
		name  string
		req   Request
		cause error
	}{
		{"no merchant id", change(func(r *Request) { r.MerchantID = "" }), errMissingHeader},
		{"no timestamp", change(func(r *Request) { r.Timestamp = "" }), errMissingHeader},
		{"no signature", change(func(r *Request) { r.Signature = "" }), errMissingHeader},
		{"unknown merchant", change(func(r *Request) { r.MerchantID = "m_nobody" }), errUnknownMerchant},
		{"disabled merchant", change(func(r *Request) {
			r.MerchantID = "m_off"
			r.Signature = Sign("secret2", r.Timestamp, r.Method, r.PathWithQuery, r.Body)
		}), errDisabledMerchant},
		{"merchant without secret", change(func(r *Request) {
			r.MerchantID = "m_nosecret"
			r.Signature = Sign("", r.Timestamp, r.Method, r.PathWithQuery, r.Body)
		}), errDisabledMerchant},
		{"merchant id too long", change(func(r *Request) { r.MerchantID = strings.Repeat("m", 65) }), errMalformedRequest},
		{"merchant id with a space", change(func(r *Request) { r.MerchantID = "m demo" }), errMalformedRequest},
		{"301 s early", resign(func(r *Request) { r.Timestamp = strconv.FormatInt(testNow.Unix()-301, 10) }), errSkew},
		{"301 s late", resign(func(r *Request) { r.Timestamp = strconv.FormatInt(testNow.Unix()+301, 10) }), errSkew},
		{"timestamp zero", resign(func(r *Request) { r.Timestamp = "0" }), errSkew},
		{"timestamp in milliseconds", resign(func(r *Request) { r.Timestamp = strconv.FormatInt(testNow.UnixMilli(), 10) }), errSkew},
		{"timestamp not a number", resign(func(r *Request) { r.Timestamp = "yesterday" }), errBadTimestamp},
		{"timestamp with sign", resign(func(r *Request) { r.Timestamp = "+" + strconv.FormatInt(testNow.Unix(), 10) }), errBadTimestamp},
		{"negative timestamp", resign(func(r *Request) { r.Timestamp = "-1" }), errBadTimestamp},
		{"timestamp with fraction", resign(func(r *Request) { r.Timestamp = strconv.FormatInt(testNow.Unix(), 10) + ".5" }), errBadTimestamp},
		{"timestamp with spaces", resign(func(r *Request) { r.Timestamp = " " + strconv.FormatInt(testNow.Unix(), 10) }), errBadTimestamp},
		{"timestamp overflowing int64", resign(func(r *Request) { r.Timestamp = "99999999999999999999" }), errBadTimestamp},
		{"lower-case method", resign(func(r *Request) { r.Method = "post" }), errMalformedRequest},
		{"path without slash", resign(func(r *Request) { r.PathWithQuery = "v1/payments" }), errMalformedRequest},
		{"path with newline", resign(func(r *Request) { r.PathWithQuery = "/v1\n/x" }), errMalformedRequest},
		{"empty path", resign(func(r *Request) { r.PathWithQuery = "" }), errMalformedRequest},
		{"signed with another secret", change(func(r *Request) {
			r.Signature = Sign("secret2", r.Timestamp, r.Method, r.PathWithQuery, r.Body)
		}), errBadSignature},
		{"upper-case hex", change(func(r *Request) { r.Signature = "v1=" + strings.ToUpper(r.Signature[3:]) }), errBadSignature},
		{"no version prefix", change(func(r *Request) { r.Signature = r.Signature[3:] }), errBadSignature},
		{"other version", change(func(r *Request) { r.Signature = "v2=" + r.Signature[3:] }), errBadSignature},
		{"truncated signature", change(func(r *Request) { r.Signature = r.Signature[:len(r.Signature)-1] }), errBadSignature},
		{"signature over another body", change(func(r *Request) { r.Body = []byte(`{"amount":1000}`) }), errBadSignature},
		{"signature over another path", change(func(r *Request) { r.PathWithQuery = "/v1/payments/pay_2/refunds?x=1" }), errBadSignature},
		{"signature without the query", change(func(r *Request) { r.PathWithQuery = "/v1/payments/pay_1/refunds" }), errBadSignature},
		{"signature over another method", change(func(r *Request) { r.Method = "PUT" }), errBadSignature},
		{"signature over another timestamp", change(func(r *Request) { r.Timestamp = strconv.FormatInt(testNow.Unix()-1, 10) }), errBadSignature},
	}
	var first string
	for _, tt := range tests {
		_, err := newVerifier().Verify(context.Background(), tt.req)
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Code != fault.Unauthenticated {
			t.Errorf("%s: err = %v, want a fault.Unauthenticated error", tt.name, err)
			continue
		}
		if !errors.Is(err, tt.cause) {
			t.Errorf("%s: cause = %v, want %v", tt.name, fe.Err, tt.cause)
		}
		// What a client sees (code, message, field) is the same whatever the cause.
		seen := string(fe.Code) + "|" + fe.Message + "|" + fe.Field
		if first == "" {
			first = seen
		} else if seen != first {
			t.Errorf("%s: client sees %q, others %q", tt.name, seen, first)
		}
	}
}

func TestVerifyStoreFailureIsInternal(t *testing.T) {
	t.Parallel()
	boom := errors.New("dynamodb: throttled")
	var calls int
	v := &Verifier{
		Merchants: merchantsFn(func(context.Context, string) (*merchant.Merchant, error) {
			calls++
			return nil, boom
		}),
		Now: func() time.Time { return testNow },
	}
	_, err := v.Verify(context.Background(), signed(testNow))
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want it to wrap the store's error", err)
	}
	if code := fault.CodeOf(err); code != fault.Internal {
		t.Errorf("code = %s, want %s (500, not 401)", code, fault.Internal)
	}
	if calls != 1 {
		t.Errorf("store called %d times, want 1", calls)
	}
}

func TestVerifyNilMerchantIsUnknown(t *testing.T) {
	t.Parallel()
	v := &Verifier{
		Merchants: merchantsFn(func(context.Context, string) (*merchant.Merchant, error) { return nil, nil }),
		Now:       func() time.Time { return testNow },
	}
	_, err := v.Verify(context.Background(), signed(testNow))
	if !errors.Is(err, errUnknownMerchant) || fault.CodeOf(err) != fault.Unauthenticated {
		t.Errorf("err = %v, want unauthenticated (unknown merchant)", err)
	}
}

// A stale or malformed request is refused before the store is read.
func TestVerifyChecksClockBeforeStore(t *testing.T) {
	t.Parallel()
	v := &Verifier{
		Merchants: merchantsFn(func(context.Context, string) (*merchant.Merchant, error) {
			t.Error("the store was read for a request that fails on its own")
			return nil, errors.New("unreachable")
		}),
		Now: func() time.Time { return testNow },
	}
	for _, r := range []Request{signed(testNow.Add(-time.Hour)), {MerchantID: "m_demo", Timestamp: "x", Signature: "v1=", Method: "GET", PathWithQuery: "/"}} {
		if _, err := v.Verify(context.Background(), r); fault.CodeOf(err) != fault.Unauthenticated {
			t.Errorf("err = %v, want unauthenticated", err)
		}
	}
}

func TestVerifyMaxSkew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		maxSkew time.Duration
		offset  time.Duration
		ok      bool
	}{
		{"custom skew, inside", 10 * time.Second, -10 * time.Second, true},
		{"custom skew, outside", 10 * time.Second, 11 * time.Second, false},
		{"default skew, inside", 0, 299 * time.Second, true},
		{"default skew, outside", 0, -301 * time.Second, false},
		{"negative means default", -time.Second, 299 * time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := newVerifier()
			v.MaxSkew = tt.maxSkew
			_, err := v.Verify(context.Background(), signed(testNow.Add(tt.offset)))
			if (err == nil) != tt.ok {
				t.Errorf("err = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestVerifyDefaultClock(t *testing.T) {
	t.Parallel()
	v := &Verifier{Merchants: fixedMerchants()}
	if _, err := v.Verify(context.Background(), signed(time.Now())); err != nil {
		t.Errorf("a request signed now is refused with the real clock: %v", err)
	}
}

func TestVerifyWithoutMerchantSource(t *testing.T) {
	t.Parallel()
	v := &Verifier{Now: func() time.Time { return testNow }}
	if _, err := v.Verify(context.Background(), signed(testNow)); fault.CodeOf(err) != fault.Internal {
		t.Errorf("err = %v, want internal", err)
	}
}

// The store sees the caller's context (deadline, trace).
func TestVerifyPassesContext(t *testing.T) {
	t.Parallel()
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "trace")
	v := &Verifier{
		Merchants: merchantsFn(func(ctx context.Context, id string) (*merchant.Merchant, error) {
			if ctx.Value(key{}) != "trace" {
				t.Error("the store did not get the caller's context")
			}
			return fixedMerchants().Get(ctx, id)
		}),
		Now: func() time.Time { return testNow },
	}
	if _, err := v.Verify(ctx, signed(testNow)); err != nil {
		t.Fatal(err)
	}
}
