package samtemplate

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

var errNoSuchResource = errors.New("fake resolver: no such resource")

// fakeResources answers Ref and GetAtt with recognisable strings, as the
// provisioner would with names and ARNs; ids in missing fail.
type fakeResources struct {
	missing map[string]bool
}

func (f fakeResources) Ref(id string) (string, error) {
	if f.missing[id] {
		return "", errNoSuchResource
	}
	return "ref:" + id, nil
}

func (f fakeResources) GetAtt(id, attr string) (string, error) {
	if f.missing[id] {
		return "", errNoSuchResource
	}
	return "att:" + id + "." + attr, nil
}

func mustParseFile(tb testing.TB, name string) *Template {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	t, err := Parse(data)
	if err != nil {
		tb.Fatalf("Parse(%s): %v", name, err)
	}
	return t
}

func mustParse(tb testing.TB, src string) *Template {
	tb.Helper()
	t, err := Parse([]byte(src))
	if err != nil {
		tb.Fatalf("Parse: %v\n%s", err, src)
	}
	return t
}

func testContext() Context {
	return Context{StackName: "paylane", Region: "us-east-1", Resources: fakeResources{}}
}
