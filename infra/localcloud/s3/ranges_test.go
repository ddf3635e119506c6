package s3

import (
	"errors"
	"testing"
)

func TestParseRange(t *testing.T) {
	t.Parallel()
	cases := []struct {
		header string
		size   int64
		want   byteRange
		ok     bool
		unsat  bool
	}{
		{"", 10, byteRange{}, false, false},
		{"bytes=0-0", 10, byteRange{0, 0}, true, false},
		{"bytes=2-5", 10, byteRange{2, 5}, true, false},
		{"bytes=2-", 10, byteRange{2, 9}, true, false},
		{"bytes=2-100", 10, byteRange{2, 9}, true, false},
		{"bytes=-4", 10, byteRange{6, 9}, true, false},
		{"bytes=-100", 10, byteRange{0, 9}, true, false},
		{"bytes=10-", 10, byteRange{}, false, true},
		{"bytes=-0", 10, byteRange{}, false, true},
		{"bytes=0-", 0, byteRange{}, false, true},
		{"bytes=-5", 0, byteRange{}, false, true},
		{"bytes=5-2", 10, byteRange{}, false, false},     // invalid: ignored
		{"bytes=0-1,3-4", 10, byteRange{}, false, false}, // multiple: ignored
		{"items=0-1", 10, byteRange{}, false, false},
		{"bytes=a-b", 10, byteRange{}, false, false},
		{"bytes=+1-2", 10, byteRange{}, false, false},
	}
	for _, tc := range cases {
		got, ok, err := parseRange(tc.header, tc.size)
		var e *Error
		unsat := errors.As(err, &e) && e.Code == "InvalidRange"
		if got != tc.want || ok != tc.ok || unsat != tc.unsat {
			t.Errorf("parseRange(%q, %d) = %v %v %v; want %v %v unsatisfiable=%v", tc.header, tc.size, got, ok, err, tc.want, tc.ok, tc.unsat)
		}
	}
}

// FuzzParseRange: a satisfiable range always lies inside the object.
func FuzzParseRange(f *testing.F) {
	f.Add("bytes=0-5", int64(10))
	f.Add("bytes=-3", int64(2))
	f.Add("bytes=99999999999999999999-", int64(5))
	f.Fuzz(func(t *testing.T, header string, size int64) {
		if size < 0 {
			return // object sizes are never negative
		}
		r, ok, err := parseRange(header, size)
		if ok && err != nil {
			t.Fatalf("ok with error %v", err)
		}
		if ok && (r.start < 0 || r.end >= size || r.start > r.end) {
			t.Fatalf("parseRange(%q, %d) = %v outside the object", header, size, r)
		}
	})
}
