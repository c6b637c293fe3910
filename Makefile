# Muse: two commands do everything on a fresh Debian machine.
#   make demo   set-up, release build, corpora, and the demo pipeline (writes to output/)
#   make test   set-up, build, corpora, every test
# Numeric code is ~50x slower in debug builds, so everything builds in release; tests and the tool
# share one build (-enable-testing only exports internal symbols to the test bundle).
# Benchmarks build separately without -enable-testing (make bench).

SWIFT      ?= swift
BUILDFLAGS := -c release -Xswiftc -enable-testing
JOBS       ?= $(shell nproc)
MUSE       := .build/release/muse

.PHONY: all setup build corpora demo test bench bench-check bench-baseline bench-mpi ablation-transformer clean fuzz sanitize

all: build

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build $(BUILDFLAGS) -j $(JOBS) --product muse

corpora: build
	@MUSE_BIN=$(MUSE) scripts/build_corpora.sh

demo: build corpora
	@MUSE=$(MUSE) scripts/demo.sh

test: setup corpora
	@scripts/check_standalone.sh
	$(SWIFT) build $(BUILDFLAGS) -j $(JOBS) --build-tests
	@scripts/run_tests.sh $(BUILDFLAGS)
	@scripts/sanitize_fast.sh

# Every benchmark beside its peer; ends with one table of all rows (output/bench.md) and a bar chart
# of the ratios (output/bench.png). Each benchmark's rows are kept in output/bench/<name>.tsv.
bench: setup
	@scripts/bench.sh

# Fails when a ratio of the last make bench is more than 15% below Benchmarks/baseline.tsv.
bench-check:
	@$(SWIFT) build -c release --scratch-path .build-bench --product muse-bench-report >&2
	@.build-bench/release/muse-bench-report check

# Rewrites Benchmarks/baseline.tsv from the ratios of the last make bench (dated today).
bench-baseline:
	@$(SWIFT) build -c release --scratch-path .build-bench --product muse-bench-report >&2
	@.build-bench/release/muse-bench-report baseline

# Data-parallel training: steps/s plain, under mpirun -np 1 and -np 2, and the all-reduce time.
bench-mpi: build corpora
	@MUSE=$(MUSE) scripts/bench_data_parallel.sh

# The Music Transformer paper's ablation on the Bach chorales: relative vs absolute positions vs an
# LSTM of equal parameter count, same crops and steps, held-out NLL per event (a few minutes).
ablation-transformer: build corpora
	$(SWIFT) build -c release --scratch-path .build-bench --product ablation-music-transformer
	.build-bench/release/ablation-music-transformer corpora/bach 400

clean:
	rm -rf .build .build-bench

# Coverage-guided fuzzing of every reader of outside bytes (libFuzzer + AddressSanitizer), see
# Fuzz/README.md. FUZZ_SECONDS per target (default 60); FUZZ_TARGETS to pick some.
fuzz:
	@Fuzz/build.sh $(FUZZ_TARGETS)
	@FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60) Fuzz/run.sh $(FUZZ_TARGETS)

# The test suite under AddressSanitizer then ThreadSanitizer (separate build folders; slow). The
# corpora come first: without them the tests that train on real data skip themselves.
# SANITIZE_FILTER limits the tests run (a swift test --filter pattern).
sanitize: setup corpora
	@scripts/sanitize.sh address "$(SANITIZE_FILTER)"
	@scripts/sanitize.sh thread "$(SANITIZE_FILTER)"
