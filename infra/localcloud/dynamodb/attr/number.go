package attr

import (
	"math/big"
	"strings"
)

// DynamoDB number limits, from
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number
const (
	maxDigits   = 38
	maxExponent = 125  // largest magnitude is 9.99...E+125
	minExponent = -130 // smallest non-zero magnitude is 1E-130
)

// DynamoDB's messages for numbers it refuses.
const (
	msgNotNumeric    = "The parameter cannot be converted to a numeric value"
	msgTooManyDigits = "Attempting to store more than 38 significant digits in a Number"
	msgOverflow      = "Number overflow. Attempting to store a number with magnitude larger than supported range"
	msgUnderflow     = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
)

// Decimal is an exact decimal number: coef × 10^exp with a sign.
//
// The canonical form has no leading or trailing zeros in coef, so two equal
// numbers have identical fields; zero is the zero Decimal. This is what
// makes canonical strings (and so map keys) unique per value.
type Decimal struct {
	neg  bool
	coef string // significant digits; "" for zero
	exp  int
}

// ParseDecimal parses a DynamoDB number ("-12.5", "1E+3", ".5", "+3") and
// checks it against DynamoDB's precision and range limits.
func ParseDecimal(s string) (Decimal, error) {
	d, err := parseDecimal(s)
	if err != nil {
		return Decimal{}, err
	}
	if err := d.checkRange(); err != nil {
		return Decimal{}, err
	}
	return d, nil
}

// parseDecimal parses without checking the limits. Exponents are clamped to
// a range far outside DynamoDB's so that absurd inputs ("1E999999999999")
// fail the range check instead of overflowing an int.
func parseDecimal(s string) (Decimal, error) {
	bad := func() (Decimal, error) {
		if s == "" {
			return Decimal{}, validation(msgNotNumeric)
		}
		return Decimal{}, validation(msgNotNumeric + ": " + s)
	}
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var digits []byte
	var stack [48]byte
	digits = stack[:0]
	sawDigit, sawPoint := false, false
	fracDigits := 0
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			sawDigit = true
			if c == '0' && len(digits) == 0 {
				// A leading zero is not significant, but it still shifts
				// the point when it is after it.
				if sawPoint {
					fracDigits++
				}
				continue
			}
			digits = append(digits, c)
			if sawPoint {
				fracDigits++
			}
		case c == '.' && !sawPoint:
			sawPoint = true
		default:
			goto exponent
		}
	}
exponent:
	if !sawDigit {
		return bad()
	}
	exp := 0
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return bad()
		}
		i++
		expNeg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			expNeg = s[i] == '-'
			i++
		}
		if i == len(s) {
			return bad()
		}
		for ; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return bad()
			}
			if exp < 1_000_000_000 {
				exp = exp*10 + int(c-'0')
			}
		}
		if expNeg {
			exp = -exp
		}
	}
	exp -= fracDigits
	// Trailing zeros move into the exponent.
	n := len(digits)
	for n > 0 && digits[n-1] == '0' {
		n--
		exp++
	}
	if n == 0 {
		return Decimal{}, nil
	}
	return Decimal{neg: neg, coef: string(digits[:n]), exp: exp}, nil
}

// checkRange reports the DynamoDB error for a number outside its limits.
func (d Decimal) checkRange() error {
	if d.coef == "" {
		return nil
	}
	if len(d.coef) > maxDigits {
		return validation(msgTooManyDigits)
	}
	adjusted := len(d.coef) - 1 + d.exp
	if adjusted > maxExponent {
		return validation(msgOverflow)
	}
	if adjusted < minExponent {
		return validation(msgUnderflow)
	}
	return nil
}

// IsZero reports whether d is zero.
func (d Decimal) IsZero() bool { return d.coef == "" }

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int {
	switch {
	case d.coef == "":
		return 0
	case d.neg:
		return -1
	}
	return 1
}

// Neg returns -d.
func (d Decimal) Neg() Decimal {
	if d.coef != "" {
		d.neg = !d.neg
	}
	return d
}

// String returns the canonical text DynamoDB returns for a number: plain
// notation without exponent, no leading or trailing zeros, "0" for zero
// (so "1.50" → "1.5", "01" → "1", "-0" → "0", "1.5E2" → "150").
func (d Decimal) String() string {
	if d.coef == "" {
		return "0"
	}
	var b strings.Builder
	size := len(d.coef) + 3
	if d.exp > 0 {
		size += d.exp
	} else {
		size -= d.exp
	}
	b.Grow(size)
	if d.neg {
		b.WriteByte('-')
	}
	switch point := len(d.coef) + d.exp; {
	case d.exp >= 0:
		b.WriteString(d.coef)
		for range d.exp {
			b.WriteByte('0')
		}
	case point > 0:
		b.WriteString(d.coef[:point])
		b.WriteByte('.')
		b.WriteString(d.coef[point:])
	default:
		b.WriteString("0.")
		for range -point {
			b.WriteByte('0')
		}
		b.WriteString(d.coef)
	}
	return b.String()
}

// Cmp compares d and e: -1, 0 or +1.
func (d Decimal) Cmp(e Decimal) int {
	ds, es := d.Sign(), e.Sign()
	if ds != es {
		if ds < es {
			return -1
		}
		return 1
	}
	if ds == 0 {
		return 0
	}
	c := cmpMagnitude(d, e)
	if ds < 0 {
		return -c
	}
	return c
}

