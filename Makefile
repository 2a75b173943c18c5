# The two commands of the README: `make run` and `make test`.
GO      ?= go
BIN     := bin/ansinh
PKGS    := ./...

.PHONY: run test bench bench-hostile lint build clean fuzz

## run: build and start the service on the embedded store (data in ./data)
run: build
	./$(BIN) serve

## test: the whole suite on the real embedded store (about two minutes once built)
test:
	$(GO) test -count=1 -timeout 20m $(PKGS)

## bench: the benchmarks, with memory figures; BenchmarkHostileInputPeakRSS reports
## the peak RSS of a process answering each hostile file or body (fails over 300 MB)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m $(PKGS)

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
