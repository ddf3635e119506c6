package attr

import "strings"

// Equal reports whether a and b are equal as DynamoDB compares them: same
// type, numbers by value, sets regardless of order, maps and lists deeply.
func Equal(a, b Value) bool {
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case KindS, KindN, KindB:
		// Numbers are held in canonical form, so equal values have equal text.
		return a.s == b.s
	case KindBOOL:
		return a.b == b.b
	case KindNULL, KindInvalid:
		return true
	case KindM:
		am, bm := a.mapElems(), b.mapElems()
		if len(am) != len(bm) {
			return false
		}
		for k, av := range am {
			bv, ok := bm[k]
			if !ok || !Equal(av, bv) {
				return false
			}
		}
		return true
	case KindL:
		al, bl := a.listElems(), b.listElems()
		if len(al) != len(bl) {
			return false
		}
		for i := range al {
			if !Equal(al[i], bl[i]) {
				return false
			}
		}
		return true
	case KindSS, KindNS, KindBS:
		return sameMembers(a.setMembers(), b.setMembers())
	}
	return false
}

// sameMembers compares two duplicate-free sets.
func sameMembers(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) <= 8 {
		for _, x := range a {
			if !containsString(b, x) {
				return false
			}
		}
		return true
	}
	seen := make(map[string]struct{}, len(a))
	for _, x := range a {
		seen[x] = struct{}{}
	}
	for _, x := range b {
		if _, ok := seen[x]; !ok {
			return false
		}
	}
	return true
}

func containsString(set []string, x string) bool {
	for _, m := range set {
		if m == x {
			return true
		}
	}
	return false
}

// Compare orders two values of the same scalar key type as DynamoDB sorts
// them: strings by UTF-8 bytes, numbers numerically, binary as unsigned
// bytes. Any other pair of kinds is an error.
func Compare(a, b Value) (int, error) {
	if a.kind != b.kind {
		return 0, validation("cannot compare " + a.kind.String() + " with " + b.kind.String())
	}
	switch a.kind {
	case KindS, KindB:
		return strings.Compare(a.s, b.s), nil
	case KindN:
		return compareCanonical(a.s, b.s), nil
	}
	return 0, validation("values of type " + a.kind.String() + " are not ordered")
}

// KeyString returns a string that identifies an S, N or B value: equal
// values (1, 1.0 and 1E0 included) give the same string and different values
// of the same kind give different strings. Values of different kinds may
// give the same string, so keep one map per key attribute (whose type the
// table schema fixes). It is "" for other kinds and does not allocate.
func (v Value) KeyString() string {
	switch v.kind {
	case KindS, KindN, KindB:
		return v.s
	}
	return ""
}
