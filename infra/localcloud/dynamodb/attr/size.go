package attr

// ItemSize returns the size of an item as DynamoDB counts it for the 400 KB
// limit and capacity units: the UTF-8 length of every attribute name plus
// the size of its value, per
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
func ItemSize(it Item) int {
	n := 0
	for name, v := range it {
		n += len(name) + ValueSize(v)
	}
	return n
}

// ValueSize returns the size of one value without its attribute name:
// strings and binaries by their byte length, numbers about one byte per two
// significant digits plus one, BOOL and NULL one byte, sets the sum of their
// members, maps and lists 3 bytes plus one byte per element plus the
// elements (map keys included).
func ValueSize(v Value) int {
	switch v.kind {
	case KindS, KindB:
		return len(v.s)
	case KindN:
		return numberSize(v.s)
	case KindBOOL, KindNULL:
		return 1
	case KindSS, KindBS:
		n := 0
		for _, m := range v.setMembers() {
			n += len(m)
		}
		return n
	case KindNS:
		n := 0
		for _, m := range v.setMembers() {
			n += numberSize(m)
		}
		return n
	case KindM:
		n := 3
		for k, e := range v.mapElems() {
			n += len(k) + ValueSize(e) + 1
		}
		return n
	case KindL:
		n := 3
		for _, e := range v.listElems() {
			n += ValueSize(e) + 1
		}
		return n
	}
	return 0
}

// numberSize counts the significant digits of a canonical number text.
func numberSize(s string) int {
	digits := 0
	leading := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			continue
		}
		if leading && c == '0' {
			continue
		}
		leading = false
		digits++
	}
	// Integers keep their trailing zeros in canonical text ("1000"), but
	// they are not significant.
	if digits > 0 {
		for i := len(s) - 1; i >= 0 && s[i] == '0'; i-- {
			digits--
		}
	}
	return (digits+1)/2 + 1
}
