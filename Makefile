# agentanycastd — front end to CMake. `make run` and `make test` are the two
# commands a new user types on a fresh Debian 12 machine (as root).

SHELL := /bin/bash
JOBS  ?= $(shell nproc)
BUILD ?= build
ASAN  ?= build-asan
SMALL ?= build-small
CI    ?=
ifneq ($(CI),)
WERROR := -DAAC_WERROR=ON
endif

# Exactly the Debian packages the build needs ...
BUILD_PKGS := g++ cmake ninja-build pkg-config git \
  libsodium-dev libssl-dev libngtcp2-dev libngtcp2-crypto-gnutls-dev libgnutls28-dev \
  libnghttp2-dev node-llhttp libsqlite3-dev libsimdjson-dev libtomlplusplus-dev \
  protobuf-compiler libprotobuf-dev doctest-dev
# ... and what the tests and benchmarks add.
TEST_PKGS := clang-14 libclang-rt-14-dev libfuzzer-14-dev python3 python3-grpcio python3-grpc-tools \
  iproute2 nftables procps sqlite3 hyperfine wrk iperf3 prometheus curl openssl

.PHONY: all deps test-deps build small run test bench fuzz asan clean

all: build

# Idempotent: `apt-get update` runs only when something is missing.
deps:
	@test/tools/apt-ensure.sh $(BUILD_PKGS)

test-deps: deps
	@test/tools/apt-ensure.sh $(TEST_PKGS)
	@command -v node >/dev/null || test/tools/apt-ensure.sh nodejs npm
	@test/tools/npm-ensure.sh test/interop

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(WERROR)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD) -j $(JOBS)

# Size-optimized daemon and peer tool for constrained machines (-Os, link-time
# optimization): about half the size of the default -O2 build; see README.
$(SMALL)/build.ninja:
	cmake -S . -B $(SMALL) -G Ninja -DCMAKE_BUILD_TYPE=MinSizeRel -DCMAKE_INTERPROCEDURAL_OPTIMIZATION=ON $(WERROR)

small: deps $(SMALL)/build.ninja
	ninja -C $(SMALL) -j $(JOBS) agentanycastd agentanycast-peer

# Starts the daemon with its defaults (key, store and socket under ~/.agentanycast).
run: build
	./$(BUILD)/agentanycastd

$(ASAN)/build.ninja:
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(ASAN) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DAAC_SANITIZE=ON -DAAC_FUZZ=ON $(WERROR)

# ASan+UBSan build of everything (unit tests, daemon, fuzz targets) with clang-14.
asan: test-deps $(ASAN)/build.ninja
	ninja -C $(ASAN) -j $(JOBS)

test: test-deps build asan
	test/run_all.sh $(BUILD) $(ASAN)

# Long fuzzing: FUZZ_SECONDS per target (default 600), all targets in turn.
FUZZ_SECONDS ?= 600
fuzz: asan
	test/tools/run-fuzzers.sh $(ASAN) $(FUZZ_SECONDS)

bench: test-deps build small
	test/bench/run.sh $(BUILD) $(SMALL)

clean:
	rm -rf $(BUILD) $(ASAN) $(SMALL)
