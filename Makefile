# Pilotpulse. `make run` and `make test` work on a fresh Debian machine (as root
# they install what is missing: ClickHouse from Debian's packages, Chromium, LibreOffice Calc (headless);
# `make test` also fetches chDB, ClickHouse 26.7 as a library, from npm).
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin
GO ?= go
BIN := bin/pilotpulse
DATA_DIR ?= ./data

.PHONY: all build run test test-go vet lint bench bench-soak deps-run deps-test screenshots fmt clean

all: build

# The same flags as the Dockerfile and internal/testbinary (tests that run
# the real binary).
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/pilotpulse

deps-run:
	@scripts/deps.sh clickhouse

deps-test:
	@scripts/deps.sh clickhouse browser office node-tools chdb staticcheck

# Start Pilotpulse with a private ClickHouse and the demo pilot loaded (again
# safely: it is stored once); data stays in $(DATA_DIR).
run: deps-run build
	PILOTPULSE_DATA_DIR=$(DATA_DIR) $(BIN) demo
	PILOTPULSE_DATA_DIR=$(DATA_DIR) $(BIN) serve

# Every test, against a real ClickHouse, SQLite and Chromium.
test: deps-test vet lint test-go

vet:
	$(GO) vet ./...

lint:
	tools/bin/staticcheck ./...

# The tests that run the real binary use bin/pilotpulse (internal/testbinary).
test-go: build
	PILOTPULSE_TEST_BINARY=$(abspath $(BIN)) $(GO) test -count=1 -timeout 45m ./...

# Each benchmark prints its figure next to a baseline run side by side:
# durable HTTP ingest of 1,000,000 events vs clickhouse-client inserting the
# same file (ratio, CPU per million events, peak RSS, the ledger's bytes per
# event; then the ledger's size as 1,000,000 more events stretch the history
# past the dedup horizon); questionnaire submits at 200 concurrent
# respondents vs /healthz in the same run; the volume and overview routes
# at national scale (10,000,000 events, then grown to 100,000,000 when the
# disk and time allow) vs the same questions as raw aggregates over events;
# the time to build the weekly workbook of a pilot of 3,000 companies and 50
# authorities with 10,000,000 events.
# A raw events export of 2,000,000 rows (reports/exports: XLSX through
# excelize's StreamWriter, from a real ClickHouse events table) vs a bare
# excelize StreamWriter program writing the same rows, each in its own
# process (rows/s, CPU-seconds, peak RSS; goal >= 0.8 of its throughput,
# <= 200 MB).
# Then the serve process's peak memory under hostile requests, with 8 pushes
# of distinct events (about 5 million stored; `make test` runs the same test
# pushing one event over and over).
bench: deps-test build
	$(GO) run ./cmd/bench-ingest -n 1000000 -batch 10000 -senders 3 -history 1000000
	$(GO) run ./cmd/bench-survey
	$(GO) run ./cmd/bench-dashboards -n 10000000 -growth 100000000
	$(GO) run ./cmd/bench-dashboards -workbook -n 10000000
	$(GO) run ./cmd/bench-export -n 2000000
	PILOTPULSE_TEST_BINARY=$(abspath $(BIN)) PILOTPULSE_MEMORY_DISTINCT=1 $(GO) test -count=1 -timeout 30m -run TestServeMemoryUnderHostileRequests -v ./cmd/pilotpulse
	$(MAKE) bench-soak

# The ingest soak (the last part of bench, about 30 minutes; or alone):
# 50,000,000 events pushed at a steady 30,000 events/s (what a loaded
# 2-core machine holds beside its ClickHouse; raise SOAK_RATE on a bigger
# one) over three years of history; RSS and the ledger's size at 10 M,
# 25 M and 50 M, then sampled volume figures against a count of the raw
# events.
SOAK_RATE ?= 30000
bench-soak: deps-test build
	$(GO) run ./cmd/bench-ingest -soak 50000000 -rate $(SOAK_RATE) -batch 10000 -senders 3

# The README's tour screenshots (docs/tour/*.png), taken again: the real
# binary serves the demo pilot (seed 1) with a private ClickHouse on a
# temporary data dir, and headless Chromium signs in as each demo user.
screenshots: deps-test build
	$(GO) run ./cmd/tour-screenshots -bin $(BIN) -out docs/tour -seed 1

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
