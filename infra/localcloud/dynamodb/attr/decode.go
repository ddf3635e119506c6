package attr

import (
	"encoding/base64"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// DecodeItem decodes a DynamoDB JSON item object ({"name": {"S": "x"}, ...}).
// Malformed JSON gives a *SerializationError; a well-formed body with an
// invalid value gives a *ValidationError. JSON null gives a nil Item.
func DecodeItem(data []byte) (Item, error) {
	d := decoder{s: string(data)}
	d.ws()
	if d.literal("null") {
		if err := d.end(); err != nil {
			return nil, err
		}
		return nil, nil
	}
	it, err := d.object(0)
	if err != nil {
		return nil, err
	}
	if err := d.end(); err != nil {
		return nil, err
	}
	if d.invalid != nil {
		return nil, d.invalid
	}
	return it, nil
}

// DecodeValue decodes one DynamoDB JSON attribute value ({"N": "1"}).
func DecodeValue(data []byte) (Value, error) {
	d := decoder{s: string(data)}
	d.ws()
	v, err := d.value(1)
	if err != nil {
		return Value{}, err
	}
	if err := d.end(); err != nil {
		return Value{}, err
	}
	if d.invalid != nil {
		return Value{}, d.invalid
	}
	return v, nil
}

// UnmarshalJSON decodes DynamoDB JSON; see DecodeValue.
func (v *Value) UnmarshalJSON(data []byte) error {
	x, err := DecodeValue(data)
	if err != nil {
		return err
	}
	*v = x
	return nil
}

// decoder scans one JSON text held as a string, so that names and values
// without escapes are substrings of it and cost no allocation of their own.
//
// Like DynamoDB, it reports malformed JSON before invalid values: the first
// validation problem is remembered in invalid and scanning goes on, so a
// later syntax error still wins.
type decoder struct {
	s       string
	i       int
	invalid error
}

func (d *decoder) fail(msg string) error {
	return serialization(msg + " at offset " + strconv.Itoa(d.i))
}

func (d *decoder) refuse(msg string) {
	if d.invalid == nil {
		d.invalid = validation(msg)
	}
}

func (d *decoder) ws() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) end() error {
	d.ws()
	if d.i != len(d.s) {
		return d.fail("unexpected data after JSON value")
	}
	return nil
}

// literal consumes word (true, false, null) if it is next.
func (d *decoder) literal(word string) bool {
	if strings.HasPrefix(d.s[d.i:], word) {
		d.i += len(word)
		return true
	}
	return false
}

func (d *decoder) expect(c byte) error {
	d.ws()
	if d.i >= len(d.s) || d.s[d.i] != c {
		return d.fail("expected '" + string(c) + "'")
	}
	d.i++
	return nil
}

// object decodes {"name": value, ...} where every value is an attribute
// value at the given depth + 1.
func (d *decoder) object(depth int) (map[string]Value, error) {
	if err := d.expect('{'); err != nil {
		return nil, err
	}
	m := make(map[string]Value, 8)
	d.ws()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		return m, nil
	}
	for {
		d.ws()
		name, err := d.str()
		if err != nil {
			return nil, err
		}
		if err := d.expect(':'); err != nil {
			return nil, err
		}
		d.ws()
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		m[name] = v
		d.ws()
		if d.i >= len(d.s) {
			return nil, d.fail("unterminated object")
		}
		switch d.s[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			return m, nil
		default:
			return nil, d.fail("expected ',' or '}'")
		}
	}
}

// value decodes one attribute value object {"T": payload}.
func (d *decoder) value(depth int) (Value, error) {
	if depth > MaxDepth {
		return Value{}, validation(msgTooDeep)
	}
	if err := d.expect('{'); err != nil {
		return Value{}, err
	}
	var v Value
	types := 0
	unknown := ""
	d.ws()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		d.refuse(msgEmptyValue)
		return v, nil
	}
	for {
		d.ws()
		key, err := d.str()
		if err != nil {
			return Value{}, err
		}
		if err := d.expect(':'); err != nil {
			return Value{}, err
		}
		d.ws()
		// awsJson treats a null member as absent.
		if d.literal("null") {
			goto next
		}
		{
			x, known, err := d.payload(key, depth)
			if err != nil {
				return Value{}, err
			}
			if known {
				types++
				v = x
			} else if unknown == "" {
				unknown = key
			}
		}
	next:
		d.ws()
		if d.i >= len(d.s) {
			return Value{}, d.fail("unterminated attribute value")
		}
		if d.s[d.i] == ',' {
			d.i++
			continue
		}
		if d.s[d.i] != '}' {
			return Value{}, d.fail("expected ',' or '}'")
		}
		d.i++
		break
	}
	switch {
	case types > 1:
		d.refuse(msgManyTypes)
	case types == 0:
		d.refuse(msgEmptyValue)
	case unknown != "":
		d.refuse("Supplied AttributeValue has an unsupported datatype " + strconv.Quote(unknown) + ", must contain exactly one of the supported datatypes")
	}
	return v, nil
}

