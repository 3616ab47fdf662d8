# Kubedeck. `make help` lists the verbs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
STATICCHECK_VERSION := v0.8.2
STATICCHECK := bin/staticcheck-$(STATICCHECK_VERSION)
CLUSTER_BIN := $(shell bash kube/localcluster/tools/build.sh --dir)
export KUBEDECK_CLUSTER_BIN ?= $(CLUSTER_BIN)

.PHONY: help build wasm server run test test-deps cluster-bin lint bench bench-go clean image

help: ## list the verbs
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: wasm server ## build the WASM UI (compressed) and the server binary into bin/

# The raw WASM stays in bin/: the server embeds only its .br and .gz (web/embed.go).
wasm: ## build bin/app.wasm and its web/app.wasm.br and .gz
	GOOS=js GOARCH=wasm go build -trimpath -ldflags '$(LDFLAGS)' -o bin/app.wasm ./app
	rm -f web/app.wasm
	go run ./web/compress bin/app.wasm web

server: ## build bin/kubedeck (embeds whatever web/ holds)
	go build -trimpath -ldflags '$(LDFLAGS)' -o bin/kubedeck ./app

cluster-bin: ## build the local cluster's binaries once into the cache
	bash kube/localcluster/tools/build.sh

run: build cluster-bin ## run the dashboard (on a local cluster when no kubeconfig is reachable)
	./bin/kubedeck --auth-mode dev --local-cluster auto $(ARGS)

test-deps: ## install chromium and redis-server when missing (apt-get, as root)
	@bash .ci/deps.sh

test: test-deps cluster-bin wasm $(STATICCHECK) ## everything CI checks: format, vet, staticcheck, tests with -race
	@echo "== gofmt"; out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@echo "== go vet"; go vet ./... && GOOS=js GOARCH=wasm go vet ./app ./shared
	@echo "== staticcheck"; $(STATICCHECK) ./... && GOOS=js GOARCH=wasm $(STATICCHECK) ./app ./shared
	@echo "== shared under GOOS=js GOARCH=wasm (the browser's rules give the server's results)"; GOOS=js GOARCH=wasm go test -count=1 -exec="$$(go env GOROOT)/lib/wasm/go_js_wasm_exec" ./shared
	@echo "== go test -race"; go test -race -count=1 -timeout 25m ./...

lint: $(STATICCHECK) ## gofmt, go vet and staticcheck only
	gofmt -l $$(git ls-files '*.go')
	go vet ./... && GOOS=js GOARCH=wasm go vet ./app ./shared
	$(STATICCHECK) ./... && GOOS=js GOARCH=wasm $(STATICCHECK) ./app ./shared

# staticcheck is built natively; GOOS/GOARCH then choose what it analyses.
$(STATICCHECK):
	mkdir -p bin && GOBIN=$(CURDIR)/bin go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	mv bin/staticcheck $@

# SIZES chooses the pod counts, e.g. `make bench SIZES=10000` for a quicker run.
SIZES ?= 10000,100000
BENCH_OUT ?= bench/results.json

bench: build cluster-bin ## the end-to-end benchmark: a real server on a local cluster of 10,000 then 100,000 pods (SIZES=…)
	go run ./internal/bench -sizes $(SIZES) -out $(BENCH_OUT) $(ARGS)

bench-go: cluster-bin ## Go micro-benchmarks: list pages, watch fan-out, Helm lists, catalog search, index reads
	go test -run '^$$' -bench . -benchmem ./kube/ ./kube/helm/ ./server/

image: ## build the container image (needs Docker)
	docker build --build-arg VERSION=$(VERSION) -t kubedeck:$(VERSION) .

clean: ## remove build outputs (not the cluster binary cache)
	rm -rf bin web/app.wasm web/app.wasm.br web/app.wasm.gz
