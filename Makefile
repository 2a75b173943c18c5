# The two commands of the README: `make run` and `make test`.
GO      ?= go
BIN     := bin/ansinh
PKGS    := ./...

.PHONY: run test test-postgres bench bench-pages bench-hostile lint build clean fuzz

## run: build and start the service on the embedded store (data in ./data)
run: build
	./$(BIN) serve

## test: the whole suite on the real embedded store (about two minutes once built)
test:
	$(GO) test -count=1 -timeout 20m $(PKGS)

## test-postgres: the store suite (and `ansinh demo` with ANSINH_POSTGRES_URL) on FerretDB
## in front of PostgreSQL, the database of ANSINH_TEST_POSTGRES_URL (postgres://user@host/db;
## .ci/run starts one)
test-postgres:
	@test -n "$(ANSINH_TEST_POSTGRES_URL)" || { echo "set ANSINH_TEST_POSTGRES_URL"; exit 1; }
	ANSINH_TEST_POSTGRES_URL='$(ANSINH_TEST_POSTGRES_URL)' $(GO) test -count=1 -timeout 20m ./store/...
	ANSINH_TEST_POSTGRES_URL='$(ANSINH_TEST_POSTGRES_URL)' $(GO) test -count=1 -run '^TestDemoOnPostgreSQL$$' ./cmd/ansinh

## bench: the benchmarks, with memory figures (BenchmarkStaffPages alone builds a
## city of 150,000 people: most of an hour on 2 cores); BenchmarkHostileInputPeakRSS
## reports the peak RSS of a process answering each hostile file or body (fails over 300 MB)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 120m $(PKGS)

## bench-pages: every staff page and API list at 2,810, 20,000 and 150,000 beneficiaries
## (ANSINH_BENCH_SIZES=2810,20000 for a shorter run), p50/p95 and the 150k/2,810 ratios
bench-pages:
	$(GO) test -run '^$$' -bench '^BenchmarkStaffPages$$' -benchtime 1x -timeout 120m ./handlers

## bench-hostile: only the hostile-input memory benchmarks
bench-hostile:
	$(GO) test -run '^$$' -bench 'BenchmarkHostileInputPeakRSS' -benchtime 1x -timeout 20m ./handlers/

## lint: go vet and a gofmt check
lint:
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## build: a static binary in bin/
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w' -o $(BIN) ./cmd/ansinh

clean:
	rm -rf bin

## fuzz: a short run of every fuzz target (FUZZTIME=100000x executions each); corpora in testdata/fuzz
# Budgets are counts, not durations: Go 1.26's fuzz coordinator can fail a clean run
# with "context deadline exceeded" when a -fuzztime duration ends while a worker is
# busy (go.dev/issue/75804, fixed in Go 1.27). A count has no deadline to race.
FUZZTIME ?= 100000x
FUZZMINIMIZE ?= 5000x
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParseImportRow$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) .
	$(GO) test -run '^$$' -fuzz '^FuzzNormalizeName$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) .
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) ./vietqr
	$(GO) test -run '^$$' -fuzz '^FuzzParseEvent$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) ./zalo
	$(GO) test -run '^$$' -fuzz '^FuzzOpenCSV$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) ./sheet