// payload decodes the member of an attribute value named by its type key.
// known is false for a key that is not a DynamoDB type.
func (d *decoder) payload(key string, depth int) (v Value, known bool, err error) {
	switch key {
	case "S":
		s, err := d.str()
		return S(s), true, err
	case "N":
		s, err := d.str()
		if err != nil {
			return Value{}, true, err
		}
		c, nerr := canonicalNumber(s)
		if nerr != nil {
			d.refuse(nerr.Error())
		}
		return Value{kind: KindN, s: c}, true, nil
	case "B":
		b, err := d.base64()
		return Value{kind: KindB, s: b}, true, err
	case "BOOL", "NULL":
		var b bool
		switch {
		case d.literal("true"):
			b = true
		case d.literal("false"):
		default:
			return Value{}, true, d.fail(key + " must be a boolean")
		}
		if key == "BOOL" {
			return Bool(b), true, nil
		}
		if !b {
			d.refuse(msgNullFalse)
		}
		return Null(), true, nil
	case "M":
		m, err := d.object(depth)
		return Value{kind: KindM, ref: m}, true, err
	case "L":
		l, err := d.list(depth)
		return Value{kind: KindL, ref: l}, true, err
	case "SS", "NS", "BS":
		set, err := d.set(key)
		kind := KindSS
		if key == "NS" {
			kind = KindNS
		} else if key == "BS" {
			kind = KindBS
		}
		return Value{kind: kind, ref: set}, true, err
	}
	return Value{}, false, d.skip(depth)
}

func (d *decoder) list(depth int) ([]Value, error) {
	if err := d.expect('['); err != nil {
		return nil, err
	}
	var l []Value
	d.ws()
	if d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
		return []Value{}, nil
	}
	for {
		d.ws()
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		l = append(l, v)
		d.ws()
		if d.i >= len(d.s) {
			return nil, d.fail("unterminated list")
		}
		switch d.s[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			return l, nil
		default:
			return nil, d.fail("expected ',' or ']'")
		}
	}
}

// set decodes the members of an SS, NS or BS and applies DynamoDB's rules:
// not empty, valid members, no duplicates.
func (d *decoder) set(key string) ([]string, error) {
	if err := d.expect('['); err != nil {
		return nil, err
	}
	var members, raw []string
	d.ws()
	if d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
	} else {
		for {
			d.ws()
			var m string
			var err error
			switch key {
			case "BS":
				start := d.i
				m, err = d.base64()
				raw = append(raw, strings.Trim(d.s[start:d.i], `"`))
			default:
				m, err = d.str()
			}
			if err != nil {
				return nil, err
			}
			if key == "NS" {
				c, nerr := canonicalNumber(m)
				if nerr != nil {
					d.refuse(nerr.Error())
				}
				m = c
			}
			members = append(members, m)
			d.ws()
			if d.i >= len(d.s) {
				return nil, d.fail("unterminated set")
			}
			if d.s[d.i] == ',' {
				d.i++
				continue
			}
			if d.s[d.i] != ']' {
				return nil, d.fail("expected ',' or ']'")
			}
			d.i++
			break
		}
	}
	switch {
	case len(members) == 0:
		switch key {
		case "SS":
			d.refuse(msgEmptySS)
		case "NS":
			d.refuse(msgEmptyNS)
		default:
			d.refuse(msgEmptyBS)
		}
	case hasDuplicates(members):
		switch key {
		case "SS":
			d.refuse(msgInvalidParams + "Input collection [" + strings.Join(members, ", ") + "] contains duplicates.")
		case "NS":
			d.refuse(msgNSDuplicates)
		default:
			d.refuse(msgInvalidParams + "Input collection [" + strings.Join(raw, ", ") + "]of type BS contains duplicates.")
		}
	}
	return members, nil
}

