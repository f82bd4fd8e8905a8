# RNRepro's front door. `make reproduce` and `make test` are the two set-up commands; each
# installs its own prerequisites first (scripts/install-deps.sh).

SWIFT   ?= swift
RELEASE := .build/release/rnrepro
SEED    ?= 1
DATA    := data/sort-of-clevr-seed$(SEED)-9800-200.bin

.PHONY: deps test-deps build test reproduce clean

## deps: install the Debian packages RNRepro needs (cairo, pango, librsvg, gnuplot, fonts, poppler)
deps:
	@scripts/install-deps.sh

## test-deps: numpy and a CPU PyTorch for the tests' independent checks
test-deps: deps
	@scripts/install-test-deps.sh

## build: a release build of the rnrepro command
build: deps
	$(SWIFT) build -c release --product rnrepro

## test: every test (debug build; the engine's kernels are optimised even there)
test: test-deps
	$(SWIFT) test

## reproduce: the default reproduction: the paper's data set, regenerated from its seed
reproduce: build
	$(RELEASE) generate --seed $(SEED) --train 9800 --test 200 --out $(DATA)

clean:
	rm -rf .build
