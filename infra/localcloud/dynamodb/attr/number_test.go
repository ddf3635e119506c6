package attr

import (
	"errors"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// Canonical forms follow what DynamoDB returns for stored numbers: plain
// notation with leading and trailing zeros trimmed (numbers are
// "variable length... leading and trailing zeroes are trimmed",
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number).
func TestParseDecimalCanonical(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"0", "0"},
		{"-0", "0"},
		{"+0", "0"},
		{"0.000", "0"},
		{"0e1000", "0"},
		{"1", "1"},
		{"+3", "3"},
		{"01", "1"},
		{"0001.23", "1.23"},
		{"1.50", "1.5"},
		{"1.0", "1"},
		{"10", "10"},
		{"1000", "1000"},
		{".123", "0.123"},
		{"5.", "5"},
		{"-7.1234", "-7.1234"},
		{"-17e5", "-1700000"},
		{"1e+5", "100000"},
		{"1.5E2", "150"},
		{"1E-3", "0.001"},
		{"-0.05", "-0.05"},
		{"12.3456", "12.3456"},
		{"1E-130", "0." + strings.Repeat("0", 129) + "1"},
		{"9.9999999999999999999999999999999999999E+125", "99999999999999999999999999999999999999" + strings.Repeat("0", 88)},
		{"3.1415926535897932384626433832795028841", "3.1415926535897932384626433832795028841"},
		{"31415926535897932384626433832795028841e30", "31415926535897932384626433832795028841" + strings.Repeat("0", 30)},
		{"1" + strings.Repeat("0", 60), "1" + strings.Repeat("0", 60)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			d, err := ParseDecimal(tt.in)
			if err != nil {
				t.Fatalf("ParseDecimal(%q): %v", tt.in, err)
			}
			if got := d.String(); got != tt.want {
				t.Errorf("ParseDecimal(%q).String() = %q, want %q", tt.in, got, tt.want)
			}
			v, err := N(tt.in)
			if err != nil {
				t.Fatalf("N(%q): %v", tt.in, err)
			}
			if v.NumStr() != tt.want {
				t.Errorf("N(%q).NumStr() = %q, want %q", tt.in, v.NumStr(), tt.want)
			}
		})
	}
}

// The limits and the messages are DynamoDB's (the Alternator test suite,
// verified against DynamoDB, checks the same inputs: test_number.py).
func TestParseDecimalErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", "The parameter cannot be converted to a numeric value"},
		{"dog", "The parameter cannot be converted to a numeric value: dog"},
		{"NaN", "The parameter cannot be converted to a numeric value: NaN"},
		{"Infinity", "The parameter cannot be converted to a numeric value: Infinity"},
		{"-Infinity", "The parameter cannot be converted to a numeric value: -Infinity"},
		{" 1", "The parameter cannot be converted to a numeric value:  1"},
		{"1 ", "The parameter cannot be converted to a numeric value: 1 "},
		{"1e", "The parameter cannot be converted to a numeric value: 1e"},
		{"e5", "The parameter cannot be converted to a numeric value: e5"},
		{".", "The parameter cannot be converted to a numeric value: ."},
		{"1.2.3", "The parameter cannot be converted to a numeric value: 1.2.3"},
		{"0x10", "The parameter cannot be converted to a numeric value: 0x10"},
		{"--1", "The parameter cannot be converted to a numeric value: --1"},
		{"1e+", "The parameter cannot be converted to a numeric value: 1e+"},
		{"3.14159265358979323846264338327950288419", msgTooManyDigits},
		{"314159265358979323846264338327950288419e30", msgTooManyDigits},
		{"1e126", msgOverflow},
		{"11e125", msgOverflow},
		{"-1e126", msgOverflow},
		{"1E999999999999999999999", msgOverflow},
		{"1e-131", msgUnderflow},
		{"0.9e-130", msgUnderflow},
		{"1E-999999999999999999999", msgUnderflow},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			_, err := ParseDecimal(tt.in)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("ParseDecimal(%q) error = %v, want a *ValidationError", tt.in, err)
			}
			if ve.Message != tt.want {
				t.Errorf("ParseDecimal(%q) = %q, want %q", tt.in, ve.Message, tt.want)
			}
		})
	}
}

func TestDecimalCmp(t *testing.T) {
	t.Parallel()
	ordered := []string{"-1e125", "-100", "-10", "-9.99", "-1", "-0.5", "-0.05", "-1e-130", "0", "1e-130", "0.05", "0.5", "0.55", "1", "1.5", "9.99", "10", "10.01", "100", "1e125"}
	for i, a := range ordered {
		for j, b := range ordered {
			da, _ := ParseDecimal(a)
			db, _ := ParseDecimal(b)
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := da.Cmp(db); got != want {
				t.Errorf("Cmp(%s, %s) = %d, want %d", a, b, got, want)
			}
			va, _ := N(a)
			vb, _ := N(b)
			if got, err := Compare(va, vb); err != nil || got != want {
				t.Errorf("Compare(%s, %s) = %d, %v, want %d", a, b, got, err, want)
			}
		}
	}
}

