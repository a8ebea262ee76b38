#!/usr/bin/env bash
# `make test`: from a fresh machine to every test run.
#  1. Debian packages for the build and the test servers (scripts/install-deps.sh --test)
#  2. the real servers (scripts/testenv.sh start), stopped again on exit, whatever happens
#  3. the Release build and the ASan+UBSan build, each running every unit and integration test (ctest)
#  4. the quickstart (scripts/demo.sh) non-interactively, against its own MariaDB instance
#  5. the fuzz targets, for a bounded number of runs each, seeded with the recorded fixtures
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --test

started_here=0
cleanup() { [[ $started_here == 1 ]] && scripts/testenv.sh stop; }
trap cleanup EXIT
if ! scripts/testenv.sh status | grep -q 'mariadb: running'; then started_here=1; fi
scripts/testenv.sh start
set -a; eval "$(scripts/testenv.sh env)"; set +a

JOBS=$(nproc)
run_suite() {  # run_suite BUILD_DIR
  echo "== tests in $1"
  (cd "$1" && ctest --output-on-failure -j "$JOBS" -LE integration && ctest --output-on-failure -L integration)
}

make --no-print-directory release
run_suite build/release
make --no-print-directory asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 run_suite build/asan

# The quickstart, non-interactively, on its own MariaDB instance and directory: load, write load, two refreshes,
# then every row of the mirror compared with the source.
echo "== make demo (non-interactive)"
DEMO_ROUNDS=2 DEMO_INTERVAL=1 DEMO_DIR="$MYSQL2CH_TESTENV/demo" DEMO_PORT=13408 scripts/demo.sh \
  >"$MYSQL2CH_TESTENV/demo.log" 2>&1 || { tail -40 "$MYSQL2CH_TESTENV/demo.log"; exit 1; }
tail -6 "$MYSQL2CH_TESTENV/demo.log"

if [[ -d fuzz ]] && compgen -G 'fuzz/*.cpp' >/dev/null; then
  make --no-print-directory fuzz
  scripts/run-fuzz.sh build/fuzz 20000
fi
echo "make test: all suites passed"
