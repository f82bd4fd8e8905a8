# RNRepro's front door. `make reproduce` and `make test` are the two set-up commands; each
# installs its own prerequisites first (scripts/install-deps.sh).

SWIFT   ?= swift
RELEASE := .build/release/rnrepro
PROFILE ?= quick
JOBS    ?= 2

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

## reproduce: the quick profile end to end: train every configuration of Tables 1 and 2 at
## reduced scale (runs/quick/), check them against golden/quick.json, render reports/quick.pdf.
## PROFILE=smoke or PROFILE=paper picks another scale; JOBS runs that many trainings at once.
reproduce: build
	$(RELEASE) reproduce --profile $(PROFILE) --jobs $(JOBS)
	@$(RELEASE) check --profile $(PROFILE) || echo "make reproduce: the drift check did not hold (exit $$?); see runs/$(PROFILE)/drift.md"
	$(RELEASE) report --profile $(PROFILE)

clean:
	rm -rf .build
