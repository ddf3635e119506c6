// Package logging is the one slog handler every Paylane function logs
// through. It writes JSON lines and keeps secrets, card data and personal
// data out of them (ARCHITECTURE.md invariant 9), whatever a caller passes:
//
//   - an attribute whose key looks like a secret (see secretWords), at any
//     depth (in groups, and in maps or structs logged with slog.Any), is
//     replaced by "[REDACTED]";
//   - the value of a key named paymentMethod or payment_method keeps its
//     first 8 characters followed by "…": enough to tell a test token from
//     another, not enough to use it;
//   - in every string (the message too), a run of 13 to 19 digits that
//     passes the Luhn check, spaces or dashes allowed between digits, is
//     replaced by "************" and its last 4 digits; e-mail addresses keep
//     the first character of the local part and the domain: "j***@example.com".
//
// The masking is a safety net, not a licence: log ids, not payloads.
package logging

import (
	"encoding/json"
	"io"
	"log/slog"
)

// Redacted replaces the value of a secret.
const Redacted = "[REDACTED]"

// NewHandler returns a JSON handler writing to w at level (Info when nil)
// that masks what the package documentation lists.
func NewHandler(w io.Writer, level slog.Leveler) slog.Handler {
	return slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: sanitizeAttr})
}

// New returns a logger writing JSON lines to w at Info level, through NewHandler.
func New(w io.Writer) *slog.Logger {
	return slog.New(NewHandler(w, slog.LevelInfo))
}

// sanitizeAttr is the handler's ReplaceAttr. The JSON handler calls it for
// the built-in attributes (msg included), for every attribute of a record and
// of WithAttrs, with the names of the enclosing groups; never for a group
// itself, which is why a secret group's name is checked in groups.
func sanitizeAttr(groups []string, a slog.Attr) slog.Attr {
	for _, g := range groups {
		switch classifyKey(g) {
		case secretKey, paymentMethodKey:
			return slog.String(a.Key, Redacted)
		}
	}
	switch classifyKey(a.Key) {
	case secretKey:
		return slog.String(a.Key, Redacted)
	case paymentMethodKey:
		if a.Value.Kind() == slog.KindString {
			return slog.String(a.Key, truncateToken(MaskString(a.Value.String())))
		}
		return slog.String(a.Key, Redacted)
	}
	switch a.Value.Kind() {
	case slog.KindString:
		s := a.Value.String()
		if m := MaskString(s); m != s {
			a.Value = slog.StringValue(m)
		}
	case slog.KindAny:
		a.Value = sanitizeAny(a.Value.Any())
	}
	return a
}

// sanitizeAny masks a value logged with slog.Any. The JSON handler would
// write it with json.Marshal; it is marshalled here first so that the keys
// checked are the ones that would appear (json tags, map keys) and every
// nested string is masked.
func sanitizeAny(v any) slog.Value {
	switch x := v.(type) {
	case slog.Level:
		// The built-in level. As a string it is written as is; left as Any
		// the handler would run it through json.Marshal.
		return slog.StringValue(x.String())
	case nil, *slog.Source:
		// Nothing personal, and the handler formats a source itself.
		return slog.AnyValue(v)
	case error:
		if _, ok := v.(json.Marshaler); !ok {
			// The handler writes an error as its message.
			return slog.StringValue(MaskString(x.Error()))
		}
	}
	raw, err := json.Marshal(v)
	if err != nil {
		// The handler would fail the same way and write the marshalling
		// error, which holds a type name, not the data.
		return slog.AnyValue(v)
	}
	clean, err := sanitizeJSON(raw)
	if err != nil {
		return slog.StringValue(Redacted)
	}
	return slog.AnyValue(json.RawMessage(clean))
}

// truncateToken keeps the first 8 characters of a payment method token.
func truncateToken(s string) string {
	const keep = 8
	n := 0
	for i := range s {
		if n == keep {
			return s[:i] + "…"
		}
		n++
	}
	return s + "…"
}
