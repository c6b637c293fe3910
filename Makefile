# Muse: two commands do everything on a fresh Debian machine.
#   make demo   set-up, release build, corpora, and the demo pipeline (writes to output/)
#   make test   set-up, build, every test
# Numeric code is ~50x slower in debug builds, so tests run on a release build with testing enabled.

SWIFT      ?= swift
RELEASE    := -c release
TESTFLAGS  := -c release -Xswiftc -enable-testing
JOBS       ?= $(shell nproc)

.PHONY: all setup build corpora demo test bench clean

all: build

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build $(RELEASE) -j $(JOBS)

corpora: setup
	@scripts/build_corpora.sh

demo: build corpora
	@scripts/demo.sh

test: setup corpora
	$(SWIFT) build $(TESTFLAGS) -j $(JOBS) --build-tests
	$(SWIFT) test $(TESTFLAGS) -j $(JOBS) --skip-build --parallel --num-workers $(JOBS)

bench: build
	@scripts/bench.sh

clean:
	rm -rf .build
