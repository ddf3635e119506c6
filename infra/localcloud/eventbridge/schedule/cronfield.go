package schedule

import (
	"strconv"
	"strings"
)

// fieldSpec describes one cron field: its range, the names it accepts and
// which of the documented wildcards it allows.
type fieldSpec struct {
	name     string
	min, max int
	names    []string // names[i] stands for min+i
	allowed  string   // wildcard characters allowed besides digits and names
}

// The six fields, in order. They are functions so that the tables stay
// immutable.
func minuteField() fieldSpec { return fieldSpec{name: "Minutes", min: 0, max: 59, allowed: ",-*/"} }
func hourField() fieldSpec   { return fieldSpec{name: "Hours", min: 0, max: 23, allowed: ",-*/"} }
func domField() fieldSpec {
	return fieldSpec{name: "Day-of-month", min: 1, max: 31, allowed: ",-*?/LW"}
}
func monthField() fieldSpec {
	return fieldSpec{name: "Month", min: 1, max: 12, allowed: ",-*/",
		names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}}
}
func dowField() fieldSpec {
	return fieldSpec{name: "Day-of-week", min: 1, max: 7, allowed: ",-*?L#",
		names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}}
}
func yearField() fieldSpec { return fieldSpec{name: "Year", min: 1970, max: 2199, allowed: ",-*/"} }

// valueSet holds the values a field accepts; index 0 is spec.min.
type valueSet []bool

func (s valueSet) has(spec fieldSpec, v int) bool {
	i := v - spec.min
	return i >= 0 && i < len(s) && s[i]
}

// checkChars rejects wildcards the field does not allow, so that, say, "L"
// in Minutes or "/" in Day-of-week is an error rather than a surprise.
func (spec fieldSpec) checkChars(text string) error {
	upper := strings.ToUpper(text)
	for _, n := range spec.names {
		upper = strings.ReplaceAll(upper, n, "")
	}
	for _, c := range upper {
		if c >= '0' && c <= '9' {
			continue
		}
		if !strings.ContainsRune(spec.allowed, c) {
			return invalidf("%s field %q: %q is not allowed here", spec.name, text, c)
		}
	}
	return nil
}

// parseSet parses a list of terms: "*", "v", "a-b", "*/n", "a/n", "a-b/n".
// A range whose start is after its end wraps around (hours "20-2" are
// 20:00 to 02:00, as in the AWS examples).
func (spec fieldSpec) parseSet(text string) (valueSet, error) {
	if err := spec.checkChars(text); err != nil {
		return nil, err
	}
	set := make(valueSet, spec.max-spec.min+1)
	for _, term := range strings.Split(text, ",") {
		if err := spec.addTerm(set, term); err != nil {
			return nil, err
		}
	}
	return set, nil
}

func (spec fieldSpec) addTerm(set valueSet, term string) error {
	rangePart, stepPart, hasStep := strings.Cut(term, "/")
	step := 1
	if hasStep {
		n, err := strconv.Atoi(stepPart)
		if err != nil || n <= 0 {
			return invalidf("%s field: increment %q is not a positive integer", spec.name, stepPart)
		}
		step = n
	}
	var from, to int
	switch {
	case rangePart == "*":
		from, to = spec.min, spec.max
	case strings.Contains(rangePart, "-"):
		a, b, _ := strings.Cut(rangePart, "-")
		var err error
		if from, err = spec.value(a); err != nil {
			return err
		}
		if to, err = spec.value(b); err != nil {
			return err
		}
	default:
		v, err := spec.value(rangePart)
		if err != nil {
			return err
		}
		from, to = v, v
		if hasStep {
			to = spec.max
		}
	}
	width := spec.max - spec.min + 1
	span := (to - from + width) % width // wrapped length of the range, minus one
	for i := 0; i <= span; i += step {
		v := spec.min + (from-spec.min+i)%width
		set[v-spec.min] = true
	}
	return nil
}

// value parses a number or a name of the field.
func (spec fieldSpec) value(text string) (int, error) {
	for i, n := range spec.names {
		if strings.EqualFold(text, n) {
			return spec.min + i, nil
		}
	}
	v, err := strconv.Atoi(text)
	if err != nil || v < spec.min || v > spec.max || text == "" || text[0] == '+' || text[0] == '-' {
		return 0, invalidf("%s field: %q is not a value between %d and %d", spec.name, text, spec.min, spec.max)
	}
	return v, nil
}
