package dynamodb

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// The request decoder walks the JSON body by hand instead of using
// encoding/json with reflection: item operations are the hot path of the
// whole local cloud, and the items themselves are handed raw to
// attr.DecodeItem, so only a thin layer of structure has to be read here.

// errSyntax is wrapped by every malformed-JSON error, which DynamoDB reports
// as a SerializationException.
var errSyntax = errors.New("malformed JSON")

func syntaxErr(pos int, what string) error {
	return fmt.Errorf("%w at offset %d: %s", errSyntax, pos, what)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(data []byte, i int) int {
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	return i
}

// skipValue returns the index just past the JSON value starting at data[i]
// (after leading space), validating it.
func skipValue(data []byte, i int, depth int) (int, error) {
	if depth > 64 {
		return 0, syntaxErr(i, "nesting too deep")
	}
	i = skipSpace(data, i)
	if i >= len(data) {
		return 0, syntaxErr(i, "unexpected end of input")
	}
	switch c := data[i]; {
	case c == '"':
		return skipString(data, i)
	case c == '{':
		i = skipSpace(data, i+1)
		if i < len(data) && data[i] == '}' {
			return i + 1, nil
		}
		for {
			i = skipSpace(data, i)
			if i >= len(data) || data[i] != '"' {
				return 0, syntaxErr(i, "expected object key")
			}
			var err error
			if i, err = skipString(data, i); err != nil {
				return 0, err
			}
			i = skipSpace(data, i)
			if i >= len(data) || data[i] != ':' {
				return 0, syntaxErr(i, "expected ':'")
			}
			if i, err = skipValue(data, i+1, depth+1); err != nil {
				return 0, err
			}
			var closed bool
			if i, closed, err = afterMember(data, i, '}'); closed || err != nil {
				return i, err
			}
		}
	case c == '[':
		i = skipSpace(data, i+1)
		if i < len(data) && data[i] == ']' {
			return i + 1, nil
		}
		for {
			var err error
			if i, err = skipValue(data, i, depth+1); err != nil {
				return 0, err
			}
			var closed bool
			if i, closed, err = afterMember(data, i, ']'); closed || err != nil {
				return i, err
			}
		}
	case c == 't':
		return skipLiteral(data, i, "true")
	case c == 'f':
		return skipLiteral(data, i, "false")
	case c == 'n':
		return skipLiteral(data, i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		return skipNumber(data, i)
	default:
		return 0, syntaxErr(i, "unexpected character")
	}
}

func skipLiteral(data []byte, i int, lit string) (int, error) {
	if len(data)-i < len(lit) || string(data[i:i+len(lit)]) != lit {
		return 0, syntaxErr(i, "invalid literal")
	}
	return i + len(lit), nil
}

func skipNumber(data []byte, i int) (int, error) {
	start := i
	if data[i] == '-' {
		i++
	}
	// The integer part, a fraction and an exponent each need a digit.
	var ok bool
	if i, ok = skipDigits(data, i); !ok {
		return 0, syntaxErr(start, "invalid number")
	}
	if i < len(data) && data[i] == '.' {
		if i, ok = skipDigits(data, i+1); !ok {
			return 0, syntaxErr(start, "invalid number")
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i, ok = skipDigits(data, i); !ok {
			return 0, syntaxErr(start, "invalid number")
		}
	}
	return i, nil
}

// skipDigits returns the index past the decimal digits at data[i:] and
// whether there was at least one.
func skipDigits(data []byte, i int) (int, bool) {
	start := i
	for i < len(data) && data[i] >= '0' && data[i] <= '9' {
		i++
	}
	return i, i > start
}

// skipString returns the index past the string literal starting at data[i].
func skipString(data []byte, i int) (int, error) {
	start := i
	i++
	for i < len(data) {
		switch c := data[i]; {
		case c == '"':
			return i + 1, nil
		case c == '\\':
			if i+1 >= len(data) {
				return 0, syntaxErr(i, "bad escape")
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(data) || !isHex4(data[i+2:i+6]) {
					return 0, syntaxErr(i, "bad \\u escape")
				}
				i += 6
			default:
				return 0, syntaxErr(i, "bad escape")
			}
		case c < 0x20:
			return 0, syntaxErr(i, "control character in string")
		default:
			i++
		}
	}
	return 0, syntaxErr(start, "unterminated string")
}

// unquote decodes the JSON string literal raw (quotes included). The fast
// path, no escapes, returns a slice of raw.
func unquote(raw []byte) ([]byte, error) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, syntaxErr(0, "expected string")
	}
	body := raw[1 : len(raw)-1]
	esc := false
	for _, c := range body {
		if c == '\\' {
			esc = true
			break
		}
	}
	if !esc {
		if !utf8.Valid(body) {
			return nil, syntaxErr(0, "invalid UTF-8 in string")
		}
		return body, nil
	}
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(body) {
			return nil, syntaxErr(i, "bad escape")
		}
		switch body[i] {
		case '"', '\\', '/':
			out = append(out, body[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n, err := readU4(body, i+1)
			if err != nil {
				return nil, err
			}
			i += n
			if utf16.IsSurrogate(r) {
				if i+2 < len(body) && body[i+1] == '\\' && body[i+2] == 'u' {
					r2, n2, err := readU4(body, i+3)
					if err == nil {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							r = d
							i += 2 + n2
						} else {
							r = utf8.RuneError
						}
					}
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, syntaxErr(i, "bad escape")
		}
	}
	if !utf8.Valid(out) {
		return nil, syntaxErr(0, "invalid UTF-8 in string")
	}
	return out, nil
}

// readU4 reads four hex digits at body[i:], returning the rune and how many
// bytes past the 'u' were consumed.
func readU4(body []byte, i int) (rune, int, error) {
	if i+4 > len(body) {
		return 0, 0, syntaxErr(i, "bad \\u escape")
	}
	v, err := strconv.ParseUint(string(body[i:i+4]), 16, 32)
	if err != nil {
		return 0, 0, syntaxErr(i, "bad \\u escape")
	}
	return rune(v), 4, nil
}

// isNull reports whether raw is the JSON literal null, which the decoders
// treat as an absent member.
func isNull(raw []byte) bool { return len(raw) == 4 && string(raw) == "null" }

// eachField calls fn for every member of the JSON object raw, in order, with
// the unescaped key and the raw value (space trimmed).
func eachField(raw []byte, fn func(key []byte, val []byte) error) error {
	return eachMember(raw, '{', '}', fn)
}

// eachElem calls fn for every element of the JSON array raw.
func eachElem(raw []byte, fn func(i int, val []byte) error) error {
	n := 0
	return eachMember(raw, '[', ']', func(_, val []byte) error {
		err := fn(n, val)
		n++
		return err
	})
}

// eachMember walks the JSON object or array raw (opening with open), calling
// fn with each member's unescaped key (nil in an array) and raw value, and
// checks that nothing but space follows the closing bracket.
func eachMember(raw []byte, open, closing byte, fn func(key, val []byte) error) error {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != open {
		if open == '{' {
			return syntaxErr(i, "expected object")
		}
		return syntaxErr(i, "expected array")
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == closing {
		return trailing(raw, i+1)
	}
	for {
		var key []byte
		if open == '{' {
			var err error
			if key, i, err = readKey(raw, i); err != nil {
				return err
			}
		}
		vstart := skipSpace(raw, i)
		vend, err := skipValue(raw, vstart, 1)
		if err != nil {
			return err
		}
		if err := fn(key, raw[vstart:vend]); err != nil {
			return err
		}
		var closed bool
		if i, closed, err = afterMember(raw, vend, closing); err != nil {
			return err
		}
		if closed {
			return trailing(raw, i)
		}
	}
}

// readKey reads the key of an object member and the colon after it at
// raw[i:] (after leading space), returning the unescaped key and the index
// past the colon.
func readKey(raw []byte, i int) ([]byte, int, error) {
	i = skipSpace(raw, i)
	if i >= len(raw) || raw[i] != '"' {
		return nil, 0, syntaxErr(i, "expected object key")
	}
	end, err := skipString(raw, i)
	if err != nil {
		return nil, 0, err
	}
	key, err := unquote(raw[i:end])
	if err != nil {
		return nil, 0, err
	}
	i = skipSpace(raw, end)
	if i >= len(raw) || raw[i] != ':' {
		return nil, 0, syntaxErr(i, "expected ':'")
	}
	return key, i + 1, nil
}

// afterMember reads what follows a member of an object or an element of an
// array at data[i:]: a comma, returning the index past it, or the closing
// bracket, returning the index past it and closed.
func afterMember(data []byte, i int, closing byte) (next int, closed bool, err error) {
	i = skipSpace(data, i)
	if i < len(data) {
		switch data[i] {
		case ',':
			return i + 1, false, nil
		case closing:
			return i + 1, true, nil
		}
	}
	return 0, false, syntaxErr(i, "expected ',' or '"+string(closing)+"'")
}

func trailing(raw []byte, i int) error {
	if skipSpace(raw, i) != len(raw) {
		return syntaxErr(i, "unexpected data after value")
	}
	return nil
}

// jsonString decodes a string member.
func jsonString(raw []byte) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	b, err := unquote(raw)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// jsonBool decodes a boolean member.
func jsonBool(raw []byte) (bool, error) {
	switch string(raw) {
	case "true":
		return true, nil
	case "false", "null":
		return false, nil
	}
	return false, syntaxErr(0, "expected boolean")
}

// jsonInt decodes an integer member.
func jsonInt(raw []byte) (int64, error) {
	if isNull(raw) {
		return 0, nil
	}
	v, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(string(raw), 64)
		if ferr != nil || f != float64(int64(f)) {
			return 0, syntaxErr(0, "expected integer")
		}
		return int64(f), nil
	}
	return v, nil
}

// jsonStringMap decodes an object of strings (ExpressionAttributeNames).
func jsonStringMap(raw []byte) (map[string]string, error) {
	if isNull(raw) {
		return nil, nil
	}
	m := make(map[string]string, 4)
	err := eachField(raw, func(k, v []byte) error {
		s, err := jsonString(v)
		if err != nil {
			return err
		}
		m[string(k)] = s
		return nil
	})
	return m, err
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
