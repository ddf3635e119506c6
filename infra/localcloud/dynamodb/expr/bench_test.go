package expr

import "testing"

func BenchmarkParseCondition(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCondition("attribute_not_exists(pk)", nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseUpdate(b *testing.B) {
	values := vals(b, `{":s":{"S":"CAPTURED"},":one":{"N":"1"}}`)
	names := Names{"#s": "status"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseUpdate("SET #s = :s, v = v + :one", names, values); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApplyUpdate(b *testing.B) {
	values := vals(b, `{":s":{"S":"CAPTURED"},":one":{"N":"1"}}`)
	u, err := ParseUpdate("SET #s = :s, v = v + :one", Names{"#s": "status"}, values)
	if err != nil {
		b.Fatal(err)
	}
	it := item(b, `{"pk":{"S":"p"},"sk":{"S":"s"},"status":{"S":"AUTHORIZED"},"v":{"N":"3"},"amount":{"N":"1999"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := u.Apply(it); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvalCondition(b *testing.B) {
	c, err := ParseCondition("attribute_exists(pk) AND #s = :s", Names{"#s": "status"}, vals(b, `{":s":{"S":"AUTHORIZED"}}`))
	if err != nil {
		b.Fatal(err)
	}
	it := item(b, `{"pk":{"S":"p"},"status":{"S":"AUTHORIZED"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if ok, _ := c.Eval(it); !ok {
			b.Fatal("false")
		}
	}
}
