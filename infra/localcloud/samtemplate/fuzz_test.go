package samtemplate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that no input makes Parse, Order or Resolve panic, and
// that what Parse accepts is internally consistent.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", "{}", "[]", "Resources:", "a: &a [*a, *a]",
		"Resources: {A: {Type: X, Properties: {P: !Sub '${B.C}'}}, B: {Type: Y, DependsOn: A}}",
		"Resources: {A: {Type: X, Properties: {P: !If [C, !Ref A, 1]}}}\nConditions: {C: !Not [!Condition C]}",
		"x: &x {<<: *x}", "!Ref", "Resources: {A: {Type: X, Properties: !GetAtt a.b}}",
		"{\"Resources\": {\"A\": {\"Type\": \"X\", \"Properties\": {\"P\": {\"Fn::Select\": [\"9\", []]}}}}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(checkTemplate)
}

// checkTemplate runs everything the provisioner would on data; it must
// never panic.
func checkTemplate(t *testing.T, data []byte) {
	tpl, err := Parse(data)
	if err != nil {
		return
	}
	if len(tpl.Resources) == 0 {
		t.Fatal("Parse accepted a template without resources")
	}
	order, err := tpl.Order()
	if err == nil && len(order) != len(tpl.Resources) {
		t.Fatalf("Order returned %d ids for %d resources", len(order), len(tpl.Resources))
	}
	params := map[string]string{}
	for name := range tpl.Parameters {
		params[name] = "1"
	}
	c := Context{StackName: "s", Parameters: params, Resources: fakeResources{}}
	for _, r := range tpl.Resources {
		props, err := tpl.Resolve(r.Properties, c)
		if m, ok := props.(map[string]any); ok && err == nil && r.Type == "AWS::Serverless::Function" {
			_, _ = FunctionFrom(r, m)
		}
	}
	for name := range tpl.Conditions {
		_, _ = tpl.ConditionTrue(name, c)
	}
}

// FuzzParseSub checks the Fn::Sub parser against a simple model: joining
// the parts back (variables as ${name}) gives the input with ${!x} turned
// into ${x}, and a string without "${" is a single literal.
func FuzzParseSub(f *testing.F) {
	for _, s := range []string{"", "plain", "${A}", "a${B.C}b", "${!Lit}", "$5 ${AWS::Region}", "${", "${}", "}${A}{"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parts, err := parseSub(s)
		if err != nil {
			if !strings.Contains(s, "${") {
				t.Fatalf("parseSub(%q) failed without any ${: %v", s, err)
			}
			return
		}
		var b strings.Builder
		for _, p := range parts {
			if p.isVar {
				if p.variable == "" || strings.HasPrefix(p.variable, "!") || strings.Contains(p.variable, "}") {
					t.Fatalf("parseSub(%q): bad variable %q", s, p.variable)
				}
				b.WriteString("${" + p.variable + "}")
			} else {
				b.WriteString(p.literal)
			}
		}
		want := strings.ReplaceAll(s, "${!", "${")
		if !strings.Contains(s, "${!") && b.String() != want {
			t.Fatalf("parseSub(%q) round trip = %q", s, b.String())
		}
		if !strings.Contains(s, "${") && (len(parts) > 1 || (len(parts) == 1 && parts[0].literal != s)) {
			t.Fatalf("parseSub(%q) = %#v, want one literal", s, parts)
		}
	})
}
