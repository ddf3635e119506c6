package transform

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Names of the predefined variables, which InputPathsMap cannot redefine.
const (
	VarRuleARN       = "aws.events.rule-arn"
	VarRuleName      = "aws.events.rule-name"
	VarIngestionTime = "aws.events.event.ingestion-time"
	VarEvent         = "aws.events.event"
	VarEventJSON     = "aws.events.event.json"
)

// maxPaths is the documented limit of InputPathsMap entries.
const maxPaths = 100

// Transformer is a validated InputTransformer.
type Transformer struct {
	paths    map[string]Path
	template string
	// jsonTemplate is set when the template is JSON (an object, an array or
	// a string literal); values are then encoded as JSON, and escaped when
	// they land inside a string literal. Other templates are plain text.
	jsonTemplate bool
}

// Predefined holds the values of the predefined variables for one delivery.
type Predefined struct {
	RuleARN       string
	RuleName      string
	IngestionTime string // RFC 3339
	// Event is the original event without its detail field, and EventJSON
	// the whole event; both are inserted as raw JSON.
	Event     []byte
	EventJSON []byte
}

// NewTransformer validates an InputPathsMap and InputTemplate.
func NewTransformer(pathsMap map[string]string, template string) (*Transformer, error) {
	if template == "" {
		return nil, invalidf("InputTemplate must not be empty")
	}
	if len(pathsMap) > maxPaths {
		return nil, invalidf("InputPathsMap has %d entries, more than %d", len(pathsMap), maxPaths)
	}
	t := &Transformer{paths: make(map[string]Path, len(pathsMap)), template: template}
	for name, raw := range pathsMap {
		if !validVarName(name) {
			return nil, invalidf("InputPathsMap key %q must match [A-Za-z0-9_-]+", name)
		}
		p, err := ParsePath(raw)
		if err != nil {
			return nil, err
		}
		t.paths[name] = p
	}
	if trimmed := strings.TrimSpace(template); trimmed != "" {
		switch trimmed[0] {
		case '{', '[', '"':
			t.jsonTemplate = true
		}
	}
	return t, nil
}

func validVarName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Apply fills the template for one event, decoded with json.Number numbers.
func (t *Transformer) Apply(event any, pre Predefined) []byte {
	var out bytes.Buffer
	inString := false
	s := t.template
	for i := 0; i < len(s); i++ {
		c := s[i]
		if t.jsonTemplate {
			switch {
			case c == '\\' && inString && i+1 < len(s):
				out.WriteByte(c)
				i++
				out.WriteByte(s[i])
				continue
			case c == '"':
				inString = !inString
			}
		}
		if c == '<' {
			if end := strings.IndexByte(s[i+1:], '>'); end > 0 {
				name := s[i+1 : i+1+end]
				if t.writeVar(&out, name, event, pre, inString) {
					i += end + 1
					continue
				}
			}
		}
		out.WriteByte(c)
	}
	return out.Bytes()
}

// writeVar writes the value of a variable and reports whether name is one;
// unknown placeholders are left as they are.
func (t *Transformer) writeVar(out *bytes.Buffer, name string, event any, pre Predefined, inString bool) bool {
	switch name {
	case VarEvent:
		out.Write(pre.Event)
		return true
	case VarEventJSON:
		out.Write(pre.EventJSON)
		return true
	case VarRuleARN:
		t.writeValue(out, pre.RuleARN, true, inString)
		return true
	case VarRuleName:
		t.writeValue(out, pre.RuleName, true, inString)
		return true
	case VarIngestionTime:
		t.writeValue(out, pre.IngestionTime, true, inString)
		return true
	}
	p, ok := t.paths[name]
	if !ok {
		return false
	}
	v, found := p.Eval(event)
	t.writeValue(out, v, found, inString)
	return true
}

// writeValue renders a value where the template puts it: a missing value is
// null in JSON and nothing in text; a string is quoted only in JSON outside
// a string literal; anything else is its JSON text, escaped inside a
// string literal.
func (t *Transformer) writeValue(out *bytes.Buffer, v any, found, inString bool) {
	if !found {
		if t.jsonTemplate && !inString {
			out.WriteString("null")
		}
		return
	}
	str, isString := v.(string)
	switch {
	case !t.jsonTemplate && isString:
		out.WriteString(str)
	case !t.jsonTemplate:
		out.Write(marshal(v))
	case !inString:
		out.Write(marshal(v))
	case isString:
		out.Write(escapeInString(str))
	default:
		out.Write(escapeInString(string(marshal(v))))
	}
}

// marshal encodes without HTML escaping, so "<" stays "<" as AWS sends it.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Values come from decoded JSON and always encode; keep the output
		// valid JSON regardless.
		return []byte("null")
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// escapeInString returns s escaped for the inside of a JSON string literal.
func escapeInString(s string) []byte {
	quoted := marshal(s)
	return quoted[1 : len(quoted)-1]
}
