package sqs

// msgHeap is a binary min-heap of messages that records each message's
// position (through pos) so a message can be removed or re-keyed from the
// middle in O(log n): deletes and visibility changes address messages by
// receipt handle, not by heap order.
type msgHeap struct {
	items []*message
	less  func(a, b *message) bool
	pos   func(m *message) *int
}

func (h *msgHeap) Len() int { return len(h.items) }

// Peek returns the smallest message, nil when empty.
func (h *msgHeap) Peek() *message {
	if len(h.items) == 0 {
		return nil
	}
	return h.items[0]
}

func (h *msgHeap) Push(m *message) {
	*h.pos(m) = len(h.items)
	h.items = append(h.items, m)
	h.up(len(h.items) - 1)
}

// Pop removes and returns the smallest message, nil when empty.
func (h *msgHeap) Pop() *message {
	if len(h.items) == 0 {
		return nil
	}
	m := h.items[0]
	h.Remove(m)
	return m
}

// Remove takes m out of the heap; m must be in it.
func (h *msgHeap) Remove(m *message) {
	i := *h.pos(m)
	last := len(h.items) - 1
	if i != last {
		h.swap(i, last)
	}
	h.items[last] = nil
	h.items = h.items[:last]
	*h.pos(m) = -1
	if i != last {
		h.fix(i)
	}
}

// Fix restores the order after m's key changed.
func (h *msgHeap) Fix(m *message) { h.fix(*h.pos(m)) }

// Clear empties the heap, resetting positions.
func (h *msgHeap) Clear() {
	for i, m := range h.items {
		*h.pos(m) = -1
		h.items[i] = nil
	}
	h.items = h.items[:0]
}

func (h *msgHeap) fix(i int) {
	if !h.down(i) {
		h.up(i)
	}
}

func (h *msgHeap) swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	*h.pos(h.items[i]) = i
	*h.pos(h.items[j]) = j
}

func (h *msgHeap) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !h.less(h.items[i], h.items[parent]) {
			return
		}
		h.swap(i, parent)
		i = parent
	}
}

// down sifts i towards the leaves and reports whether it moved.
func (h *msgHeap) down(i int) bool {
	start := i
	n := len(h.items)
	for {
		left := 2*i + 1
		if left >= n {
			break
		}
		smallest := left
		if right := left + 1; right < n && h.less(h.items[right], h.items[left]) {
			smallest = right
		}
		if !h.less(h.items[smallest], h.items[i]) {
			break
		}
		h.swap(i, smallest)
		i = smallest
	}
	return i > start
}
