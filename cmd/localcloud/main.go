// Command localcloud runs Paylane on the embedded local cloud: the AWS APIs on one loopback
// port, every function of template.yaml behind its event sources, the HTTP API and the mock
// PG. It prints a line containing "ready" and the API base URL once everything is up, and
// stops everything on Ctrl-C. Configuration (API.md, "Local run conventions"):
//
//	PAYLANE_API_ADDR          API listen address (default 127.0.0.1:8080)
//	PAYLANE_AWS_ADDR          AWS endpoint listen address (default 127.0.0.1:4566)
//	PAYLANE_PG_ADDR           mock PG listen address (default 127.0.0.1:8090)
//	PAYLANE_MERCHANTS         merchants to seed, "m_demo:secret1,m_other:secret2"
//	                          (default: m_demo with a random secret, printed)
//	PAYLANE_SCHEDULE_SPEEDUP  run schedules N times faster (default 1)
//	PAYLANE_TEMPLATE          the SAM template (default template.yaml at the module root)
//	PAYLANE_MAX_CONCURRENCY   instances per function unless the template reserves fewer (default 4)
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/paylane/paylane/infra/localcloud"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "localcloud:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	moduleDir, err := findModuleRoot()
	if err != nil {
		return err
	}
	merchants, printed, err := merchantsFromEnv(os.Getenv("PAYLANE_MERCHANTS"))
	if err != nil {
		return err
	}
	cfg := localcloud.Config{
		ModuleDir:      moduleDir,
		TemplateFile:   os.Getenv("PAYLANE_TEMPLATE"),
		AWSAddr:        os.Getenv("PAYLANE_AWS_ADDR"),
		APIAddr:        os.Getenv("PAYLANE_API_ADDR"),
		PGAddr:         os.Getenv("PAYLANE_PG_ADDR"),
		AfterProvision: seedMerchants(merchants),
	}
	if v := os.Getenv("PAYLANE_SCHEDULE_SPEEDUP"); v != "" {
		if cfg.ScheduleSpeedup, err = strconv.ParseFloat(v, 64); err != nil || cfg.ScheduleSpeedup <= 0 {
			return fmt.Errorf("PAYLANE_SCHEDULE_SPEEDUP=%q: want a positive number", v)
		}
	}
	if v := os.Getenv("PAYLANE_MAX_CONCURRENCY"); v != "" {
		if cfg.MaxConcurrency, err = strconv.Atoi(v); err != nil || cfg.MaxConcurrency <= 0 {
			return fmt.Errorf("PAYLANE_MAX_CONCURRENCY=%q: want a positive integer", v)
		}
	}
	started := time.Now()
	cloud, err := localcloud.Start(ctx, cfg)
	if err != nil {
		return err
	}
	for _, m := range printed {
		fmt.Printf("seeded merchant %s with secret %s\n", m.id, m.secret)
	}
	fmt.Printf("AWS endpoint %s (AWS_ENDPOINT_URL), mock PG %s\n", cloud.AWSEndpoint(), cloud.PGURL())
	fmt.Printf("ready in %s: API %s\n", time.Since(started).Round(time.Millisecond), cloud.APIURL())

	<-ctx.Done()
	fmt.Println("shutting down")
	closeCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return cloud.Close(closeCtx)
}

// findModuleRoot walks up from the working directory to the folder holding go.mod, so
// `go run ./cmd/localcloud` works from anywhere inside the repository.
func findModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod found above the working directory: run from inside the repository")
		}
		dir = parent
	}
}
