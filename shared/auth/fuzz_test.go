package auth

import (
	"context"
	"strconv"
	"testing"

	"github.com/paylane/paylane/shared/fault"
)

// FuzzVerify: whatever arrives, Verify does not panic, and it accepts a
// request only when its signature is exactly the one m_demo's secret gives.
func FuzzVerify(f *testing.F) {
	good := signed(testNow)
	f.Add(good.MerchantID, good.Timestamp, good.Signature, good.Method, good.PathWithQuery, good.Body)
	f.Add("", "", "", "", "", []byte(nil))
	f.Add("m_demo", "1700000000", "v1=", "GET", "/", []byte("{}"))
	f.Add("m_off", "99999999999999999999", "v1=zz", "post", "/\n", []byte{0xff})
	f.Fuzz(func(t *testing.T, id, ts, sig, method, path string, body []byte) {
		r := Request{MerchantID: id, Timestamp: ts, Signature: sig, Method: method, PathWithQuery: path, Body: body}
		m, err := newVerifier().Verify(context.Background(), r)
		if err != nil {
			if code := fault.CodeOf(err); code != fault.Unauthenticated {
				t.Fatalf("code = %s, want unauthenticated", code)
			}
			return
		}
		if m.ID != "m_demo" || sig != Sign("secret1", ts, method, path, body) {
			t.Fatalf("accepted %+v", r)
		}
	})
}

// FuzzVerifyTamper: a correctly signed request is accepted, and changing any
// one byte of its signature, body, path, method or timestamp gets it refused.
func FuzzVerifyTamper(f *testing.F) {
	f.Add(int64(0), "POST", "/v1/payments", []byte(`{"amount":1}`), uint8(0), uint16(0), uint8(1))
	f.Add(int64(-300), "GET", "/v1/payments?limit=10", []byte(nil), uint8(1), uint16(5), uint8(0x20))
	f.Add(int64(300), "DELETE", "/x", []byte("body"), uint8(2), uint16(1), uint8(0xff))
	f.Add(int64(7), "PUT", "/v1/b", []byte("b"), uint8(3), uint16(2), uint8(0x80))
	f.Add(int64(-1), "PATCH", "/p?q", []byte("zz"), uint8(4), uint16(9), uint8(3))
	f.Fuzz(func(t *testing.T, offset int64, method, path string, body []byte, field uint8, at uint16, mask uint8) {
		r := Request{
			MerchantID:    "m_demo",
			Timestamp:     strconv.FormatInt(testNow.Unix()+offset%301, 10),
			Method:        method,
			PathWithQuery: path,
			Body:          body,
		}
		r.Signature = Sign("secret1", r.Timestamp, r.Method, r.PathWithQuery, r.Body)
		v := newVerifier()
		_, err := v.Verify(context.Background(), r)
		if wellFormed(r) && err != nil {
			t.Fatalf("a correctly signed request was refused: %v", err)
		}
		if mask == 0 {
			mask = 1
		}
		fields := []*string{&r.Signature, nil, &r.PathWithQuery, &r.Method, &r.Timestamp}
		which := int(field) % len(fields)
		var b []byte
		if which == 1 {
			b = append([]byte(nil), r.Body...)
		} else {
			b = []byte(*fields[which])
		}
		if len(b) == 0 {
			return
		}
		i := int(at) % len(b)
		b[i] ^= mask
		if which == 1 {
			r.Body = b
		} else {
			*fields[which] = string(b)
		}
		if _, err := v.Verify(context.Background(), r); err == nil {
			t.Fatalf("tampered request accepted (field %d, byte %d, mask %#x): %+v", which, i, mask, r)
		}
	})
}
