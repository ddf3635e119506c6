package expr

import (
	"strconv"
	"strings"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// pathElem is one step of a document path: a map key or a list index.
type pathElem struct {
	name  string
	index int // -1 for a map key
}

// path is a document path; its first element is always a top-level
// attribute name.
type path []pathElem

func (pa path) isIndex(i int) bool { return pa[i].index >= 0 }

// get returns the value at the path, or false when any step is missing or
// of the wrong type.
func (pa path) get(item attr.Item) (attr.Value, bool) {
	v, ok := item[pa[0].name]
	for _, e := range pa[1:] {
		if !ok {
			return attr.Value{}, false
		}
		if e.index >= 0 {
			v, ok = v.ListGet(e.index)
		} else {
			v, ok = v.MapGet(e.name)
		}
	}
	return v, ok
}

// String renders the path as DynamoDB does in messages: "[a, b, [3]]".
func (pa path) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range pa {
		if i > 0 {
			b.WriteString(", ")
		}
		if e.index >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.index))
			b.WriteByte(']')
		} else {
			b.WriteString(e.name)
		}
	}
	b.WriteByte(']')
	return b.String()
}

type relation uint8

const (
	unrelated relation = iota
	overlapping
	conflicting
)

// relate tells whether two paths overlap (one is a prefix of the other, or
// they are equal) or conflict (at the same step one indexes a list and the
// other names a map key).
func relate(a, b path) relation {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		if (x.index >= 0) != (y.index >= 0) {
			return conflicting
		}
		if x != y {
			return unrelated
		}
	}
	return overlapping
}

// checkPaths refuses paths that overlap or conflict, as DynamoDB does for
// update and projection expressions: an overlap is reported before any
// conflict, each with the earlier path first.
func (p *parser) checkPaths(paths []path) {
	var conflict error
	for i := range paths {
		for j := i + 1; j < len(paths); j++ {
			switch relate(paths[i], paths[j]) {
			case overlapping:
				p.later(phaseOverlap, invalid("Invalid "+p.kind.String()+": Two document paths overlap with each other; must remove or rewrite one of these paths; path one: "+paths[i].String()+", path two: "+paths[j].String()))
				return
			case conflicting:
				if conflict == nil {
					conflict = invalid("Invalid " + p.kind.String() + ": Two document paths conflict with each other; must remove or rewrite one of these paths; path one: " + paths[i].String() + ", path two: " + paths[j].String())
				}
			}
		}
	}
	if conflict != nil {
		p.later(phaseConflict, conflict)
	}
}

// parsePath parses name { .name | [n] }.
func (p *parser) parsePath() (path, error) {
	name, err := p.parseName()
	if err != nil {
		return nil, err
	}
	// Paths are carved out of one arena per expression; a finished path
	// has its capacity capped so that later paths never write into it.
	start := len(p.arena)
	p.arena = append(p.arena, pathElem{name: name, index: -1})
	for {
		switch p.lex.tok.kind {
		case tDot:
			p.lex.next()
			name, err := p.parseName()
			if err != nil {
				return nil, err
			}
			p.arena = append(p.arena, pathElem{name: name, index: -1})
		case tLBracket:
			p.lex.next()
			if p.lex.tok.kind != tNumber {
				return nil, p.lex.syntaxError(p.kind)
			}
			n, err := strconv.Atoi(p.lex.tok.text)
			if err != nil || n > 1<<31-1 {
				return nil, invalid("Invalid " + p.kind.String() + ": List index is out of range; index: " + p.lex.tok.text)
			}
			p.lex.next()
			if p.lex.tok.kind != tRBracket {
				return nil, p.lex.syntaxError(p.kind)
			}
			p.lex.next()
			p.arena = append(p.arena, pathElem{index: n})
		default:
			return p.arena[start:len(p.arena):len(p.arena)], nil
		}
		if depth := len(p.arena) - start; depth > maxPathDepth {
			return nil, invalid("Invalid " + p.kind.String() + ": The document path has too many nesting levels; nesting levels: " + strconv.Itoa(depth))
		}
	}
}

// parseName parses a bare attribute name or a #placeholder.
func (p *parser) parseName() (string, error) {
	tok := p.lex.tok
	switch tok.kind {
	case tIdent:
		if p.isGrammarKeyword(tok.text) {
			return "", p.lex.syntaxError(p.kind)
		}
		if reservedWord(tok.text) {
			p.later(phaseReserved, invalid("Invalid "+p.kind.String()+": Attribute name is a reserved keyword; reserved keyword: "+tok.text))
		}
		p.lex.next()
		return tok.text, nil
	case tName:
		name, ok := p.names[tok.text]
		if ok {
			p.usedNames = append(p.usedNames, tok.text)
		} else {
			p.later(phaseUndefinedName, invalid("Invalid "+p.kind.String()+": An expression attribute name used in the document path is not defined; attribute name: "+tok.text))
		}
		p.lex.next()
		return name, nil
	}
	return "", p.lex.syntaxError(p.kind)
}

// parseValueRef resolves the current :placeholder token.
func (p *parser) parseValueRef() (attr.Value, error) {
	tok := p.lex.tok
	v, ok := p.values[tok.text]
	if ok {
		p.usedValues = append(p.usedValues, tok.text)
	} else {
		p.later(phaseUndefinedValue, invalid("Invalid "+p.kind.String()+": An expression attribute value used in expression is not defined; attribute value: "+tok.text))
	}
	p.lex.next()
	return v, nil
}

// parser holds what every expression parser shares.
type parser struct {
	lex        lexer
	kind       exprKind
	names      Names
	values     Values
	usedNames  []string
	usedValues []string
	deferred   deferred
	arena      []pathElem
}

// buffers is storage a parsed expression embeds so that parsing a typical
// expression needs few allocations: the parser's slices start in it.
type buffers struct {
	arena  [8]pathElem
	names  [4]string
	values [4]string
}

func (p *parser) useBuffers(b *buffers) {
	p.arena = b.arena[:0]
	p.usedNames = b.names[:0]
	p.usedValues = b.values[:0]
}

func newParser(kind exprKind, s string, names Names, values Values) (parser, error) {
	if len(s) > maxExpressionSize {
		return parser{}, invalid("Invalid " + kind.String() + ": Expression size has exceeded the maximum allowed size; expression size: " + strconv.Itoa(len(s)))
	}
	p := parser{lex: newLexer(s), kind: kind, names: names, values: values}
	if p.lex.tok.kind == tEOF {
		return parser{}, invalid("Invalid " + kind.String() + ": The expression can not be empty;")
	}
	return p, nil
}

// used captures the placeholders the parse used, for Used methods.
func (p *parser) used() placeholders {
	return placeholders{names: p.usedNames, values: p.usedValues}
}

// isGrammarKeyword reports words the grammar itself uses, which are syntax
// errors rather than reserved words where a name is expected.
func (p *parser) isGrammarKeyword(s string) bool {
	if p.kind == kindUpdate {
		for _, w := range clauseNames {
			if equalFold(s, w) {
				return true
			}
		}
	}
	for _, w := range [...]string{"AND", "OR", "NOT", "BETWEEN", "IN"} {
		if equalFold(s, w) {
			return true
		}
	}
	return false
}
