# Thin wrapper over CMake. Build trees live under build/<kind>/.
#   make            Release build: build/release/mysql2ch
#   make debug      Debug build:   build/debug/mysql2ch
#   make asan       ASan+UBSan:    build/asan/mysql2ch
#   make fuzz       libFuzzer targets (clang): build/fuzz/fuzz/*
#   make test       everything the tests need on a fresh machine, then every test (scripts/test.sh)
#   make bench      the benchmarks under bench/ (servers started as for the tests)
#   make demo       a live MariaDB -> chDB mirror with a write load (scripts/demo.sh); DEMO_ROUNDS=N ends after
#                   N refreshes and exits 0 when the mirror equals the source
#   make format / make tidy
JOBS ?= $(shell nproc)
DEMO_ROUNDS ?= 0
DEMO_INTERVAL ?= 3
CMAKE_GEN := -G Ninja

.PHONY: all release debug asan fuzz test bench demo deps format tidy clean

all: release

deps:
	@scripts/install-deps.sh

release: deps
	@cmake -S . -B build/release $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build/release -j $(JOBS)

debug: deps
	@cmake -S . -B build/debug $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build build/debug -j $(JOBS)

asan: deps
	@cmake -S . -B build/asan $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMYSQL2CH_SANITIZE=ON -DMYSQL2CH_BENCH=OFF >/dev/null
	@cmake --build build/asan -j $(JOBS)

fuzz: deps
	@scripts/install-deps.sh --test
	@CC=clang-14 CXX=clang++-14 cmake -S . -B build/fuzz $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DMYSQL2CH_FUZZ=ON -DMYSQL2CH_TESTS=OFF -DMYSQL2CH_BENCH=OFF >/dev/null
	@cmake --build build/fuzz -j $(JOBS) --target fuzz_targets

test:
	@scripts/test.sh

bench: release
	@scripts/testenv.sh start
	@bench/run.sh

demo:
	@scripts/install-deps.sh --demo
	@$(MAKE) --no-print-directory release
	@DEMO_ROUNDS=$(DEMO_ROUNDS) DEMO_INTERVAL=$(DEMO_INTERVAL) scripts/demo.sh

format:
	@find src tests bench fuzz -name '*.cpp' -o -name '*.h' | xargs clang-format -i

tidy: release
	@find src -name '*.cpp' | xargs clang-tidy -p build/release --quiet

clean:
	rm -rf build
