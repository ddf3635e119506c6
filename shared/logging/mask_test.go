package logging

import (
	"strings"
	"testing"
)

func TestMaskString(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"no digits here", "no digits here"},
		{"4111111111111111", "************1111"},
		{"x4111111111111111x", "x************1111x"},
		{"4111 1111 1111 1111 and 5555-5555-5555-4444", "************1111 and ************4444"},
		{"4111  1111 1111 1111", "4111  1111 1111 1111"}, // double space: two short runs
		{"4111111111111113", "4111111111111113"},         // Luhn fails, and so does every 13-to-15-digit stretch
		{"4222222222223", "4222222222223"},               // 13 digits, Luhn fails
		{"4111111111111112", "411*********1112"},         // Luhn fails, but its last 13 digits pass: masked anyway
		{"411111111111", "411111111111"},                 // 12 digits: too short
		{"4111111111111111-", "************1111-"},
		{"-4111111111111111", "-************1111"},
		{"12 4111111111111111", "** ************1111"}, // the 18-digit run is valid as a whole
		{"qty 2 4111 1111 1111 1111 12/25", "qty 2 **** **** **** **11 12/25"},
		{"a@b.co", "a***@b.co"},
		{"x: first.last@sub.example.com, y", "x: f***@sub.example.com, y"},
		{"@example.com", "@example.com"},
		{"a@.com", "a@.com"},
		{"a@b..com", "a@b..com"},
		{"a@b.c0m", "a@b.c0m"},
		{"one a@b.io two c@d.io", "one a***@b.io two c***@d.io"},
	}
	for _, tt := range tests {
		if got := MaskString(tt.in); got != tt.want {
			t.Errorf("MaskString(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskStringGluedCardHidesAllButLastFour(t *testing.T) {
	t.Parallel()
	// 9 + a card + 77: the 19-digit run fails Luhn as a whole, the card
	// inside passes; its first 12 digits must go.
	in := "9" + "4111111111111111" + "77"
	if luhnValid(digitsOf(in)) {
		t.Fatal("test input should fail Luhn as a whole")
	}
	got := MaskString(in)
	if strings.Contains(got, "411111111111") {
		t.Errorf("MaskString(%q) = %q: the card shows", in, got)
	}
	if len(got) != len(in) {
		t.Errorf("in-place masking changed the length: %q", got)
	}
}

func TestLuhn(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"4111111111111111", "5555555555554444", "378282246310005", "4222222222222", "79927398713", "0"} {
		if !luhnValid(digitsOf(s)) {
			t.Errorf("%s should pass Luhn", s)
		}
	}
	for _, s := range []string{"4111111111111112", "79927398710", "1"} {
		if luhnValid(digitsOf(s)) {
			t.Errorf("%s should fail Luhn", s)
		}
	}
}

// Not parallel: AllocsPerRun refuses to run beside other tests.
func TestMaskStringLeavesCleanStringsAlone(t *testing.T) {
	s := "payment pay_01J9Z3 of merchant m_demo: 50000 KRW, order 2024-06-01/123456789012"
	if allocs := testing.AllocsPerRun(100, func() { _ = MaskString(s) }); allocs != 0 {
		t.Errorf("MaskString allocates %.0f times on a clean string", allocs)
	}
	if MaskString(s) != s {
		t.Errorf("clean string changed")
	}
}

func digitsOf(s string) []byte {
	var d []byte
	for i := range len(s) {
		if isDigit(s[i]) {
			d = append(d, s[i]-'0')
		}
	}
	return d
}

func TestClassifyKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key  string
		want keyClass
	}{
		{"secret", secretKey}, {"SECRET", secretKey}, {"x-signature", secretKey}, {"X_SIGNATURE", secretKey},
		{"authorization", secretKey}, {"Proxy-Authorization", secretKey}, {"password", secretKey},
		{"token", secretKey}, {"idToken", secretKey}, {"apikey", secretKey}, {"API-KEY", secretKey},
		{"credential", secretKey}, {"credentials", secretKey},
		{strings.Repeat("x", 100) + "Secret", secretKey}, // beyond the stack buffer
		{"paymentMethod", paymentMethodKey}, {"payment_method", paymentMethodKey}, {"PAYMENT-METHOD", paymentMethodKey},
		{"paymentMethodId", plainKey}, {"authorizationId", plainKey}, {"key", plainKey}, {"", plainKey},
		{"amount", plainKey}, {"msg", plainKey}, {"level", plainKey},
	}
	for _, tt := range tests {
		if got := classifyKey(tt.key); got != tt.want {
			t.Errorf("classifyKey(%q) = %d, want %d", tt.key, got, tt.want)
		}
	}
}
