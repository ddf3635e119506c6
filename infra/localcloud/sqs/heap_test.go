package sqs

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestMsgHeapMatchesSortedModel drives the heap with random pushes, pops,
// removals from the middle and re-keys, checking every pop against a
// sorted-slice model and every recorded position against the real index.
func TestMsgHeapMatchesSortedModel(t *testing.T) {
	t.Parallel()
	for seed := range uint64(50) {
		rng := rand.New(rand.NewPCG(seed, seed*7+1))
		h := msgHeap{less: func(a, b *message) bool { return a.seq < b.seq }, pos: func(m *message) *int { return &m.pos }}
		var model []*message
		next := uint64(0)
		for step := range 2000 {
			switch op := rng.IntN(10); {
			case op < 4:
				next++
				m := &message{seq: rng.Uint64N(1000), id: string(rune(next))}
				h.Push(m)
				model = append(model, m)
			case op < 6 && len(model) > 0:
				got := h.Pop()
				minSeq := slices.MinFunc(model, func(a, b *message) int { return cmpU(a.seq, b.seq) }).seq
				if got.seq != minSeq {
					t.Fatalf("seed %d step %d: Pop seq %d, want %d", seed, step, got.seq, minSeq)
				}
				model = slices.DeleteFunc(model, func(m *message) bool { return m == got })
			case op < 8 && len(model) > 0:
				victim := model[rng.IntN(len(model))]
				h.Remove(victim)
				if victim.pos != -1 {
					t.Fatalf("removed message keeps position %d", victim.pos)
				}
				model = slices.DeleteFunc(model, func(m *message) bool { return m == victim })
			case len(model) > 0:
				m := model[rng.IntN(len(model))]
				m.seq = rng.Uint64N(1000)
				h.Fix(m)
			}
			if h.Len() != len(model) {
				t.Fatalf("seed %d step %d: Len %d, model %d", seed, step, h.Len(), len(model))
			}
			for i, m := range h.items {
				if m.pos != i {
					t.Fatalf("seed %d step %d: item %d records position %d", seed, step, i, m.pos)
				}
			}
		}
	}
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
