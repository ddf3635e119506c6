package dynamodb

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

func mustN(t testing.TB, s string) attr.Value {
	t.Helper()
	v, err := attr.N(s)
	if err != nil {
		t.Fatalf("N(%q): %v", s, err)
	}
	return v
}

func encode(t testing.TB, v attr.Value) []byte {
	t.Helper()
	b, err := appendKeyValue(nil, v)
	if err != nil {
		t.Fatalf("encode %v: %v", v, err)
	}
	return b
}

func sign(c int) int {
	switch {
	case c < 0:
		return -1
	case c > 0:
		return 1
	}
	return 0
}

// checkOrder asserts the encoding orders a and b as attr.Compare does and
// that distinct values have encodings that are not prefixes of each other.
func checkOrder(t testing.TB, a, b attr.Value) {
	t.Helper()
	want, err := attr.Compare(a, b)
	if err != nil {
		t.Fatalf("Compare: %v", err)
	}
	ea, eb := encode(t, a), encode(t, b)
	if got := bytes.Compare(ea, eb); sign(got) != sign(want) {
		t.Fatalf("order of %v and %v: encoding says %d, Compare says %d", a, b, got, want)
	}
	if want != 0 && (bytes.HasPrefix(ea, eb) || bytes.HasPrefix(eb, ea)) {
		t.Fatalf("encodings of %v and %v are prefixes of each other", a, b)
	}
}

func randomNumber(r *rand.Rand) string {
	var sb strings.Builder
	if r.IntN(3) == 0 {
		sb.WriteByte('-')
	}
	digits := 1 + r.IntN(20)
	for i := 0; i < digits; i++ {
		sb.WriteByte(byte('0' + r.IntN(10)))
	}
	if r.IntN(2) == 0 {
		sb.WriteByte('.')
		for i := 0; i < 1+r.IntN(10); i++ {
			sb.WriteByte(byte('0' + r.IntN(10)))
		}
	}
	if r.IntN(3) == 0 {
		fmt.Fprintf(&sb, "E%d", r.IntN(60)-30)
	}
	return sb.String()
}

func TestNumberKeyOrderProperty(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	fixed := []string{"0", "-0", "1", "1.0", "1E0", "10", "9.99", "-1", "-1.5", "-10", "0.001", "-0.001", "1E-130", "-1E-130", "9.9999999999999999999999999999999999999E+125", "-9.9999999999999999999999999999999999999E+125", "123456789012345678901234567890", "0.12", "0.123", "-0.12", "-0.123"}
	var vals []attr.Value
	for _, s := range fixed {
		vals = append(vals, mustN(t, s))
	}
	for i := 0; i < 300; i++ {
		if v, err := attr.N(randomNumber(r)); err == nil {
			vals = append(vals, v)
		}
	}
	for _, a := range vals {
		for _, b := range vals {
			checkOrder(t, a, b)
		}
	}
}

func TestStringAndBinaryKeyOrderProperty(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte{0, 1, 'a', 'b', 0xfe, 0xff}
	var strs, bins []attr.Value
	for i := 0; i < 150; i++ {
		b := make([]byte, r.IntN(5))
		for j := range b {
			b[j] = alphabet[r.IntN(len(alphabet))]
		}
		bins = append(bins, attr.B(b))
		strs = append(strs, attr.S(strings.ToValidUTF8(string(b), "x")))
	}
	strs = append(strs, attr.S("é"), attr.S("z"), attr.S("\u00e9\u0000"))
	for _, set := range [][]attr.Value{strs, bins} {
		for _, a := range set {
			for _, b := range set {
				checkOrder(t, a, b)
			}
		}
	}
}

func FuzzNumberKeyOrder(f *testing.F) {
	f.Add("1", "1.0")
	f.Add("-0.5", "0")
	f.Add("1E-130", "2E-130")
	f.Add("12345678901234567890123456789012345678", "1.2E37")
	f.Fuzz(func(t *testing.T, a, b string) {
		va, err := attr.N(a)
		if err != nil {
			return
		}
		vb, err := attr.N(b)
		if err != nil {
			return
		}
		checkOrder(t, va, vb)
	})
}

func TestPrefixEnd(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"a", "b"},
		{"a\xff", "b"},
		{"\xff\xff", ""},
		{"ab\x00", "ab\x01"},
	}
	for _, tc := range tests {
		if got := prefixEnd(tc.in); got != tc.want {
			t.Errorf("prefixEnd(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSegmentBoundsPartitionTheHashSpace(t *testing.T) {
	t.Parallel()
	for _, total := range []int64{1, 2, 3, 7, 1000} {
		prev := ""
		for i := int64(1); i < total; i++ {
			b := segmentBound(i, total)
			if len(b) != 8 || b <= prev {
				t.Fatalf("total %d: bound %d = %x not increasing after %x", total, i, b, prev)
			}
			prev = b
		}
		if segmentBound(0, total) != "" {
			t.Errorf("segment 0 must start at the beginning")
		}
	}
}

func TestSequenceNumberFormat(t *testing.T) {
	t.Parallel()
	prev := ""
	for _, n := range []uint64{1, 2, 9, 10, 99, 12345, 1 << 40} {
		s := formatSeq(n)
		if len(s) != 21 || s <= prev {
			t.Errorf("formatSeq(%d) = %q", n, s)
		}
		if back, ok := parseSeq(s); !ok || back != n {
			t.Errorf("parseSeq(%q) = %d %v", s, back, ok)
		}
		prev = s
	}
	for _, bad := range []string{"", "12", "x00000000000000000001", "000000000000000000001"} {
		if _, ok := parseSeq(bad); ok {
			t.Errorf("parseSeq(%q) accepted", bad)
		}
	}
}
