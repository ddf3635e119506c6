package expr

// DynamoDB checks an expression in phases: syntax first, then reserved
// words, function names, and so on. A single-pass parser meets these
// problems in text order, so it records them with the phase they belong to
// and reports the one DynamoDB would report: the earliest phase, and within
// a phase the leftmost. Syntax errors stop the parse at once and win.
type phase uint8

const (
	phaseReserved phase = iota + 1
	phaseFunctionName
	phaseSection
	phaseUndefinedName
	phaseUndefinedValue
	phaseClauseOperand // ADD and DELETE operand types
	phaseOverlap
	phaseConflict
	// Operand counts and types of operators and functions come after path
	// overlaps: DynamoDB reports "SET a[1].b = x, a = if_not_exists(y)" as
	// an overlap, not as a one-operand if_not_exists.
	phaseOperand
)

type deferred struct {
	phase phase
	err   error
}

// later records err unless an error of an earlier (or the same) phase is
// already recorded.
func (p *parser) later(ph phase, err error) {
	if p.deferred.err == nil || ph < p.deferred.phase {
		p.deferred = deferred{phase: ph, err: err}
	}
}
