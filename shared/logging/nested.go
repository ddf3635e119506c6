package logging

import (
	"bytes"
	"encoding/json"
	"errors"
)

// sanitizeJSON rewrites one JSON value (what json.Marshal made of a value
// logged with slog.Any): secrets' values become "[REDACTED]", payment methods
// are truncated and every string is masked; the order of keys is kept.
func sanitizeJSON(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out bytes.Buffer
	out.Grow(len(raw))
	if err := copyValue(dec, &out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

var errUnexpectedToken = errors.New("logging: unexpected JSON token")

// copyValue copies the next value of dec to out, sanitized.
func copyValue(dec *json.Decoder, out *bytes.Buffer) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return copyObject(dec, out)
		case '[':
			return copyArray(dec, out)
		}
		return errUnexpectedToken
	case string:
		return writeString(out, MaskString(t))
	case json.Number:
		out.WriteString(t.String())
	case bool:
		if t {
			out.WriteString("true")
		} else {
			out.WriteString("false")
		}
	case nil:
		out.WriteString("null")
	default:
		return errUnexpectedToken
	}
	return nil
}

// copyObject copies an object whose '{' was read.
func copyObject(dec *json.Decoder, out *bytes.Buffer) error {
	out.WriteByte('{')
	for first := true; dec.More(); first = false {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return errUnexpectedToken
		}
		if !first {
			out.WriteByte(',')
		}
		if err := writeString(out, key); err != nil {
			return err
		}
		out.WriteByte(':')
		switch classifyKey(key) {
		case plainKey:
			err = copyValue(dec, out)
		case secretKey:
			err = replaceValue(dec, out, func(json.RawMessage) string { return Redacted })
		case paymentMethodKey:
			err = replaceValue(dec, out, func(v json.RawMessage) string {
				var s string
				if json.Unmarshal(v, &s) != nil {
					return Redacted
				}
				return truncateToken(MaskString(s))
			})
		}
		if err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return err
	}
	out.WriteByte('}')
	return nil
}

// copyArray copies an array whose '[' was read.
func copyArray(dec *json.Decoder, out *bytes.Buffer) error {
	out.WriteByte('[')
	for first := true; dec.More(); first = false {
		if !first {
			out.WriteByte(',')
		}
		if err := copyValue(dec, out); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // ']'
		return err
	}
	out.WriteByte(']')
	return nil
}

// replaceValue reads the next value whole and writes the string replace
// makes of it.
func replaceValue(dec *json.Decoder, out *bytes.Buffer, replace func(json.RawMessage) string) error {
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil {
		return err
	}
	return writeString(out, replace(v))
}

func writeString(out *bytes.Buffer, s string) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	out.Write(b)
	return nil
}
