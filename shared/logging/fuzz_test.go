package logging_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/paylane/paylane/shared/logging"
)

// cardNumber makes a Luhn-valid number of 13 to 19 digits from seed.
func cardNumber(seed []byte, length uint8) string {
	n := 13 + int(length%7)
	digits := make([]byte, n)
	for i := range n - 1 {
		var b byte
		if i < len(seed) {
			b = seed[i]
		}
		digits[i] = b % 10
	}
	sum := 0
	for k := 1; k < n; k++ { // k-th digit from the right, the check digit being 0th
		d := int(digits[n-1-k])
		if k%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	digits[n-1] = byte((10 - sum%10) % 10)
	for i := range digits {
		digits[i] += '0'
	}
	return string(digits)
}

// format groups the digits by 4 with sep ("" for none).
func format(card, sep string) string {
	var b strings.Builder
	for i := range len(card) {
		if i > 0 && i%4 == 0 {
			b.WriteString(sep)
		}
		b.WriteByte(card[i])
	}
	return b.String()
}

// FuzzCardNeverLogged: a Luhn-valid card number, plain or grouped with
// spaces or dashes, embedded anywhere in a string, never reaches the output
// whether it is in the message, an attribute, a group or a nested value.
func FuzzCardNeverLogged(f *testing.F) {
	f.Add("paid with ", " today", []byte{4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, uint8(3), uint8(0))
	f.Add("12", "34", []byte("5555555555554444"), uint8(0), uint8(1))
	f.Add("ref 9-", "-7 x", []byte{3, 7, 8, 2, 8, 2, 2, 4, 6, 3, 1, 0, 0}, uint8(2), uint8(2))
	f.Add("", "", []byte{}, uint8(6), uint8(0))
	f.Add("\x01\"<", "@x.com", []byte{9, 9, 9}, uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, prefix, suffix string, seed []byte, length, style uint8) {
		card := cardNumber(seed, length)
		embedded := format(card, [...]string{"", " ", "-"}[style%3])
		s := prefix + embedded + suffix
		var buf bytes.Buffer
		l := logging.New(&buf)
		l.Info(s, "note", s, slog.Group("g", slog.String("v", s)), "nested", map[string]any{"list": []string{s}})
		out := buf.String()
		for _, leak := range []string{card, embedded} {
			if strings.Contains(out, leak) {
				t.Fatalf("card %s shows in\n%s", leak, out)
			}
		}
	})
}
