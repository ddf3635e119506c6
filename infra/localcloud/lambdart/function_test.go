package lambdart

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFunctionNormalize(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	exe := filepath.Join(dir, "bootstrap")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	notExe := filepath.Join(dir, "data")
	if err := os.WriteFile(notExe, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ok := Function{Name: "payments", Binary: exe}
	with := func(change func(*Function)) Function {
		fn := ok
		change(&fn)
		return fn
	}
	tests := []struct {
		name    string
		fn      Function
		wantErr string // empty: valid
	}{
		{"defaults", ok, ""},
		{"bad name", with(func(f *Function) { f.Name = "pay ments" }), "name"},
		{"long name", with(func(f *Function) { f.Name = strings.Repeat("x", 65) }), "name"},
		{"no binary", with(func(f *Function) { f.Binary = "" }), "no binary"},
		{"missing binary", with(func(f *Function) { f.Binary = filepath.Join(dir, "nope") }), "binary"},
		{"not executable", with(func(f *Function) { f.Binary = notExe }), "not an executable"},
		{"folder", with(func(f *Function) { f.Binary = dir }), "not an executable"},
		{"max timeout", with(func(f *Function) { f.Timeout = 900 * time.Second }), ""},
		{"timeout too long", with(func(f *Function) { f.Timeout = 901 * time.Second }), "timeout"},
		{"negative timeout", with(func(f *Function) { f.Timeout = -time.Second }), "timeout"},
		{"memory too small", with(func(f *Function) { f.MemoryMB = 64 }), "memory"},
		{"memory too large", with(func(f *Function) { f.MemoryMB = 10241 }), "memory"},
		{"negative concurrency", with(func(f *Function) { f.MaxConcurrency = -1 }), "concurrency"},
		{"reserved variable", with(func(f *Function) { f.Env = map[string]string{"AWS_REGION": "x"} }), "reserved"},
		{"reserved _HANDLER", with(func(f *Function) { f.Env = map[string]string{"_HANDLER": "x"} }), "reserved"},
		{"unreserved TZ", with(func(f *Function) { f.Env = map[string]string{"TZ": "Europe/Paris"} }), ""},
		{"bad variable name", with(func(f *Function) { f.Env = map[string]string{"1ABC": "x"} }), "variable name"},
		{"environment over 4 KB", with(func(f *Function) { f.Env = map[string]string{"BIG": strings.Repeat("x", 4094)} }), "4096"},
		{"environment of 4 KB", with(func(f *Function) { f.Env = map[string]string{"BIG": strings.Repeat("x", 4093)} }), ""},
	}
	for _, tc := range tests {
		got, err := tc.fn.normalize(7)
		if tc.wantErr != "" {
			if !errors.Is(err, ErrInvalidFunction) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: err = %v, want ErrInvalidFunction mentioning %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if tc.fn.Timeout == 0 && got.Timeout != 3*time.Second {
			t.Errorf("%s: default timeout %v, want Lambda's 3s", tc.name, got.Timeout)
		}
		if tc.fn.MemoryMB == 0 && got.MemoryMB != 128 {
			t.Errorf("%s: default memory %d, want Lambda's 128", tc.name, got.MemoryMB)
		}
		if got.MaxConcurrency != 7 {
			t.Errorf("%s: concurrency %d, want the runtime default 7", tc.name, got.MaxConcurrency)
		}
	}
}

func TestRuntimeRejects(t *testing.T) {
	t.Parallel()
	exe := filepath.Join(t.TempDir(), "bootstrap")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	rt := New(Options{})
	if err := rt.Register(Function{Name: "payments", Binary: exe}); err != nil {
		t.Fatal(err)
	}
	if err := rt.Register(Function{Name: "payments", Binary: exe}); !errors.Is(err, ErrFunctionExists) {
		t.Errorf("second Register: %v, want ErrFunctionExists", err)
	}
	ctx := t.Context()
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"unknown function", func() error { _, err := rt.Invoke(ctx, "nope", nil); return err }, ErrFunctionNotFound},
		{"unknown function async", func() error { return rt.InvokeAsync(ctx, "nope", nil) }, ErrFunctionNotFound},
		{"alias", func() error { _, err := rt.Invoke(ctx, "payments:live", nil); return err }, ErrFunctionNotFound},
		// https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html: 6 MB synchronous, 1 MB asynchronous.
		{"sync payload over 6 MB", func() error { _, err := rt.Invoke(ctx, "payments", make([]byte, 6*1024*1024+1)); return err }, ErrRequestTooLarge},
		{"async payload over 1 MB", func() error { return rt.InvokeAsync(ctx, "payments", make([]byte, 1024*1024+1)) }, ErrRequestTooLarge},
	}
	for _, tc := range tests {
		if err := tc.call(); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if pids := rt.PIDs("payments"); len(pids) != 0 {
		t.Errorf("rejected calls started instances %v", pids)
	}
	if err := rt.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := rt.Register(Function{Name: "other", Binary: exe}); !errors.Is(err, ErrClosed) {
		t.Errorf("Register after Close: %v, want ErrClosed", err)
	}
	if err := rt.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
