# Hearth. `make run` serves the app; `make test` runs every test that a fresh
# machine can run (after .ci/run has installed the system packages).

GO ?= go
ORACLE := scripts/oracle

.PHONY: run test test-js testdata build vet fuzz clean web-engine

# The app on http://127.0.0.1:8080/ (ADDR=host:port to change); MODEL=file.gguf
# also offers that file to the page (/models/local.json lists it).
run: web-engine
	$(GO) run ./scripts/precompress -q web
	$(GO) run ./scripts/serve $(if $(ADDR),-addr "$(ADDR)") $(if $(MODEL),-model "$(MODEL)")

# The browser engine (engine.wasm, GOOS=js; the four builds of kernels.wasm:
# plain or relaxed SIMD, unshared or shared memory; Go's wasm_exec.js) into
# web/engine/, and the Vugu app into web/dist/app.wasm.
web-engine:
	$(GO) run ./wasm/buildweb

build:
	$(GO) build ./...

# The oracle (llama.cpp through node-llama-cpp, CPU build only) and the
# llama.cpp source bundle it carries, which holds the tokenizer suites and
# chat templates the tests read; and wllama (web/node_modules), the vision
# oracle and the browser benchmark's peer.
testdata: $(ORACLE)/node_modules/.package-lock.json build/llama.cpp/models web/node_modules/.package-lock.json

$(ORACLE)/node_modules/.package-lock.json: $(ORACLE)/package.json $(ORACLE)/package-lock.json
	cd $(ORACLE) && npm ci --omit=optional --no-audit --no-fund

build/llama.cpp/models: $(ORACLE)/node_modules/.package-lock.json
	rm -rf build/llama.cpp
	git clone --quiet $(ORACLE)/node_modules/node-llama-cpp/llama/gitRelease.bundle build/llama.cpp

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }

test: testdata vet test-js
	$(GO) test -timeout 60m ./...

# The engine packages again, compiled for js/wasm and run under Node through
# Go's go_js_wasm_exec: the code the browser runs, tested as it runs there.
# Left out: engine/compute/arena, whose js tests need the JS glue and are run
# by its native TestJSDeviceUnderNode, and the native commands (cmd/).
JS_TEST_PKGS = $(shell GOOS=js GOARCH=wasm $(GO) list -e -f '{{if and (not .Error) (or .TestGoFiles .XTestGoFiles)}}{{.ImportPath}}{{end}}' ./engine/... ./models/... | grep -v -e /compute/arena -e /cmd/)

test-js: testdata
	GOOS=js GOARCH=wasm PATH="$$($(GO) env GOROOT)/lib/wasm:$$PATH" $(GO) test -timeout 30m $(JS_TEST_PKGS)

# A longer fuzzing run of the GGUF reader (not part of `make test`).
fuzz:
	$(GO) test ./engine/gguf -run '^$$' -fuzz FuzzRead -fuzztime 5m

clean:
	rm -rf build

# Browser benchmark (not a test): Hearth against wllama in headless Chromium
# on one GGUF file, e.g. make bench-browser MODEL=build/bench/smollm2-135m-q8_0.gguf
# (THREADS=1,2 RUNS=3 by default). `make bench-models` writes the synthetic
# benchmark models into build/bench, skipping files whose stamp says they are
# current (REWRITE=1 writes them all; ONLY=granite writes only the models
# whose names contain it). They include a SmolVLM-256M-shaped vision pair
# (ONLY=smolvlm: smolvlm-256m-instruct-q8_0.gguf and its mmproj-*.gguf), which
# scripts/benchbrowser's vision mode runs: go run ./scripts/benchbrowser
# -model build/bench/smolvlm-256m-instruct-q8_0.gguf
# -mmproj build/bench/mmproj-smolvlm-256m-instruct-q8_0.gguf -image-size 512x512
.PHONY: bench-browser bench-models
THREADS ?= 1,2
RUNS ?= 3

bench-browser: web/node_modules/.package-lock.json web-engine
	@test -x /usr/bin/chromium || { echo "bench-browser needs Debian's chromium at /usr/bin/chromium: apt-get update && apt-get install -y chromium"; exit 1; }
	@test -n "$(MODEL)" || { echo "usage: make bench-browser MODEL=file.gguf [THREADS=1,2] [RUNS=3]  (make bench-models writes models into build/bench)"; exit 1; }
	@$(GO) run ./scripts/benchbrowser -model "$(MODEL)" -threads "$(THREADS)" -runs "$(RUNS)"

bench-models: build/llama.cpp/models
	$(GO) run ./scripts/benchbrowser -write-models build/bench $(if $(ONLY),-only "$(ONLY)") $(if $(REWRITE),-rewrite-models)

# npm's output goes to stderr: stdout of bench-browser is the JSON report.
web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	@echo "cd web && npm ci" >&2
	@cd web && npm ci --no-audit --no-fund >&2
