# Hearth. `make run` serves the app; `make test` runs every test that a fresh
# machine can run (after .ci/run has installed the system packages).

GO ?= go
ORACLE := scripts/oracle

.PHONY: run test testdata build vet fuzz clean

run:
	$(GO) run ./scripts/serve

build:
	$(GO) build ./...

# The oracle (llama.cpp through node-llama-cpp, CPU build only) and the
# llama.cpp source bundle it carries, which holds the tokenizer suites and
# chat templates the tests read.
testdata: $(ORACLE)/node_modules/.package-lock.json build/llama.cpp/models

$(ORACLE)/node_modules/.package-lock.json: $(ORACLE)/package.json $(ORACLE)/package-lock.json
	cd $(ORACLE) && npm ci --omit=optional --no-audit --no-fund

build/llama.cpp/models: $(ORACLE)/node_modules/.package-lock.json
	rm -rf build/llama.cpp
	git clone --quiet $(ORACLE)/node_modules/node-llama-cpp/llama/gitRelease.bundle build/llama.cpp

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }

test: testdata vet
	$(GO) test -timeout 60m ./...

# A longer fuzzing run of the GGUF reader (not part of `make test`).
fuzz:
	$(GO) test ./engine/gguf -run '^$$' -fuzz FuzzRead -fuzztime 5m

clean:
	rm -rf build
