# RNRepro's front door. `make reproduce` and `make test` are the two set-up commands; each
# installs its own prerequisites first (scripts/install-deps.sh).

SWIFT   ?= swift
RELEASE := .build/release/rnrepro
PROFILE ?= quick
JOBS    ?= 2

CAMPAIGN_JOBS ?= 2

FUZZ_SECONDS ?= 600
FUZZ_TARGETS := fuzz-dataset-reader fuzz-checkpoint-reader fuzz-artifact-readers

.PHONY: deps test-deps build test reproduce campaign campaign-status campaign-stop campaign-save fuzz clean

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
## The report is written even on drift, and then make fails. PROFILE=smoke picks another
## scale; JOBS runs that many trainings at once.
reproduce: build
	@scripts/reproduce.sh $(RELEASE) $(PROFILE) $(JOBS)

## campaign: start (or resume) the paper profile in the background at the lowest CPU priority and
## return; its runs live in results/paper. CAMPAIGN_JOBS runs train at once (2: one per core).
campaign: build
	@$(RELEASE) campaign start --jobs $(CAMPAIGN_JOBS)

## campaign-status: each paper run's state, epochs, last test accuracies and rate; the ETA.
campaign-status:
	@$(RELEASE) campaign status --jobs $(CAMPAIGN_JOBS)

## campaign-stop: checkpoint every run in flight and stop the campaign (to benchmark, say).
campaign-stop:
	@$(RELEASE) campaign stop

## campaign-save: stop the campaign with a checkpoint and commit results/paper alone.
campaign-save:
	@scripts/campaign-save.sh $(RELEASE)

## fuzz: the readers of data sets, checkpoints and JSON artifacts under libFuzzer and
## AddressSanitizer, each for FUZZ_SECONDS (600) on its corpus in fuzz/corpus (docs/fuzzing.md)
fuzz: deps
	@scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf .build .build-fuzz
