# Wargame — every target works on a fresh clone with only a Swift 6 toolchain.
#   make sim-run [SEED=n] [STEPS=n]   run the main job on the bundled default
#   make test                         run the whole test suite (what CI runs)
SWIFT ?= swift
FUZZ_SECONDS ?= 60
SEED ?=
STEPS ?=
RELEASE_BIN := .build/release/wargame

.PHONY: build release test sim-run sim-metrics-run slo-check promtool-check amtool-check calibrate-test live-alerts slurm-test fuzz tsan golden docs studies-figures bench clean help

help:
	@echo "targets: build release test sim-run sim-metrics-run slo-check promtool-check amtool-check calibrate-test live-alerts slurm-test fuzz tsan golden docs bench clean"
	@echo "         (sim-run honours SEED= and STEPS=)"

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release --product wargame

test:
	$(SWIFT) test

# The main job: the bundled default scenario. SEED and STEPS come from the environment or
# the make command line; unset, the scenario's own defaults apply.
sim-run: release
	SEED="$(SEED)" STEPS="$(STEPS)" $(RELEASE_BIN) run scenarios/baseline.json

# Live metrics as the Aurora runbook expects them, one simulated minute per second: the
# simulator's on port 9110, the simulated service's on 9109 (docs/live.md):
#   curl -s localhost:9109/metrics | grep fill_rate
#   curl -s localhost:9110/metrics | grep provider_capacity
sim-metrics-run: release
	SEED="$(SEED)" STEPS="$(STEPS)" $(RELEASE_BIN) serve scenarios/baseline.json --speed 60 --port 9110

# CI's SLO assertion: every scenario on its fixed seeds must give its declared verdicts.
slo-check: release
	$(RELEASE_BIN) check scenarios

# Prometheus judges our outputs: promtool check metrics (every war game's metrics.prom and
# the live /metrics), check rules, and test rules (Prometheus fires exactly the alerts the
# simulator fired, at every step). Installs Debian's prometheus package if promtool is missing.
promtool-check: release
	.ci/promtool-check

# Alertmanager judges our routing: amtool check-config on the shipped config, and for every
# alert label set every war game fires, amtool config routes test names the receivers
# wargame routes-test names. Installs Debian's prometheus-alertmanager if amtool is missing.
amtool-check: release
	.ci/amtool-check

# The calibration loop against a real Prometheus (docs/calibration.md): a day of
# scenarios/calibration-drill.json exported with --openmetrics, backfilled with promtool,
# served by prometheus on a loopback port; calibrate must recover the values the drill set,
# and validate-model accept the calibrated scenario and reject the uncalibrated baseline.
# Installs Debian's prometheus package if missing. About a minute.
calibrate-test: release
	.ci/calibrate-test

# docs/live.md's recipe run for real: a Prometheus server (Debian's, installed if missing) on
# a free loopback port scrapes 'serve alert-drill --speed 60 --start scrape' with the rules of
# 'alert-rules --speed 60', and every firing is compared with the simulator's alerts.csv.
# About 2.5 minutes of wall time; not part of .ci/run.
live-alerts: release
	.ci/live-alerts scenarios/alert-drill.json 60

# libFuzzer on the scenario loader, the HTTP parser and the argument parsers, FUZZ_SECONDS
# each (default 60); corpus and crashes under out/fuzz/ (Tests/Fuzz/README.md).
fuzz:
	.ci/fuzz $(FUZZ_SECONDS)

# ThreadSanitizer over the concurrent code: the decision-log and time-series writer queues, parallel sweeps (and the binaries they spawn),
# the live server and its event loop, signal handling. Any report fails the run.
TSAN_TESTS := DecisionLogWriterTests|BackgroundCSVWriterTests|SweepTests|StudyTests|CompareAndHuntTests|ServeTests|HTTPServerTests|InterruptTests
tsan:
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" $(SWIFT) test --skip-build --sanitize=thread \
		--scratch-path .build-tsan --filter '$(TSAN_TESTS)'