// cmpMagnitude compares |d| and |e| for non-zero d and e. With equal
// adjusted exponents the coefficients are aligned at their first digit, and
// since neither has trailing zeros a plain string comparison orders them.
func cmpMagnitude(d, e Decimal) int {
	da, ea := len(d.coef)+d.exp, len(e.coef)+e.exp
	switch {
	case da < ea:
		return -1
	case da > ea:
		return 1
	}
	return strings.Compare(d.coef, e.coef)
}

// Add returns the exact sum d+e. It does not check DynamoDB's limits: use
// NumberFromDecimal (or Value arithmetic) to store the result.
func (d Decimal) Add(e Decimal) Decimal {
	if d.coef == "" {
		return e
	}
	if e.coef == "" {
		return d
	}
	exp := min(d.exp, e.exp)
	if x, ok := d.small(exp); ok {
		if y, ok := e.small(exp); ok {
			return fromInt64(x+y, exp)
		}
	}
	var x, y big.Int
	d.bigAt(exp, &x)
	e.bigAt(exp, &y)
	x.Add(&x, &y)
	return fromBig(&x, exp)
}

// Sub returns the exact difference d-e (see Add about limits).
func (d Decimal) Sub(e Decimal) Decimal { return d.Add(e.Neg()) }

// small returns the coefficient scaled to exponent exp as an int64 when it
// fits comfortably (so that a sum of two cannot overflow).
func (d Decimal) small(exp int) (int64, bool) {
	shift := d.exp - exp
	if len(d.coef)+shift > 17 {
		return 0, false
	}
	var v int64
	for i := 0; i < len(d.coef); i++ {
		v = v*10 + int64(d.coef[i]-'0')
	}
	for range shift {
		v *= 10
	}
	if d.neg {
		v = -v
	}
	return v, true
}

// bigAt sets z to the coefficient scaled to exponent exp.
func (d Decimal) bigAt(exp int, z *big.Int) {
	z.SetString(d.coef, 10)
	if shift := d.exp - exp; shift > 0 {
		var p big.Int
		p.Exp(big.NewInt(10), big.NewInt(int64(shift)), nil)
		z.Mul(z, &p)
	}
	if d.neg {
		z.Neg(z)
	}
}

func fromInt64(v int64, exp int) Decimal {
	if v == 0 {
		return Decimal{}
	}
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-v)
	}
	for u%10 == 0 {
		u /= 10
		exp++
	}
	var buf [20]byte
	i := len(buf)
	for u > 0 {
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
	}
	return Decimal{neg: neg, coef: string(buf[i:]), exp: exp}
}

func fromBig(z *big.Int, exp int) Decimal {
	if z.Sign() == 0 {
		return Decimal{}
	}
	s := z.String()
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	n := len(s)
	for s[n-1] == '0' {
		n--
		exp++
	}
	return Decimal{neg: neg, coef: s[:n], exp: exp}
}

// canonicalNumber validates a DynamoDB number and returns its canonical
// text. Plain integers and decimals already in canonical form, by far the
// most common input, are returned as they are without allocating.
func canonicalNumber(s string) (string, error) {
	if isCanonical(s) {
		return s, nil
	}
	d, err := ParseDecimal(s)
	if err != nil {
		return "", err
	}
	return d.String(), nil
}

// isCanonical reports whether s is already the canonical text of a number
// within DynamoDB's limits: optional '-', an integer part without leading
// zeros, an optional fraction without trailing zeros, at most 38 digits.
func isCanonical(s string) bool {
	i := 0
	if len(s) > 0 && s[0] == '-' {
		i = 1
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	intLen := i - start
	if intLen == 0 || (intLen > 1 && s[start] == '0') {
		return false
	}
	digits := intLen
	if i < len(s) {
		if s[i] != '.' {
			return false
		}
		i++
		fracStart := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i != len(s) || i == fracStart || s[i-1] == '0' {
			return false
		}
		digits += i - fracStart
	} else if intLen == 1 && s[start] == '0' && start == 1 {
		return false // "-0"
	}
	// Counting every digit (not only significant ones) keeps this check
	// simple; longer inputs take the exact path.
	return digits <= maxDigits
}

// compareCanonical orders two canonical number texts without parsing them.
// With the same sign and the same number of integer digits, canonical texts
// compare like strings: digits are aligned and '.' sorts below every digit.
func compareCanonical(a, b string) int {
	sa, sb := canonicalSign(a), canonicalSign(b)
	if sa != sb {
		if sa < sb {
			return -1
		}
		return 1
	}
	if sa == 0 {
		return 0
	}
	if sa < 0 {
		a, b = a[1:], b[1:]
	}
	c := 0
	la, lb := intDigits(a), intDigits(b)
	switch {
	case la < lb:
		c = -1
	case la > lb:
		c = 1
	default:
		c = strings.Compare(a, b)
	}
	if sa < 0 {
		return -c
	}
	return c
}

func canonicalSign(s string) int {
	switch {
	case s == "0":
		return 0
	case strings.HasPrefix(s, "-"):
		return -1
	}
	return 1
}

func intDigits(s string) int {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return i
	}
	return len(s)
}

// Decimal returns the number of an N value.
func (v Value) Decimal() (Decimal, error) {
	if v.kind != KindN {
		return Decimal{}, validation("not a number: " + v.kind.String())
	}
	return parseDecimal(v.s)
}
