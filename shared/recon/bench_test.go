package recon_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	localdynamodb "github.com/paylane/paylane/infra/localcloud/dynamodb"
	"github.com/paylane/paylane/shared/recon"
	"github.com/paylane/paylane/shared/recon/recontest"
)

// The benchmarks reconcile statements of 100,000 and 1,000,000 lines against as many
// records in the local cloud's DynamoDB, through the real adapter and SDK. The statement
// is generated as it is read; the report and the discrepancies are discarded.
//
//	go test -run '^$' -bench 'Reconcile/.*/lines=100000$' -benchtime 1x ./shared/recon/
//	go test -run '^$' -bench 'Reconcile/.*/lines=1000000$' -benchtime 1x -timeout 30m ./shared/recon/
//
// (the million-line runs take minutes and the database some 10 GiB.) Two placements of
// the database:
//
//   - db=in-process: the local DynamoDB in this process, as the tests run it. The peak
//     RSS (VmHWM) and the heap after the run grow with the file: the database keeps every
//     record, mark and result in memory.
//   - db=subprocess: the same DynamoDB served by a child process (this test binary), so
//     this process holds the reconciler alone: its peak RSS and peak Go heap are the
//     reconciler's memory, which does not grow with the file.

// benchDBEnv makes the test binary serve a local DynamoDB instead of running tests.
const benchDBEnv = "RECON_BENCH_SERVE_DYNAMODB"

func TestMain(m *testing.M) {
	if os.Getenv(benchDBEnv) != "" {
		os.Exit(serveDynamoDB())
	}
	os.Exit(m.Run())
}

// serveDynamoDB serves a local DynamoDB on a loopback port, prints its address, and runs
// until its standard input closes (the parent is done or gone).
func serveDynamoDB() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	svc := localdynamodb.New(localdynamodb.Options{TTLSweepInterval: -1})
	go func() { _ = http.Serve(ln, svc) }()
	fmt.Println(ln.Addr().String())
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

// subprocessDB starts this binary as a DynamoDB server and returns its endpoint.
func subprocessDB(b *testing.B) string {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), benchDBEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		_ = cmd.Wait()
	})
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("the DynamoDB process: %v", err)
	}
	return "http://" + strings.TrimSpace(addr)
}

func BenchmarkReconcile(b *testing.B) {
	for _, placement := range []string{"in-process", "subprocess"} {
		for _, n := range []int{100_000, 1_000_000} {
			b.Run(fmt.Sprintf("db=%s/lines=%d", placement, n), func(b *testing.B) {
				var env *recontest.Env
				if placement == "subprocess" {
					env = recontest.NewLoadEnvAt(b, subprocessDB(b))
				} else {
					env = recontest.NewLoadEnv(b)
				}
				benchReconcile(b, env, n)
			})
		}
	}
}

// benchRecord i of ours and benchLine i of the generated statement agree but for one line
// in a thousand of each kind: an altered amount, an id we do not know (found by
// amount_time), a void (found by payment_id).
func benchRecord(i int) recon.Record {
	r := recon.Record{Type: recon.Capture, PGID: fmt.Sprintf("pgcap_%08d", i), MerchantID: "m_bench", PaymentID: fmt.Sprintf("pay_%08d", i),
		Currency: "KRW", Amount: int64(1000 + i%9973), At: day0.Add(time.Duration(i) * 80 * time.Millisecond)}
	if i%1000 == 2 {
		r.Type, r.PGID = recon.Void, ""
	}
	return r
}

func benchLine(i int, tag string) string {
	r := benchRecord(i)
	pgID, amount, paymentID := r.PGID, r.Amount, r.PaymentID
	switch i % 1000 {
	case 0:
		amount++
	case 1:
		pgID, paymentID = fmt.Sprintf("pgcap_theirs_%08d", i), ""
	case 2:
		pgID = fmt.Sprintf("pgvd_%08d", i)
	}
	return fmt.Sprintf("%s,%s,%s,%s,%d,%s,%s,%s\n", pgID, r.Type, r.MerchantID, paymentID, amount, r.Currency, r.At.Format(time.RFC3339Nano), tag)
}

