package attr

import (
	"strings"
	"testing"
)

func TestEqual(t *testing.T) {
	t.Parallel()
	ns1, _ := NS([]string{"1", "2", "3"})
	ns2, _ := NS([]string{"3.0", "2", "1E0"})
	ns3, _ := NS([]string{"1", "2"})
	tests := []struct {
		name string
		a, b Value
		want bool
	}{
		{"same string", S("a"), S("a"), true},
		{"different string", S("a"), S("b"), false},
		{"string vs number", S("1"), mustN(t, "1"), false},
		{"numbers by value", mustN(t, "1.0"), mustN(t, "1E0"), true},
		{"numbers differ", mustN(t, "1"), mustN(t, "1.0001"), false},
		{"binary", B([]byte{1}), B([]byte{1}), true},
		{"binary vs string", B([]byte("a")), S("a"), false},
		{"bool", Bool(true), Bool(true), true},
		{"bool differ", Bool(true), Bool(false), false},
		{"null", Null(), Null(), true},
		{"string sets any order", SS([]string{"a", "b", "c"}), SS([]string{"c", "a", "b"}), true},
		{"string sets differ", SS([]string{"a", "b"}), SS([]string{"a", "c"}), false},
		{"number sets by value", ns1, ns2, true},
		{"number sets size", ns1, ns3, false},
		{"binary sets", BS([][]byte{{1}, {2}}), BS([][]byte{{2}, {1}}), true},
		{"SS vs BS", SS([]string{"a"}), BS([][]byte{[]byte("a")}), false},
		{"maps deep", M(map[string]Value{"a": L([]Value{mustN(t, "1")})}), M(map[string]Value{"a": L([]Value{mustN(t, "1.00")})}), true},
		{"maps differ in key", M(map[string]Value{"a": S("x")}), M(map[string]Value{"b": S("x")}), false},
		{"lists ordered", L([]Value{S("a"), S("b")}), L([]Value{S("b"), S("a")}), false},
		{"large sets", SS(strings.Split("a b c d e f g h i j k", " ")), SS(strings.Split("k j i h g f e d c b a", " ")), true},
	}
	for _, tt := range tests {
		if got := Equal(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: Equal = %v, want %v", tt.name, got, tt.want)
		}
		if got := Equal(tt.b, tt.a); got != tt.want {
			t.Errorf("%s: Equal reversed = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// Binary values order as unsigned bytes and strings by their UTF-8 bytes
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Binary).
func TestCompare(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b Value
		want int
	}{
		{S("a"), S("b"), -1},
		{S("B"), S("a"), -1},
		{S("é"), S("z"), 1},
		{S(""), S("a"), -1},
		{B([]byte{127}), B([]byte{128}), -1},
		{B([]byte{1, 2}), B([]byte{1}), 1},
		{mustN(t, "-5"), mustN(t, "3"), -1},
		{mustN(t, "10"), mustN(t, "9"), 1},
		{mustN(t, "2.50"), mustN(t, "2.5"), 0},
	}
	for _, tt := range tests {
		got, err := Compare(tt.a, tt.b)
		if err != nil || got != tt.want {
			t.Errorf("Compare(%v, %v) = %d, %v; want %d", tt.a, tt.b, got, err, tt.want)
		}
	}
	for _, pair := range [][2]Value{{S("1"), mustN(t, "1")}, {Bool(true), Bool(false)}, {L(nil), L(nil)}, {Null(), Null()}} {
		if _, err := Compare(pair[0], pair[1]); err == nil {
			t.Errorf("Compare(%v, %v) succeeded", pair[0].Kind(), pair[1].Kind())
		}
	}
}

func TestKeyString(t *testing.T) {
	t.Parallel()
	for _, group := range [][]string{{"1", "1.0", "1E0", "01", "+1", "10e-1"}, {"0", "-0", "0.00", "0e5"}, {"-2.5", "-25e-1", "-2.500"}} {
		want := mustN(t, group[0]).KeyString()
		for _, s := range group[1:] {
			if got := mustN(t, s).KeyString(); got != want {
				t.Errorf("KeyString(%s) = %q, want %q", s, got, want)
			}
		}
	}
	if S("a").KeyString() != "a" || B([]byte{1}).KeyString() != "\x01" {
		t.Error("KeyString of S or B is not the value")
	}
	if L(nil).KeyString() != "" || Bool(true).KeyString() != "" {
		t.Error("KeyString of a non-key type is not empty")
	}
	if mustN(t, "1").KeyString() == mustN(t, "10").KeyString() {
		t.Error("different numbers share a key")
	}
}

// Sizes per https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
func TestItemSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		item Item
		want int
	}{
		{"string", Item{"name": S("héllo")}, 4 + 6},
		{"empty string", Item{"a": S("")}, 1},
		{"number one digit", Item{"n": mustN(t, "7")}, 1 + 2},
		{"number 12.3456 has 6 digits", Item{"n": mustN(t, "12.3456")}, 1 + 4},
		{"number trailing zeros not counted", Item{"n": mustN(t, "1000000")}, 1 + 2},
		{"number leading zeros not counted", Item{"n": mustN(t, "0.0005")}, 1 + 2},
		{"binary raw bytes", Item{"b": B([]byte{1, 2, 3})}, 1 + 3},
		{"bool", Item{"ok": Bool(false)}, 2 + 1},
		{"null", Item{"z": Null()}, 1 + 1},
		{"empty map", Item{"m": M(nil)}, 1 + 3},
		{"empty list", Item{"l": L(nil)}, 1 + 3},
		{"map with elements", Item{"m": M(map[string]Value{"ab": S("xyz")})}, 1 + 3 + (2 + 3 + 1)},
		{"list with elements", Item{"l": L([]Value{S("xyz"), Bool(true)})}, 1 + 3 + (3 + 1) + (1 + 1)},
		{"string set", Item{"ss": SS([]string{"a", "bc"})}, 2 + 3},
		{"binary set", Item{"bs": BS([][]byte{{1}, {2, 3}})}, 2 + 3},
		{"two attributes", Item{"a": S("x"), "bb": S("yy")}, 2 + 4},
	}
	for _, tt := range tests {
		if got := ItemSize(tt.item); got != tt.want {
			t.Errorf("%s: ItemSize = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestValueAccessorsCopy(t *testing.T) {
	t.Parallel()
	src := []byte{1, 2}
	b := B(src)
	src[0] = 9
	if b.Bytes()[0] != 1 {
		t.Error("B does not copy its input")
	}
	b.Bytes()[0] = 7
	if b.Bytes()[0] != 1 {
		t.Error("Bytes does not return a copy")
	}
	m := M(map[string]Value{"a": S("x")})
	m.Map()["a"] = S("changed")
	if v, _ := m.MapGet("a"); v.Str() != "x" {
		t.Error("Map does not return a copy")
	}
	l := L([]Value{S("x")})
	l.List()[0] = S("changed")
	if v, _ := l.ListGet(0); v.Str() != "x" {
		t.Error("List does not return a copy")
	}
	it := Item{"a": S("x")}
	c := it.Clone()
	c["a"] = S("y")
	c["b"] = S("z")
	if it["a"].Str() != "x" || len(it) != 1 {
		t.Error("Clone shares the top-level map")
	}
	if S("x").NumStr() != "" || mustN(t, "1").Str() != "" || S("x").Bytes() != nil || S("x").Map() != nil {
		t.Error("accessors of another kind return values")
	}
}

func TestSetAndListOps(t *testing.T) {
	t.Parallel()
	u, ok := SetUnion(SS([]string{"a", "b"}), SS([]string{"b", "c"}))
	if !ok || !Equal(u, SS([]string{"a", "b", "c"})) {
		t.Errorf("SetUnion = %v, %v", u.Strings(), ok)
	}
	if _, ok := SetUnion(SS([]string{"a"}), BS([][]byte{{1}})); ok {
		t.Error("SetUnion of SS and BS succeeded")
	}
	rest, empty, ok := SetMinus(SS([]string{"a", "b"}), SS([]string{"b", "x"}))
	if !ok || empty || !Equal(rest, SS([]string{"a"})) {
		t.Errorf("SetMinus = %v %v %v", rest.Strings(), empty, ok)
	}
	if _, empty, ok := SetMinus(SS([]string{"a"}), SS([]string{"a"})); !ok || !empty {
		t.Error("SetMinus of everything is not empty")
	}
	ns, _ := NS([]string{"1", "2"})
	if !SetHas(ns, mustN(t, "2.0")) || SetHas(ns, S("2")) || SetHas(SS([]string{"2"}), mustN(t, "2")) {
		t.Error("SetHas")
	}
	l, ok := ListConcat(L([]Value{S("a")}), L([]Value{S("b")}))
	if !ok || l.Len() != 2 {
		t.Error("ListConcat")
	}
	if _, ok := ListConcat(L(nil), S("x")); ok {
		t.Error("ListConcat with a string succeeded")
	}
	base := L([]Value{S("a"), S("b")})
	if got := base.WithIndex(2, S("c")); got.Len() != 3 || base.Len() != 2 {
		t.Error("WithIndex append")
	}
	if got := base.WithoutIndex(0); got.Len() != 1 || base.Len() != 2 {
		t.Error("WithoutIndex")
	}
	mm := M(map[string]Value{"a": S("x")})
	if got := mm.WithKey("b", S("y")); got.Len() != 2 || mm.Len() != 1 {
		t.Error("WithKey")
	}
	if got := mm.WithoutKey("a"); got.Len() != 0 || mm.Len() != 1 {
		t.Error("WithoutKey")
	}
}