func hasDuplicates(members []string) bool {
	if len(members) <= 16 {
		for i := 1; i < len(members); i++ {
			for j := 0; j < i; j++ {
				if members[i] == members[j] {
					return true
				}
			}
		}
		return false
	}
	seen := make(map[string]struct{}, len(members))
	for _, m := range members {
		if _, dup := seen[m]; dup {
			return true
		}
		seen[m] = struct{}{}
	}
	return false
}

func (d *decoder) base64() (string, error) {
	s, err := d.str()
	if err != nil {
		return "", err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", d.fail("invalid base64 in binary value")
	}
	return string(b), nil
}

// str decodes a JSON string. Without escapes it is a substring of the input.
func (d *decoder) str() (string, error) {
	if d.i >= len(d.s) || d.s[d.i] != '"' {
		return "", d.fail("expected a string")
	}
	d.i++
	start := d.i
	ascii := true
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			s := d.s[start:d.i]
			d.i++
			if !ascii && !utf8.ValidString(s) {
				return "", d.fail("invalid UTF-8 in string")
			}
			return s, nil
		case c == '\\':
			return d.escaped(start)
		case c < 0x20:
			return "", d.fail("control character in string")
		case c >= 0x80:
			ascii = false
		}
		d.i++
	}
	return "", d.fail("unterminated string")
}

// escaped finishes a string that contains escapes, from its start.
func (d *decoder) escaped(start int) (string, error) {
	var b strings.Builder
	b.Grow(d.i - start + 16)
	b.WriteString(d.s[start:d.i])
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			s := b.String()
			if !utf8.ValidString(s) {
				return "", d.fail("invalid UTF-8 in string")
			}
			return s, nil
		case c < 0x20:
			return "", d.fail("control character in string")
		case c != '\\':
			b.WriteByte(c)
			d.i++
			continue
		}
		d.i++
		if d.i >= len(d.s) {
			break
		}
		e := d.s[d.i]
		d.i++
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return "", d.fail("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				// A high surrogate pairs with a following \u low surrogate;
				// anything else becomes U+FFFD, as encoding/json does.
				dec := utf8.RuneError
				if r < 0xDC00 && strings.HasPrefix(d.s[d.i:], `\u`) {
					save := d.i
					d.i += 2
					if r2, ok := d.hex4(); ok && r2 >= 0xDC00 && r2 < 0xE000 {
						dec = utf16.DecodeRune(r, r2)
					} else {
						d.i = save
					}
				}
				r = dec
			}
			b.WriteRune(r)
		default:
			return "", d.fail("invalid escape in string")
		}
	}
	return "", d.fail("unterminated string")
}

func (d *decoder) hex4() (rune, bool) {
	if d.i+4 > len(d.s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(d.s[d.i : d.i+4]) {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	d.i += 4
	return r, true
}

// skip passes over any JSON value (the payload of an unknown type key).
func (d *decoder) skip(depth int) error {
	if depth > 2*MaxDepth {
		return validation(msgTooDeep)
	}
	d.ws()
	if d.i >= len(d.s) {
		return d.fail("unexpected end of JSON")
	}
	switch c := d.s[d.i]; {
	case c == '"':
		_, err := d.str()
		return err
	case c == '{' || c == '[':
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		d.i++
		d.ws()
		if d.i < len(d.s) && d.s[d.i] == closer {
			d.i++
			return nil
		}
		for {
			d.ws()
			if c == '{' {
				if _, err := d.str(); err != nil {
					return err
				}
				if err := d.expect(':'); err != nil {
					return err
				}
			}
			if err := d.skip(depth + 1); err != nil {
				return err
			}
			d.ws()
			if d.i < len(d.s) && d.s[d.i] == ',' {
				d.i++
				continue
			}
			return d.expect(closer)
		}
	case d.literal("true"), d.literal("false"), d.literal("null"):
		return nil
	default:
		start := d.i
		for d.i < len(d.s) && strings.IndexByte("+-0123456789.eE", d.s[d.i]) >= 0 {
			d.i++
		}
		if _, err := strconv.ParseFloat(d.s[start:d.i], 64); err != nil || d.i == start {
			return d.fail("invalid JSON value")
		}
		return nil
	}
}
