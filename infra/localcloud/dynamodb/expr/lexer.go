package expr

// tokKind is the kind of an expression token.
type tokKind uint8

const (
	tEOF      tokKind = iota
	tIdent            // a bare name, keyword or function name
	tName             // #placeholder
	tValue            // :placeholder
	tNumber           // digits, only meaningful as a list index
	tLParen           // (
	tRParen           // )
	tLBracket         // [
	tRBracket         // ]
	tComma            // ,
	tDot              // .
	tEq               // =
	tNe               // <>
	tLt               // <
	tLe               // <=
	tGt               // >
	tGe               // >=
	tPlus             // +
	tMinus            // -
	tInvalid          // any other character
)

type token struct {
	kind tokKind
	text string
	pos  int
}

// lexer splits an expression into tokens on demand; it never allocates.
type lexer struct {
	s    string
	pos  int
	tok  token // current token
	prev token // token before tok, for "near" in syntax errors
}

func newLexer(s string) lexer {
	l := lexer{s: s}
	l.next()
	return l
}

func isIdentByte(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// next advances to the following token.
func (l *lexer) next() {
	l.prev = l.tok
	s := l.s
	i := l.pos
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	start := i
	if i >= len(s) {
		l.tok = token{kind: tEOF, pos: i}
		l.pos = i
		return
	}
	kind := tInvalid
	c := s[i]
	i++
	switch {
	case c == '#' || c == ':':
		for i < len(s) && isIdentByte(s[i]) {
			i++
		}
		switch {
		case i == start+1:
			kind = tInvalid
		case c == '#':
			kind = tName
		default:
			kind = tValue
		}
	case c >= '0' && c <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		kind = tNumber
		if i < len(s) && isIdentByte(s[i]) {
			// "1abc": a name may not start with a digit.
			for i < len(s) && isIdentByte(s[i]) {
				i++
			}
			kind = tInvalid
		}
	case isIdentByte(c):
		for i < len(s) && isIdentByte(s[i]) {
			i++
		}
		kind = tIdent
	case c == '(':
		kind = tLParen
	case c == ')':
		kind = tRParen
	case c == '[':
		kind = tLBracket
	case c == ']':
		kind = tRBracket
	case c == ',':
		kind = tComma
	case c == '.':
		kind = tDot
	case c == '=':
		kind = tEq
	case c == '+':
		kind = tPlus
	case c == '-':
		kind = tMinus
	case c == '<':
		kind = tLt
		if i < len(s) && s[i] == '=' {
			kind = tLe
			i++
		} else if i < len(s) && s[i] == '>' {
			kind = tNe
			i++
		}
	case c == '>':
		kind = tGt
		if i < len(s) && s[i] == '=' {
			kind = tGe
			i++
		}
	default:
		// Keep a whole UTF-8 sequence together so the message quotes it.
		for i < len(s) && s[i]&0xC0 == 0x80 {
			i++
		}
	}
	l.tok = token{kind: kind, text: s[start:i], pos: start}
	l.pos = i
}

// syntaxError is DynamoDB's message for an unexpected token: the token and
// the text from the previous token to it.
func (l *lexer) syntaxError(kind exprKind) error {
	tok := l.tok.text
	end := l.tok.pos + len(l.tok.text)
	if l.tok.kind == tEOF {
		tok = "<EOF>"
	}
	start := l.prev.pos
	if l.prev.text == "" {
		start = l.tok.pos
	}
	return invalid("Invalid " + kind.String() + ": Syntax error; token: \"" + tok + "\", near: \"" + l.s[start:end] + "\"")
}

// isKeyword reports whether the current token is the identifier word,
// compared without regard to case (DynamoDB keywords are case-insensitive).
func (l *lexer) isKeyword(word string) bool {
	return l.tok.kind == tIdent && equalFold(l.tok.text, word)
}

// equalFold compares ASCII strings without regard to case; word is upper case.
func equalFold(s, word string) bool {
	if len(s) != len(word) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != word[i] {
			return false
		}
	}
	return true
}

// reservedWord reports whether an identifier is one of DynamoDB's reserved
// words. Identifiers are ASCII, so upper-casing into a small buffer is
// enough; no reserved word is longer than 16 bytes.
func reservedWord(s string) bool {
	var buf [16]byte
	if len(s) > len(buf) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
	}
	return isReserved(buf[:len(s)])
}
