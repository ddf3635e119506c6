package dynamostore

import (
	"encoding/base64"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/paylane/paylane/shared/fault"
)

func TestDecodeCursor(t *testing.T) {
	t.Parallel()
	sk := gsi1SK(time.Date(2026, 3, 1, 12, 0, 0, 1, time.UTC), "pay_1")
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name, merchant, cursor string
		wantID                 string // "" = refused
	}{
		{"RoundTrip", "m_1", encodeCursor("m_1", sk), "pay_1"},
		{"IDWithHash", "m_1", encodeCursor("m_1", gsi1SK(time.Unix(0, 0), "pay#2")), "pay#2"},
		{"AnotherMerchant", "m_2", encodeCursor("m_1", sk), ""},
		{"MerchantPrefixOnly", "m_", encodeCursor("m_1", sk), ""},
		{"StdBase64Padding", "m_1", base64.URLEncoding.EncodeToString([]byte("MERCHANT#m_1\x00" + sk)), ""},
		{"Empty", "m_1", "", ""},
		{"NoSeparator", "m_1", enc("MERCHANT#m_1" + sk), ""},
		{"NotUTF8", "m_1", encodeCursor("m_1", gsi1SK(time.Unix(0, 0), "pay_\xff")), ""},
		{"NoID", "m_1", enc("MERCHANT#m_1\x002026-03-01T12:00:00.000000001Z#"), ""},
		{"ShortTime", "m_1", enc("MERCHANT#m_1\x002026-03-01T12:00:00Z#pay_1"), ""},
		{"NonUTCTime", "m_1", enc("MERCHANT#m_1\x002026-03-01T12:00:00.000000001+09:00#pay_1"), ""},
		{"NotATime", "m_1", enc("MERCHANT#m_1\x002026-13-01T12:00:00.000000001Z#pay_1"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gotSK, gotID, err := decodeCursor(tc.merchant, tc.cursor)
			if tc.wantID == "" {
				var fe *fault.Error
				if !asFault(err, &fe) || fe.Code != fault.Invalid || fe.Field != "cursor" {
					t.Fatalf("decodeCursor: got %q, %q, %v; want a cursor fault", gotSK, gotID, err)
				}
				return
			}
			if err != nil || gotID != tc.wantID {
				t.Fatalf("decodeCursor: got %q, %v; want %q", gotID, err, tc.wantID)
			}
		})
	}
}

// Any string either decodes to a key this store could have written for that merchant, or
// is refused with the cursor fault; a key always survives the round trip.
func FuzzDecodeCursor(f *testing.F) {
	f.Add("m_1", encodeCursor("m_1", gsi1SK(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), "pay_1")))
	f.Add("m_1", "")
	f.Add("m_2", base64.RawURLEncoding.EncodeToString([]byte("MERCHANT#m_1\x00x")))
	f.Fuzz(func(t *testing.T, merchant, cursor string) {
		sk, id, err := decodeCursor(merchant, cursor)
		if err != nil {
			if !fault.Is(err, fault.Invalid) {
				t.Fatalf("refusal without the invalid code: %v", err)
			}
			return
		}
		if id == "" || sk[len(sk)-len(id):] != id {
			t.Fatalf("decoded id %q does not end sort key %q", id, sk)
		}
		sk2, id2, err := decodeCursor(merchant, encodeCursor(merchant, sk))
		if err != nil || sk2 != sk || id2 != id {
			t.Fatalf("re-encoded cursor: %q %q %v, want %q %q", sk2, id2, err, sk, id)
		}
	})
}

func FuzzCursorRoundTrip(f *testing.F) {
	f.Add("m_1", int64(0), "pay_1")
	f.Add("", int64(1<<62), "#")
	f.Fuzz(func(t *testing.T, merchant string, nanos int64, id string) {
		if id == "" {
			return
		}
		at := time.Unix(0, nanos).UTC()
		if at.Year() > 9999 || at.Year() < 0 {
			return
		}
		sk := gsi1SK(at, id)
		gotSK, gotID, err := decodeCursor(merchant, encodeCursor(merchant, sk))
		if !utf8.ValidString(id) {
			// DynamoDB holds no such key: refused, never changed into another.
			if err == nil {
				t.Fatalf("a key that is not UTF-8 was accepted: %q -> %q", sk, gotSK)
			}
			return
		}
		if err != nil || gotSK != sk || gotID != id {
			t.Fatalf("round trip of %q: got %q %q %v", sk, gotSK, gotID, err)
		}
	})
}
