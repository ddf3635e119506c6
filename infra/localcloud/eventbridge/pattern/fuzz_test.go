package pattern

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that any input either parses or fails with ErrInvalid,
// never panics, and that a parsed pattern can be matched against events.
func FuzzParse(f *testing.F) {
	seeds := []string{
		`{"source":["aws.ec2"]}`,
		`{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`,
		`{"n":[{"numeric":[">",0,"<=",5]}]}`,
		`{"$or":[{"a":["x"]},{"b":[{"exists":false}]}]}`,
		`{"s":[{"wildcard":"a*b\\*c"}],"ip":[{"cidr":"10.0.0.0/8"}]}`,
		`{"s":[{"prefix":{"equals-ignore-case":"A"}},{"suffix":"z"},null,true,1.5e3]}`,
		`{}`, `[]`, `{"a":[]}`, `{"a":[{"numeric":["=",1e999]}]}`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	events := [][]byte{
		[]byte(ec2Event),
		[]byte(`{"a":["x",1,null,{"b":true}],"s":"a*b*c","n":3,"$or":1}`),
		[]byte(`{}`),
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Parse(src)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrInvalid", src, err)
			}
			return
		}
		for _, ev := range events {
			if _, err := p.Match(ev); err != nil {
				t.Fatalf("Match: %v", err)
			}
		}
	})
}

// FuzzNumericRange checks the range semantics against plain comparisons.
func FuzzNumericRange(f *testing.F) {
	f.Add(0.0, 5.0, 5.0, true, false)
	f.Add(-1.5, 2.25, -1.5, false, true)
	f.Add(1e9, 5e9, 3e9, true, true)
	f.Fuzz(func(t *testing.T, lo, hi, x float64, loOpen, hiOpen bool) {
		if !(lo < hi) || !finite(lo) || !finite(hi) || !finite(x) {
			return
		}
		loOp, hiOp := ">=", "<="
		if loOpen {
			loOp = ">"
		}
		if hiOpen {
			hiOp = "<"
		}
		src := fmt.Sprintf(`{"n":[{"numeric":[%q,%s,%q,%s]}]}`, loOp, jsonNum(lo), hiOp, jsonNum(hi))
		p, err := Parse(src)
		if err != nil {
			t.Fatalf("Parse(%s): %v", src, err)
		}
		got, err := p.Match([]byte(`{"n":` + jsonNum(x) + `}`))
		if err != nil {
			t.Fatal(err)
		}
		want := (x > lo || (!loOpen && x == lo)) && (x < hi || (!hiOpen && x == hi))
		if got != want {
			t.Fatalf("%s on %v = %v, want %v", src, x, got, want)
		}
	})
}

// FuzzWildcard compares the wildcard matcher with an equivalent regexp.
func FuzzWildcard(f *testing.F) {
	f.Add("a*b*c", "axxbyyc")
	f.Add("*.png", "x.png")
	f.Add("a\\*b", "a*b")
	f.Add("*", "")
	f.Fuzz(func(t *testing.T, pat, s string) {
		// Event values come from JSON and are therefore valid UTF-8.
		if !utf8.ValidString(pat) || !utf8.ValidString(s) {
			return
		}
		w, err := parseWildcard(pat)
		if err != nil {
			return
		}
		quoted := make([]string, len(w.parts))
		for i, p := range w.parts {
			quoted[i] = regexp.QuoteMeta(p)
		}
		re := regexp.MustCompile(`(?s)\A` + strings.Join(quoted, `.*`) + `\z`)
		if got, want := w.matchString(s), re.MatchString(s); got != want {
			t.Fatalf("wildcard %q on %q = %v, regexp says %v", pat, s, got, want)
		}
	})
}

func finite(f float64) bool { return f == f && f < 1e308 && f > -1e308 }

func jsonNum(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}
