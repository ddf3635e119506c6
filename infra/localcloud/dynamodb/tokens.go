package dynamodb

import (
	"hash/maphash"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// TransactWriteItems client request tokens,
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html#DDB-TransactWriteItems-request-ClientRequestToken:
// a token is valid for 10 minutes after the first request using it
// completes; a repeat with the same parameters succeeds without applying
// anything again, a repeat with other parameters is an
// IdempotentParameterMismatchException, and a repeat while the first is
// still running a TransactionInProgressException.

const tokenWindow = 10 * time.Minute

type tokenState uint8

const (
	tokenNew tokenState = iota
	tokenReplay
	tokenMismatch
	tokenInProgress
)

type tokenEntry struct {
	digest digest
	at     time.Time // completion time (start time while in progress)
	done   bool
	replay []consumed // what a replay reports: reading the items
}

// tokenStore remembers tokens for their window, and at most max of them
// (oldest forgotten first) so a long load test with SDK-generated tokens
// cannot exhaust memory.
type tokenStore struct {
	mu    sync.Mutex
	seeds [2]maphash.Seed
	m     map[string]*tokenEntry
	order []string // insertion order; may hold stale names
	head  int
	max   int
}

func newTokenStore(max int) *tokenStore {
	return &tokenStore{m: make(map[string]*tokenEntry), max: max, seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}}
}

// begin registers token for a request with the given digest.
func (ts *tokenStore) begin(token string, digest digest, now time.Time) (tokenState, *tokenEntry) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.expireLocked(now)
	if e, ok := ts.m[token]; ok {
		if e.done && now.Sub(e.at) >= tokenWindow {
			delete(ts.m, token)
		} else {
			switch {
			case e.digest != digest:
				return tokenMismatch, nil
			case !e.done:
				return tokenInProgress, nil
			default:
				return tokenReplay, e
			}
		}
	}
	ts.m[token] = &tokenEntry{digest: digest, at: now}
	ts.order = append(ts.order, token)
	return tokenNew, nil
}

// finish records the outcome: a success is remembered for the window, a
// failure forgets the token (nothing was applied, a retry must run).
func (ts *tokenStore) finish(token string, ok bool, replay []consumed, now time.Time) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	e, found := ts.m[token]
	if !found {
		return
	}
	if !ok {
		delete(ts.m, token)
		return
	}
	e.done, e.at, e.replay = true, now, replay
}

// expireLocked forgets tokens past their window or beyond the bound.
func (ts *tokenStore) expireLocked(now time.Time) {
	for ts.head < len(ts.order) {
		name := ts.order[ts.head]
		e, ok := ts.m[name]
		over := len(ts.order)-ts.head > ts.max
		if ok && !over && (!e.done || now.Sub(e.at) < tokenWindow) {
			break
		}
		if ok && (over || e.done) {
			delete(ts.m, name)
		}
		ts.order[ts.head] = ""
		ts.head++
	}
	if ts.head > 1024 && ts.head > len(ts.order)/2 {
		n := copy(ts.order, ts.order[ts.head:])
		clear(ts.order[n:])
		ts.order = ts.order[:n]
		ts.head = 0
	}
}

// digester writes a canonical form of a request (map members sorted) so
// that the same request digests the same however its maps were ordered.
type digester struct {
	buf []byte
}

func (d *digester) str(s string) {
	d.buf = strconv.AppendInt(d.buf, int64(len(s)), 10)
	d.buf = append(d.buf, ':')
	d.buf = append(d.buf, s...)
}

func (d *digester) item(it attr.Item) {
	var arr [16]string
	keys := arr[:0]
	for k := range it {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	d.buf = append(d.buf, '{')
	for _, k := range keys {
		d.str(k)
		d.value(it[k])
	}
	d.buf = append(d.buf, '}')
}

func (d *digester) value(v attr.Value) {
	d.buf = append(d.buf, byte(v.Kind()))
	switch v.Kind() {
	case attr.KindS:
		d.str(v.Str())
	case attr.KindN:
		d.str(v.NumStr())
	case attr.KindB:
		d.str(string(v.Bytes()))
	case attr.KindBOOL:
		if v.BoolVal() {
			d.buf = append(d.buf, '1')
		} else {
			d.buf = append(d.buf, '0')
		}
	case attr.KindNULL:
	case attr.KindM:
		d.item(v.Map())
	case attr.KindL:
		l := v.List()
		d.buf = strconv.AppendInt(d.buf, int64(len(l)), 10)
		for _, e := range l {
			d.value(e)
		}
	case attr.KindSS, attr.KindNS:
		m := v.Strings()
		slices.Sort(m)
		for _, e := range m {
			d.str(e)
		}
	case attr.KindBS:
		bs := v.BytesSet()
		m := make([]string, len(bs))
		for i, b := range bs {
			m[i] = string(b)
		}
		slices.Sort(m)
		for _, e := range m {
			d.str(e)
		}
	}
}

func (d *digester) names(m map[string]string) {
	var arr [16]string
	keys := arr[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		d.str(k)
		d.str(m[k])
	}
	d.buf = append(d.buf, ';')
}

// sum hashes the canonical form with two independently seeded 64-bit hashes:
// a digest is only ever compared with the digest stored for the same token,
// so 128 bits make a false "same request" practically impossible, and
// maphash is several times cheaper than a cryptographic hash on the hot path.
func (d *digester) sum(seeds [2]maphash.Seed) digest {
	return digest{maphash.Bytes(seeds[0], d.buf), maphash.Bytes(seeds[1], d.buf)}
}

// digest identifies a request's parameters.
type digest [2]uint64
