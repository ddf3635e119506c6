package sqs

import (
	"strings"
	"testing"
)

func TestValidNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"0", true},
		{"-0.0", true},
		{"42", true},
		{"+42", true},
		{"-3.25", true},
		{".5", true},
		{"5.", true},
		{"1e10", true},
		{"1.5E-7", true},
		{"4563442423554324324264524243.32543234", true},
		{strings.Repeat("9", 38), true},
		{strings.Repeat("9", 39), false},          // 39 significant digits
		{"1" + strings.Repeat("0", 50), true},     // trailing zeros are not significant
		{"0.000" + strings.Repeat("1", 38), true}, // leading zeros are not significant
		{"1e125", true},                           // below 10^126
		{"1e126", false},                          // not below 10^126
		{"9.99e125", true},
		{"1e-128", true},
		{"1e-129", false},
		{"0e999", true}, // zero has no magnitude
		{"", false},
		{"abc", false},
		{"1.2.3", false},
		{"--1", false},
		{"1e", false},
		{"e5", false},
		{".", false},
		{" 1", false},
		{"0x10", false},
		{"1e99999999999999999999", false},
	}
	for _, tt := range tests {
		if got := validNumber(tt.in); got != tt.want {
			t.Errorf("validNumber(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// FuzzValidNumber: never panics, and whatever it accepts has a sign only
// at the front and digits somewhere.
func FuzzValidNumber(f *testing.F) {
	for _, s := range []string{"1", "-1.5e3", "1e-128", ".5", "abc", "9999999999999999999999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !validNumber(s) {
			return
		}
		if !strings.ContainsAny(s, "0123456789") {
			t.Fatalf("accepted %q without digits", s)
		}
		if strings.ContainsAny(s[1:], "+-") && !strings.ContainsAny(s, "eE") {
			t.Fatalf("accepted %q with a sign inside the mantissa", s)
		}
	})
}

func TestValidMessageChars(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"plain text", true},
		{"tab\tnewline\ncr\r", true},
		{"unicode ✓ 𝄞 \uE000 \uFFFD", true},
		{"nul \x00", false},
		{"bell \x07", false},
		{"\uFFFE", false},
		{"invalid utf8 \xff", false},
	}
	for _, tt := range tests {
		if _, got := validMessageChars(tt.in); got != tt.want {
			t.Errorf("validMessageChars(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestValidAttributeName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"orderId", true},
		{"a.b-c_d", true},
		{strings.Repeat("a", 256), true},
		{strings.Repeat("a", 257), false},
		{"", false},
		{"AWS.x", false},
		{"amazon.x", false},
		{".a", false},
		{"a.", false},
		{"a..b", false},
		{"a b", false},
	}
	for _, tt := range tests {
		if got := validAttributeName(tt.in); got != tt.want {
			t.Errorf("validAttributeName(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
