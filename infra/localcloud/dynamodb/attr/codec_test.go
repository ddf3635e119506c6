package attr

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestDecodeItemValues(t *testing.T) {
	t.Parallel()
	it, err := DecodeItem([]byte(`{
		"s": {"S": "h\u00e9llo \"q\" \ud83d\ude00"},
		"empty": {"S": ""},
		"n": {"N": "1.50"},
		"b": {"B": "AQID"},
		"t": {"BOOL": true},
		"f": {"BOOL": false},
		"z": {"NULL": true},
		"m": {"M": {"k": {"N": "1"}, "e": {"M": {}}}},
		"l": {"L": [{"S": "a"}, {"N": "2"}, {"L": []}]},
		"ss": {"SS": ["a", "b"]},
		"ns": {"NS": ["1", "2.0"]},
		"bs": {"BS": ["AQ==", "Ag=="]},
		"withnull": {"S": "x", "N": null}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"s", it["s"].Str(), "héllo \"q\" 😀"},
		{"empty", it["empty"].Kind(), KindS},
		{"n", it["n"].NumStr(), "1.5"},
		{"b", string(it["b"].Bytes()), "\x01\x02\x03"},
		{"t", it["t"].BoolVal(), true},
		{"f kind", it["f"].Kind(), KindBOOL},
		{"z", it["z"].Kind(), KindNULL},
		{"m.k", it["m"].Map()["k"].NumStr(), "1"},
		{"m.e", it["m"].Map()["e"].Len(), 0},
		{"l len", len(it["l"].List()), 3},
		{"l[1]", it["l"].List()[1].NumStr(), "2"},
		{"ss", strings.Join(it["ss"].Strings(), ","), "a,b"},
		{"ns", strings.Join(it["ns"].Strings(), ","), "1,2"},
		{"bs", len(it["bs"].BytesSet()), 2},
		{"withnull", it["withnull"].Str(), "x"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// Messages are DynamoDB's, as recorded by dynalite's tests (which were
// checked against DynamoDB) for invalid AttributeValues.
func TestDecodeItemValidation(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`{"a":{}}`, msgEmptyValue},
		{`{"a":{"S":null}}`, msgEmptyValue},
		{`{"a":{"X":"1"}}`, msgEmptyValue},
		{`{"a":{"S":"a","N":"1"}}`, msgManyTypes},
		{`{"a":{"S":"a","X":"1"}}`, `Supplied AttributeValue has an unsupported datatype "X", must contain exactly one of the supported datatypes`},
		{`{"a":{"NULL":false}}`, "One or more parameter values were invalid: Null attribute value types must have the value of true"},
		{`{"a":{"SS":[]}}`, "One or more parameter values were invalid: An string set  may not be empty"},
		{`{"a":{"NS":[]}}`, "One or more parameter values were invalid: An number set  may not be empty"},
		{`{"a":{"BS":[]}}`, "One or more parameter values were invalid: Binary sets should not be empty"},
		{`{"a":{"SS":["a","a"]}}`, "One or more parameter values were invalid: Input collection [a, a] contains duplicates."},
		{`{"a":{"BS":["Yg==","Yg=="]}}`, "One or more parameter values were invalid: Input collection [Yg==, Yg==]of type BS contains duplicates."},
		{`{"a":{"NS":["1","1.0"]}}`, "Input collection contains duplicates"},
		{`{"a":{"N":"b"}}`, "The parameter cannot be converted to a numeric value: b"},
		{`{"a":{"N":""}}`, "The parameter cannot be converted to a numeric value"},
		{`{"a":{"NS":["1","b"]}}`, "The parameter cannot be converted to a numeric value: b"},
		{`{"a":{"N":"1e126"}}`, msgOverflow},
		{`{"a":{"M":{"b":{}}}}`, msgEmptyValue},
		{`{"a":{"L":[{"L":[{}]}]}}`, msgEmptyValue},
		{`{"a":` + strings.Repeat(`{"L":[`, 33) + `{"S":"x"}` + strings.Repeat(`]}`, 33) + `}`, msgTooDeep},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			_, err := DecodeItem([]byte(tt.in))
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("DecodeItem error = %v, want a *ValidationError", err)
			}
			if ve.Message != tt.want {
				t.Errorf("DecodeItem = %q, want %q", ve.Message, tt.want)
			}
		})
	}
}

func TestDecodeItemNesting(t *testing.T) {
	t.Parallel()
	// 32 levels of nesting are allowed.
	in := `{"a":` + strings.Repeat(`{"L":[`, 31) + `{"S":"x"}` + strings.Repeat(`]}`, 31) + `}`
	if _, err := DecodeItem([]byte(in)); err != nil {
		t.Fatalf("32 levels: %v", err)
	}
}

// A number sent as a JSON number is a SerializationException in DynamoDB
// (Alternator's test_number_in_json), as is any malformed JSON; malformed
// JSON wins over invalid values that come before it.
func TestDecodeItemSerialization(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		``,
		`[]`,
		`{"a":{"N":123}}`,
		`{"a":{"S":1}}`,
		`{"a":{"BOOL":"true"}}`,
		`{"a":{"NULL":1}}`,
		`{"a":{"B":"not base64!"}}`,
		`{"a":{"SS":[1]}}`,
		`{"a":{"L":{}}}`,
		`{"a":{"M":[]}}`,
		`{"a":{"S":"x"}`,
		`{"a":{"S":"x"}} x`,
		`{"a":{"S":"x\q"}}`,
		`{"a":{"S":"` + "\x01" + `"}}`,
		`{"a":{"S":"` + "\xff" + `"}}`,
		`{"a":{"S":"x",}}`,
		`{"a" {"S":"x"}}`,
		`{"a":{"SS":[]}, "b":{"N":1}}`,
		`{"a":{"X":[1,{"y":tru}]}}`,
	} {
		_, err := DecodeItem([]byte(in))
		var se *SerializationError
		if !errors.As(err, &se) {
			t.Errorf("DecodeItem(%q) error = %v, want a *SerializationError", in, err)
		}
	}
}

func TestDecodeItemNull(t *testing.T) {
	t.Parallel()
	it, err := DecodeItem([]byte(" null "))
	if err != nil || it != nil {
		t.Errorf("DecodeItem(null) = %v, %v; want nil, nil", it, err)
	}
}

func sampleItem(t testing.TB) Item {
	t.Helper()
	ns, err := NS([]string{"1", "2.5", "-3"})
	if err != nil {
		t.Fatal(err)
	}
	return Item{
		"pk":      S("ACCOUNT#123"),
		"sk":      S("PAYMENT#2024-01-01T00:00:00Z#abc"),
		"amount":  mustN(t, "1234.56"),
		"ctrl":    S("tab\tquote\" back\\ nl\n \x01 \u2028 <&> é"),
		"bin":     B([]byte{0, 1, 2, 255}),
		"ok":      Bool(true),
		"nothing": Null(),
		"meta":    M(map[string]Value{"a": S("x"), "n": L([]Value{mustN(t, "1"), S("y")})}),
		"tags":    SS([]string{"a", "b"}),
		"nums":    ns,
		"blobs":   BS([][]byte{{1}, {2, 3}}),
		"empty":   L(nil),
	}
}

func TestItemJSONRoundTrip(t *testing.T) {
	t.Parallel()
	it := sampleItem(t)
	data := AppendItemJSON(nil, it)
	if !json.Valid(data) {
		t.Fatalf("invalid JSON: %s", data)
	}
	back, err := DecodeItem(data)
	if err != nil {
		t.Fatalf("DecodeItem(%s): %v", data, err)
	}
	if !Equal(M(it), M(back)) {
		t.Fatalf("round trip changed the item:\n%s\n%s", data, AppendItemJSON(nil, back))
	}
	// encoding/json reads the same strings back.
	var generic map[string]map[string]any
	if err := json.Unmarshal(data, &generic); err != nil {
		t.Fatal(err)
	}
	if got := generic["ctrl"]["S"]; got != it["ctrl"].Str() {
		t.Errorf("encoding/json reads %q, want %q", got, it["ctrl"].Str())
	}
	if got := generic["bin"]["B"]; got != "AAEC/w==" {
		t.Errorf("B encodes as %q", got)
	}
}

func TestValueJSONMethods(t *testing.T) {
	t.Parallel()
	type wrapper struct {
		Item map[string]Value
		V    Value
	}
	in := wrapper{Item: sampleItem(t), V: mustN(t, "-0.50")}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out wrapper
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if !Equal(M(in.Item), M(out.Item)) || out.V.NumStr() != "-0.5" {
		t.Errorf("json round trip: %s", data)
	}
	var bad Value
	err = json.Unmarshal([]byte(`{"NULL":false}`), &bad)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Errorf("UnmarshalJSON(NULL false) = %v, want *ValidationError", err)
	}
}

func TestInvalidUTF8IsReplacedOnOutput(t *testing.T) {
	t.Parallel()
	got := string(AppendValueJSON(nil, S("a\xffb")))
	if got != `{"S":"a\ufffdb"}` {
		t.Errorf("got %s", got)
	}
}

// FuzzDecodeItem: the decoder never panics, every error is one of the two
// typed errors, and whatever it accepts encodes to JSON it reads back as an
// equal item.
func FuzzDecodeItem(f *testing.F) {
	f.Add([]byte(`{"a":{"S":"x"},"b":{"N":"1.0"}}`))
	f.Add(AppendItemJSON(nil, sampleItem(f)))
	f.Add([]byte(`{"a":{"SS":["a","a"]}}`))
	f.Add([]byte(`{"a":{"S":"\ud800\u0041"}}`))
	f.Add([]byte(`{"a":{"X":[1,{"y":true}],"S":"q"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		it, err := DecodeItem(data)
		if err != nil {
			var ve *ValidationError
			var se *SerializationError
			if !errors.As(err, &ve) && !errors.As(err, &se) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		out := AppendItemJSON(nil, it)
		if !json.Valid(out) {
			t.Fatalf("encoder wrote invalid JSON %q", out)
		}
		back, err := DecodeItem(out)
		if err != nil {
			t.Fatalf("re-decoding %q: %v", out, err)
		}
		if !Equal(M(it), M(back)) {
			t.Fatalf("round trip of %q changed it: %q", data, out)
		}
		if ItemSize(it) != ItemSize(back) {
			t.Fatalf("size changed in round trip")
		}
	})
}

// typicalItem is an 8-attribute payment record like those Paylane writes.
var typicalItem = []byte(`{"pk":{"S":"MERCHANT#m_01HZX3"},"sk":{"S":"PAYMENT#2024-05-01T12:00:00.000Z#p_01HZX4"},"amount":{"N":"1999"},"currency":{"S":"EUR"},"status":{"S":"AUTHORIZED"},"version":{"N":"3"},"captured":{"BOOL":false},"meta":{"M":{"ip":{"S":"203.0.113.9"},"attempt":{"N":"1"}}}}`)

func BenchmarkDecodeItem(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(typicalItem)))
	for b.Loop() {
		if _, err := DecodeItem(typicalItem); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendItemJSON(b *testing.B) {
	it, err := DecodeItem(typicalItem)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendItemJSON(buf[:0], it)
	}
	if !bytes.Contains(buf, []byte(`"amount":{"N":"1999"}`)) {
		b.Fatalf("unexpected output %s", buf)
	}
}

func BenchmarkItemSize(b *testing.B) {
	it, _ := DecodeItem(typicalItem)
	b.ReportAllocs()
	for b.Loop() {
		_ = ItemSize(it)
	}
}
