# Wargame — every target works on a fresh clone with only a Swift 6 toolchain.
#   make sim-run [SEED=n] [STEPS=n]   run the main job on the bundled default
#   make test                         run the whole test suite (what CI runs)
SWIFT ?= swift
SEED ?= 1
STEPS ?= 60
RELEASE_BIN := .build/release/wargame

.PHONY: build release test sim-run bench clean help

help:
	@echo "targets: build release test sim-run bench clean  (sim-run honours SEED= and STEPS=)"

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release --product wargame

test:
	$(SWIFT) test

# Until the operations models land, the main job is the M/M/c example on the kernel.
sim-run: release
	$(RELEASE_BIN) mmc --seed "$(SEED)" --steps "$(STEPS)" --out out/mmc

# Kernel speed against ../shared/bench (events = arrivals + completions), median of 3;
# the closure-per-event representation for comparison; memory at 1 M vs 10 M customers.
bench: release
	@echo "== bench mmc (enum events, the kernel's representation)"
	@$(RELEASE_BIN) bench mmc --repeat 3
	@echo "== bench mmc --handler closure (one closure per event, for comparison)"
	@$(RELEASE_BIN) bench mmc --repeat 3 --handler closure
	@echo "== memory: 10,000,000 customers (compare peak_rss_mb with the 1 M run above)"
	@$(RELEASE_BIN) bench mmc --customers 10000000

clean:
	rm -rf .build
	find out -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
