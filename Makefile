# coldtss — see README.md. `make demo` runs a full local ceremony; `make test` runs every test.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
FLAGS   := -trimpath -ldflags='-s -w -buildid= -X main.version=$(VERSION)'
DIST    ?= dist
PLATFORMS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64

export CGO_ENABLED := 0
export GOFLAGS := -buildvcs=false

.PHONY: build test test-deps lint unit demo demo-qr bench fuzz release reproducible clean

build:
	$(GO) build $(FLAGS) -o bin/coldtss ./cmd/coldtss
	$(GO) build $(FLAGS) -o bin/coldtss-online ./cmd/coldtss-online

## test: installs what the tests need, then runs every test. The interop
## tests against the npm reference packages must run here, not skip.
test: export COLDTSS_REQUIRE_INTEROP=1
test: test-deps lint unit reproducible

## test-deps: Debian packages, then the pinned btcd and geth test nodes (built once into .tools/).
test-deps:
	bash scripts/install-test-deps.sh
	bash scripts/install-nodes.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	$(GO) vet ./...

## unit: every test, with each package's statement coverage printed.
unit:
	$(GO) test -count=1 -cover -timeout 60m ./...

demo: build
	BIN=$(CURDIR)/bin/coldtss bash scripts/demo.sh

demo-qr: build
	DEMO_VIA=qr BIN=$(CURDIR)/bin/coldtss bash scripts/demo.sh

## bench: coldtss ceremonies (2-of-3 secp256k1 keygen, signing, resharing), each station a
## separate process over usb:DIR, against tss-lib alone in one process; see internal/bench/doc.go.
bench:
	$(GO) test ./internal/bench -run '^$$' -bench . -benchtime 1x -timeout 30m
	# The 100-input PSBT signing through the simulated webcam (every frame
	# drawn, photographed and scanned: about 18 CPU-minutes, so not in make test).
	COLDTSS_QR_CAMERA_SIGN=1 $(GO) test ./ceremony/transport -run 'TestQR(Keygen|SignHundredInputs)ThroughCamera' -count=1 -v -timeout 60m

## fuzz: runs every fuzz target in the repository (each func FuzzX in a
## _test.go, found anew on every run) for FUZZTIME each, one after another:
## go test fuzzes one target per package per run. Reports every target that
## failed at the end; a crasher is kept in that package's testdata/fuzz/.
## FUZZMINIMIZETIME bounds how long each new input is shrunk: go's default
## (60s) would spend most of a short run minimizing instead of fuzzing.
FUZZTIME ?= 60s
FUZZMINIMIZETIME ?= 5s
fuzz:
	@targets=$$(grep -r --include='*_test.go' --exclude-dir=testdata --exclude-dir='.*' -o '^func Fuzz[A-Za-z0-9_]*(' -- */ \
		| sed 's|/[^/]*_test\.go:func |:|; s|($$||' | sort -u); \
	[ -n "$$targets" ] || { echo "no fuzz targets found"; exit 1; }; \
	failed=; for t in $$targets; do \
		pkg=$${t%%:*}; name=$${t#*:}; \
		echo "== ./$$pkg $$name for $(FUZZTIME)"; \
		$(GO) test ./$$pkg -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) || failed="$$failed ./$$pkg:$$name"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz targets that failed:$$failed"; exit 1; fi

## release: static, reproducible binaries for every platform, with SHA256SUMS.
release:
	@mkdir -p $(DIST)
	@for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
		for cmd in coldtss coldtss-online; do \
			GOOS=$$os GOARCH=$$arch $(GO) build $(FLAGS) -o $(DIST)/$$cmd-$$os-$$arch$$ext ./cmd/$$cmd || exit 1; \
		done; \
	done
	@cd $(DIST) && sha256sum coldtss-* > SHA256SUMS && cat SHA256SUMS

## reproducible: two release builds, from two checkouts at different paths, with separate build caches, must be identical.
reproducible:
	bash scripts/reproducible.sh

clean:
	rm -rf bin $(DIST)
