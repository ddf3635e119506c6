# Paylane. `make run` starts the whole system on the embedded local cloud;
# `make test` runs every test. Both install what they need on a fresh machine.

GO        ?= go
PKGS      := ./...
FUNCTIONS := $(notdir $(wildcard functions/*))
BUILD_DIR := .aws-sam/lambda
STATICCHECK := $(GO) tool staticcheck

.PHONY: run test build lint bench bench-recon deps clean

deps:
	$(GO) mod download

run: deps
	$(GO) run ./cmd/localcloud

test: deps
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 -timeout 12m $(PKGS)

# Lambda binaries as provided.al2023 on arm64 expects them: one `bootstrap` per function.
build:
	@set -e; for f in $(FUNCTIONS); do \
		echo "build $$f"; \
		GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath \
			-o $(BUILD_DIR)/$$f/bootstrap ./functions/$$f; \
	done

lint: deps
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)
	$(STATICCHECK) $(PKGS)
	@if command -v cfn-lint >/dev/null 2>&1; then cfn-lint template.yaml && echo "cfn-lint: template.yaml ok"; \
	else echo "cfn-lint not installed: template not linted (pip install cfn-lint)"; fi

# Benchmarks of the local cloud's hot path (DynamoDB through aws-sdk-go-v2 over loopback,
# 16 concurrent clients). Figures are ops/s and p50/p99 latency.
bench: deps
	$(GO) test -run '^$$' -bench . -benchtime 20000x -count 1 ./infra/localcloud/dynamodb/
	$(GO) test -run '^$$' -bench Authorize -benchtime 3000x -benchmem -count 1 ./shared/merchantapi/
	$(GO) test -run '^$$' -bench CaptureToLedger -benchtime 200x -count 1 ./functions/
	$(GO) test -run '^$$' -bench SettleDay -benchtime 1x -count 1 ./shared/dynamostore/

# A 1,000,000-line statement takes minutes: `make bench-recon` runs 100k and 1M lines with
# DynamoDB in a child process, so the reconciler's own memory shows.
bench-recon: deps
	$(GO) test -run '^$$' -bench 'Reconcile/db=subprocess' -benchtime 1x -count 1 -timeout 60m ./shared/recon/

clean:
	rm -rf .aws-sam