// generated is a statement of n lines made as it is read.
type generated struct {
	n, i int
	tag  string // an extra column whose value makes each iteration's content, hence run, new
	buf  []byte
}

func (g *generated) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		switch {
		case g.i == 0:
			g.buf = []byte("pg_transaction_id,type,merchant_id,payment_id,amount,currency,transacted_at,batch\n")
		case g.i > g.n:
			return 0, io.EOF
		default:
			g.buf = []byte(benchLine(g.i, g.tag))
		}
		g.i++
	}
	k := copy(p, g.buf)
	g.buf = g.buf[k:]
	return k, nil
}

func (g *generated) Close() error { return nil }

type discardReports struct{}

func (discardReports) Put(_ context.Context, _ string, body io.Reader) error {
	_, err := io.Copy(io.Discard, body)
	return err
}

type countingSink struct{ n atomic.Int64 }

func (s *countingSink) Send(_ context.Context, ds []recon.Result) error {
	s.n.Add(int64(len(ds)))
	return nil
}

func benchReconcile(b *testing.B, env *recontest.Env, n int) {
	// With the database in this process, keep the garbage around it bounded, so a run of
	// a million lines fits beside other work on the machine.
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(12 << 30))
	env.Clock.Set(day0.Add(50 * time.Hour))
	store := env.Store(nil)
	seed(b, store, n)
	sink := &countingSink{}
	r := &recon.Reconciler{
		Records: store, Results: store, Reports: discardReports{}, Discrepancies: sink, Publisher: &recontest.Bus{},
		Now: env.Clock.Now, Parallelism: 8,
	}
	ctx := context.Background()
	resetHWM(b)
	var peak heapPeak
	peak.start()
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		sum, err := r.Run(ctx, "statements/2026-03-01.csv", func() (io.ReadCloser, error) {
			return &generated{n: n, tag: strconv.Itoa(i)}, nil
		})
		if err != nil {
			b.Fatal(err)
		}
		want := recon.Counts{Lines: int64(n), Matched: int64(n - n/1000), AmountMismatch: int64(n / 1000), MissingInSystem: 0}
		if sum.Counts != want {
			b.Fatalf("counts %+v, want %+v", sum.Counts, want)
		}
	}
	elapsed := time.Since(start)
	peak.stop()
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "lines/s")
	b.ReportMetric(float64(vmHWM())/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(float64(peak.max.Load())/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(liveHeap())/(1<<20), "heap-after-MiB")
	b.ReportMetric(0, "ns/op") // one op is a whole run: lines/s says it
}

// seed records n records, in parallel batches.
func seed(b *testing.B, store recon.RecordStore, n int) {
	b.Helper()
	const batch, workers = 500, 4
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				from := int(next.Add(batch)) - batch + 1
				if from > n {
					return
				}
				recs := make([]recon.Record, 0, batch)
				for i := from; i < from+batch && i <= n; i++ {
					recs = append(recs, benchRecord(i))
				}
				if err := store.Put(context.Background(), recs...); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}

// heapPeak follows the Go heap (objects, live and garbage) while a run goes.
type heapPeak struct {
	max  atomic.Uint64
	done chan struct{}
	wg   sync.WaitGroup
}

func (h *heapPeak) start() {
	h.done = make(chan struct{})
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		ms := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.done:
				return
			case <-t.C:
			}
			metrics.Read(ms)
			if v := ms[0].Value.Uint64(); v > h.max.Load() {
				h.max.Store(v)
			}
		}
	}()
}

func (h *heapPeak) stop() {
	close(h.done)
	h.wg.Wait()
}

// liveHeap collects garbage and returns the live heap.
func liveHeap() uint64 {
	runtime.GC()
	ms := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(ms)
	return ms[0].Value.Uint64()
}

// resetHWM starts the process's peak resident set (VmHWM) afresh, so that it measures the
// run, not the seeding or an earlier benchmark: Linux resets it when 5 is written to
// /proc/self/clear_refs.
func resetHWM(b *testing.B) {
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("peak RSS not reset (%v): it includes what came before the run", err)
	}
}

// vmHWM is the process's peak resident set, from /proc/self/status (0 where there is none).
func vmHWM() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
