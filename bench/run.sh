#!/bin/sh
# Runs every benchmark against the servers of scripts/testenv.sh (make bench starts them) and prints figures.
set -eu
cd "$(dirname "$0")/.."
set -a; eval "$(scripts/testenv.sh env)"; set +a
B=build/release/bench
"$B/clickhouse_insert" --rows "${BENCH_ROWS:-10000000}"
bench/binlog_decode.sh "${BENCH_BINLOG_MB:-1024}"
bench/snapshot.sh "${BENCH_SNAPSHOT_ROWS:-5000000}"
bench/cdc/run.sh