// randomDecimalText generates numbers across the whole DynamoDB range,
// written in varied ways.
func randomDecimalText(r *rand.Rand) string {
	digits := 1 + r.IntN(38)
	var b strings.Builder
	if r.IntN(2) == 0 {
		b.WriteByte('-')
	}
	for i := 0; i < digits; i++ {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	exp := r.IntN(60) - 30
	if r.IntN(10) == 0 {
		exp = r.IntN(240) - 120
	}
	b.WriteString("e" + strconv.Itoa(exp))
	return b.String()
}

func ratOf(t *testing.T, d Decimal) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(d.String())
	if !ok {
		t.Fatalf("big.Rat cannot parse %q", d.String())
	}
	return r
}

// Property tests against math/big as the oracle: arithmetic is exact, Add
// is commutative, a+b-b == a, and Cmp agrees with both big.Rat and the
// ordering of canonical strings used for keys.
func TestDecimalArithmeticProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		a, err := ParseDecimal(randomDecimalText(r))
		if err != nil {
			continue
		}
		b, err := ParseDecimal(randomDecimalText(r))
		if err != nil {
			continue
		}
		sum := a.Add(b)
		if sum.Cmp(b.Add(a)) != 0 {
			t.Fatalf("%s + %s not commutative", a, b)
		}
		if back := sum.Sub(b); back.Cmp(a) != 0 || back.String() != a.String() {
			t.Fatalf("(%s + %s) - %s = %s", a, b, b, back)
		}
		want := new(big.Rat).Add(ratOf(t, a), ratOf(t, b))
		if ratOf(t, sum).Cmp(want) != 0 {
			t.Fatalf("%s + %s = %s, want %s", a, b, sum, want.FloatString(200))
		}
		if got, want := a.Cmp(b), ratOf(t, a).Cmp(ratOf(t, b)); got != want {
			t.Fatalf("Cmp(%s, %s) = %d, big.Rat says %d", a, b, got, want)
		}
		if got := compareCanonical(a.String(), b.String()); got != a.Cmp(b) {
			t.Fatalf("compareCanonical(%s, %s) = %d, Cmp says %d", a, b, got, a.Cmp(b))
		}
		// Equal values written differently share one KeyString.
		if a.IsZero() {
			continue
		}
		alt := a.coef + "e" + strconv.Itoa(a.exp)
		if a.neg {
			alt = "-" + alt
		}
		va, err1 := N(a.String())
		vb, err2 := N(alt)
		if err1 != nil || err2 != nil || va.KeyString() != vb.KeyString() || !Equal(va, vb) {
			t.Fatalf("%s and %s: keys %q %q (%v %v)", a, alt, va.KeyString(), vb.KeyString(), err1, err2)
		}
	}
}

func TestNumAddLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b    string
		sub     bool
		want    string
		wantErr string
	}{
		{a: "1", b: "10000000000000000000000", want: "10000000000000000000001"},
		{a: "10000000000000000000000", b: "1", sub: true, want: "9999999999999999999999"},
		{a: "0.1", b: "0.2", want: "0.3"},
		{a: "5", b: "5", sub: true, want: "0"},
		{a: "-1.5", b: "1.5", want: "0"},
		{a: "99999999999999999", b: "1", want: "100000000000000000"},
		{a: "9e125", b: "9e125", wantErr: msgOverflow},
		{a: "9e125", b: "-9e125", sub: true, wantErr: msgOverflow},
		// DynamoDB reports lost precision as an overflow too (Alternator's
		// test_update_expression_plus_imprecise documents this).
		{a: "1e50", b: "1", wantErr: msgOverflow},
		{a: "1e-130", b: "1e-130", sub: true, want: "0"},
	}
	for _, tt := range tests {
		a, _ := N(tt.a)
		b, _ := N(tt.b)
		op := NumAdd
		if tt.sub {
			op = NumSub
		}
		got, err := op(a, b)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%s op %s: err = %v, want %q", tt.a, tt.b, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got.NumStr() != tt.want {
			t.Errorf("%s op(sub=%v) %s = %q, %v; want %q", tt.a, tt.sub, tt.b, got.NumStr(), err, tt.want)
		}
	}
	if _, err := NumAdd(S("1"), mustN(t, "1")); err == nil {
		t.Error("NumAdd of a string succeeded")
	}
}

func mustN(t testing.TB, s string) Value {
	t.Helper()
	v, err := N(s)
	if err != nil {
		t.Fatalf("N(%q): %v", s, err)
	}
	return v
}

// FuzzParseDecimal checks that the parser never panics, that the canonical
// text is a fixed point, and that the allocation-free fast path agrees with
// the exact parser.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"0", "-0", "1.50", "1e5", ".5", "5.", "+3", "1E-130", "9.9e125", "dog", "1e", "0.0001", "-12.5e-3", "00012"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDecimal(s)
		fast := isCanonical(s)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is not a *ValidationError", err)
			}
			if fast {
				t.Fatalf("isCanonical(%q) but ParseDecimal fails: %v", s, err)
			}
			return
		}
		c := d.String()
		if fast && c != s {
			t.Fatalf("isCanonical(%q) but canonical form is %q", s, c)
		}
		d2, err := ParseDecimal(c)
		if err != nil || d2.String() != c || d2.Cmp(d) != 0 {
			t.Fatalf("canonical %q of %q does not reparse to itself: %v", c, s, err)
		}
		if digits := strings.Count(c, "") - 1 - strings.Count(c, "-") - strings.Count(c, "."); !isCanonical(c) && digits <= maxDigits {
			// Short canonical texts take the fast path next time.
			t.Fatalf("canonical %q not recognised as canonical", c)
		}
	})
}
