package logging

import "strings"

// MaskString returns s with card numbers and e-mail addresses masked (see
// the package documentation). Most strings hold neither, and one pass over
// the bytes proves it without allocating.
func MaskString(s string) string {
	if !mayHoldCardOrEmail(s) {
		return s
	}
	return maskEmails(maskCards(s))
}

// The shortest card number (13 digits) and the longest (19), and what a
// masked one looks like: a fixed number of stars, so the length does not
// tell the brand.
const (
	minCardDigits = 13
	maxCardDigits = 19
	cardStars     = "************"
)

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isCardSeparator(c byte) bool { return c == ' ' || c == '-' }

// mayHoldCardOrEmail reports whether s has an '@' or a run of at least 13
// digits with single spaces or dashes between them.
func mayHoldCardOrEmail(s string) bool {
	digits, afterSep := 0, false
	for i := range len(s) {
		c := s[i]
		switch {
		case isDigit(c):
			digits++
			afterSep = false
			if digits >= minCardDigits {
				return true
			}
		case isCardSeparator(c) && digits > 0 && !afterSep:
			afterSep = true
		case c == '@':
			return true
		default:
			digits, afterSep = 0, false
		}
	}
	return false
}

// maskCards masks every Luhn-valid number of 13 to 19 digits in s. A run of
// digits (single spaces or dashes allowed between them) that is itself a card
// number becomes "************" + its last 4 digits. A longer run, or one
// that is not valid as a whole, may still hold a card number glued to other
// digits ("order 12 4111 1111 1111 1111"): every 13-to-19-digit stretch of it
// that passes Luhn has its digits but the last 4 replaced by '*', in place.
// That masks some innocent long numbers too; in logs, that is the right way
// to be wrong.
func maskCards(s string) string {
	var b strings.Builder
	copied := 0 // s[:copied] is in b
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		end, pos := digitRun(s, i)
		if len(pos) >= minCardDigits {
			if masked, ok := maskRun(s[i:end], pos, i); ok {
				if b.Len() == 0 {
					b.Grow(len(s))
				}
				b.WriteString(s[copied:i])
				b.WriteString(masked)
				copied = end
			}
		}
		i = end
	}
	if copied == 0 {
		return s
	}
	b.WriteString(s[copied:])
	return b.String()
}

// digitRun returns the end of the run of digits starting at s[i] and the
// positions of its digits in s.
func digitRun(s string, i int) (int, []int) {
	var pos []int
	j := i
	for j < len(s) {
		switch {
		case isDigit(s[j]):
			pos = append(pos, j)
			j++
		case isCardSeparator(s[j]) && j+1 < len(s) && isDigit(s[j+1]):
			j++
		default:
			return j, pos
		}
	}
	return j, pos
}

// maskRun masks the card numbers in run, a digit run starting at offset in
// the string whose digit positions are pos. It reports whether it masked
// anything.
func maskRun(run string, pos []int, offset int) (string, bool) {
	digits := make([]byte, len(pos))
	for k, p := range pos {
		digits[k] = run[p-offset] - '0'
	}
	if len(digits) <= maxCardDigits && luhnValid(digits) {
		last4 := make([]byte, 4)
		for k := range last4 {
			last4[k] = '0' + digits[len(digits)-4+k]
		}
		return cardStars + string(last4), true
	}
	hide := make([]bool, len(digits))
	found := false
	// For every end, walk back over at most 19 digits, summing as Luhn
	// does from that end; a stretch of 13 to 19 digits whose sum ends in 0
	// is a card number.
	for end := minCardDigits; end <= len(digits); end++ {
		sum := 0
		for n := 1; n <= maxCardDigits && end-n >= 0; n++ {
			d := int(digits[end-n])
			if n%2 == 0 {
				d *= 2
				if d > 9 {
					d -= 9
				}
			}
			sum += d
			if n >= minCardDigits && sum%10 == 0 {
				for k := end - n; k < end-4; k++ {
					hide[k] = true
				}
				found = true
			}
		}
	}
	if !found {
		return "", false
	}
	out := []byte(run)
	for k, p := range pos {
		if hide[k] {
			out[p-offset] = '*'
		}
	}
	return string(out), true
}

// luhnValid checks the Luhn sum of digits (values 0-9, check digit last).
func luhnValid(digits []byte) bool {
	sum := 0
	for n := 1; n <= len(digits); n++ {
		d := int(digits[len(digits)-n])
		if n%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func isAlnum(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func isLocalPartChar(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func isDomainChar(c byte) bool { return isAlnum(c) || c == '.' || c == '-' }

// maskEmails replaces each address local@domain by its first character,
// "***@" and the domain. An address needs a non-empty local part and a
// domain with a dot and a top-level label of at least two letters, which
// keeps "@here" and "module@v1.2.3" as they are.
func maskEmails(s string) string {
	var b strings.Builder
	copied := 0
	for at := 0; at < len(s); at++ {
		if s[at] != '@' {
			continue
		}
		start := at
		for start > copied && isLocalPartChar(s[start-1]) {
			start--
		}
		end := at + 1
		for end < len(s) && isDomainChar(s[end]) {
			end++
		}
		// A sentence may end right after the address.
		for end > at+1 && (s[end-1] == '.' || s[end-1] == '-') {
			end--
		}
		if start == at || !plausibleDomain(s[at+1:end]) {
			continue
		}
		b.WriteString(s[copied:start])
		b.WriteByte(s[start])
		b.WriteString("***@")
		b.WriteString(s[at+1 : end])
		copied = end
		at = end - 1
	}
	if copied == 0 {
		return s
	}
	b.WriteString(s[copied:])
	return b.String()
}

func plausibleDomain(d string) bool {
	dot := strings.LastIndexByte(d, '.')
	if dot <= 0 || strings.HasPrefix(d, ".") || strings.Contains(d, "..") {
		return false
	}
	tld := d[dot+1:]
	if len(tld) < 2 {
		return false
	}
	for i := range len(tld) {
		if c := tld[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
