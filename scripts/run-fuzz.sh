#!/usr/bin/env bash
# Runs every libFuzzer target of BUILD_DIR/fuzz/ for RUNS executions over its corpus, seeded with the recorded
# fixtures: target <name>_fuzz uses fuzz/corpus/<name>/, or fuzz/corpus/<name up to its last '_'>/
# (binlog_event_fuzz -> fuzz/corpus/binlog/). Fails on the first crash, leak or sanitizer report.
#   scripts/run-fuzz.sh build/fuzz 20000
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:?usage: run-fuzz.sh BUILD_DIR RUNS}
RUNS=${2:?usage: run-fuzz.sh BUILD_DIR RUNS}
found=0
for bin in "$BUILD"/fuzz/*_fuzz; do
  [[ -x $bin ]] || continue
  found=1
  name=$(basename "$bin" _fuzz)
  corpus=fuzz/corpus/$name
  [[ -d $corpus ]] || corpus=fuzz/corpus/${name%_*}
  work=$(mktemp -d)
  # New inputs go to a scratch directory so the committed corpus stays as recorded.
  [[ -d $corpus ]] && cp -r "$corpus"/. "$work"/
  echo "== $name: $RUNS runs over $(find "$work" -type f | wc -l) seeds"
  if ! "$bin" -runs="$RUNS" -max_len=262144 -rss_limit_mb=2048 -print_final_stats=0 "$work" >"$work.log" 2>&1; then
    tail -50 "$work.log" >&2
    rm -rf "$work" "$work.log"
    echo "fuzz target $name failed" >&2
    exit 1
  fi
  grep -E '^(Done|#[0-9]+ *DONE)' "$work.log" || tail -1 "$work.log"
  rm -rf "$work" "$work.log"
done
[[ $found == 1 ]] || { echo "no fuzz targets in $BUILD/fuzz" >&2; exit 1; }