# docs/scaling.md's Slurm recipe on a single-node cluster this machine brings up itself
# (munged, slurmctld, slurmd under a temporary folder; installs slurm-wlm and munge when
# missing): a 4-task array sweep and study with dependent merges must equal one-process
# runs byte for byte. Needs root and about a minute; not part of .ci/run.
slurm-test: release
	.ci/slurm-test

# Re-record the golden output digests (Tests/golden/digests.json) after a deliberate
# change to outputs; see README "Golden digests" for when that is right.
golden: release
	$(RELEASE_BIN) golden --record

# Regenerate docs/scenarios.md from the schema (a test fails when it is stale), and the war
# games' scorecard table in docs/wargames.md from real runs.
docs: build release
	.build/debug/wargame schema > docs/scenarios.md
	.ci/wargame-scorecards

# Re-run every command docs/studies.md quotes (a few minutes), for updating its figures.
studies-figures: release
	.ci/studies-figures | tee out/studies-figures.txt

# Kernel speed against Benchmarks/mmc_bare.swift, a bare loop of the same M/M/c model
# (events = arrivals + completions; medians of 3 alternating runs, and their ratio); the
# closure-per-event representation for comparison; memory at 1 M vs 10 M customers; then
# whole runs, sweeps, a study and the live server (docs/performance.md).
bench: release
	@echo "== bench mmc (enum events, the kernel's representation)"
	@$(RELEASE_BIN) bench mmc --repeat 3
	@echo "== the kernel against the bare loop of the same model (Benchmarks/mmc_bare.swift), alternating"
	@Benchmarks/kernel-vs-bare $(RELEASE_BIN) 3
	@echo "== bench mmc --handler closure (one closure per event, for comparison)"
	@$(RELEASE_BIN) bench mmc --repeat 3 --handler closure
	@echo "== memory: 10,000,000 customers (compare peak_rss_mb with the 1 M run above)"
	@$(RELEASE_BIN) bench mmc --customers 10000000
	@echo "== bench run: baseline scenario, 10,000 steps, every output written;"
	@echo "   then (scale_*) 10,000 tenants at 200 orders/s over a simulated day, RSS through the day"
	@$(RELEASE_BIN) bench run scenarios/baseline.json --steps 10000
	@echo "== bench run: the same 10,000 steps with a 30-rule production-style rule file, alternating with runs without it (rules_*_ratio, medians of the pairs: what the rules cost; before the 100,000-step run, whose 3.6 GB of writes would slow what follows)"
	@$(RELEASE_BIN) bench run scenarios/baseline.json --steps 10000 --scale none --repeat 7 --alert-rules scenarios/monitoring/aurora-alert-rules.yaml
	@echo "== bench run: baseline scenario, 100,000 steps (compare peak_rss_mb with 10,000)"
	@$(RELEASE_BIN) bench run scenarios/baseline.json --steps 100000 --scale none
	@echo "== bench sweep: 200 seeds of the baseline at its default steps, 1 job vs 2"
	@$(RELEASE_BIN) bench sweep scenarios/baseline.json --seeds 1..200 --jobs 2
	@echo "== bench sweep: 800 seeds (compare peak_rss_mb with 200)"
	@$(RELEASE_BIN) bench sweep scenarios/baseline.json --seeds 1..800 --jobs 2
	@echo "== bench study: 3 x 3 (demand x router strategy) x 50 seeds x 1,440 steps (a simulated day), 2 jobs"
	@$(RELEASE_BIN) bench study scenarios/baseline.json --jobs 2
	@echo "== bench serve: 200 scrapes of /metrics at concurrency 20 while 500 idle connections are held"
	@$(RELEASE_BIN) bench serve --idle 500 --requests 200 --concurrency 20
	@echo "== bench calibrate: 10,000,000 raw latency samples fitted (four families, intervals, Anderson-Darling), then as 26 buckets"
	@$(RELEASE_BIN) bench calibrate
	@echo "== bench serve: 300 scrapes while 1,100 hostile clients hold idle connections and re-open them (limit 1024)"
	@$(RELEASE_BIN) bench serve --hostile 1100 --requests 300 --concurrency 4

clean:
	rm -rf .build
	find out -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
