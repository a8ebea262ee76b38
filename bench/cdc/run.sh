#!/usr/bin/env bash
# CDC under a write load: sysbench oltp_write_only writes into MySQL 9.x (scripts/testenv.sh's server, database
# bench_cdc) while `mysql2ch sync` (streaming, not --once) follows it into ClickHouse 18.16 over HTTP
# (database bench_cdc_dst, naming: prefix). One run per sysbench rate (CDC_RATES, 0 = unlimited), each with a
# fresh sync process resuming from the previous checkpoint.
#
# Lag is measured end to end with a heartbeat, not taken from mysql2ch's own figures: every 100 ms a client
# inserts a row into bench_cdc.heartbeat holding MySQL's NOW(6) in microseconds (same machine clock); a poller
# asks ClickHouse every ~100 ms for heartbeat rows it has not seen yet. A row's lag = the local time just before
# the poll that first returned it - its written time: it includes the binlog, mysql2ch's batching
# (pipeline.max_delay_ms) and ClickHouse's insert, and overstates by at most one poll period (~0.1 s).
# Per rate: sysbench's TPS and rows written (oltp_write_only: an index UPDATE, a non-index UPDATE, a DELETE and
# an INSERT per transaction = 4 row changes), the rows mysql2ch applied (its own count, logged at exit) per
# second from sysbench's start until the last heartbeat written during the run is in ClickHouse, lag
# p50/p99/max over the heartbeats written during the run, mysql2ch's CPU (utime+stime from /proc over the
# same window, as a fraction of one core) and peak RSS (VmHWM).
#
# CDC_DEST_RTT_MS=N puts bench/cdc/latency_proxy.py between mysql2ch and ClickHouse, delaying each direction by
# N/2 ms: a destination across a network rather than on the same host (the poller still asks ClickHouse
# directly). CDC_BIN runs another build of mysql2ch (e.g. an older commit's) under the same conditions.
#
#   bench/cdc/run.sh            CDC_RATES="25 50 100 0" CDC_SECONDS=60 CDC_THREADS=8 CDC_MAX_DELAY_MS=200
#                               CDC_LOG_LEVEL=info CDC_DEST_RTT_MS=0 CDC_BIN=build/release/mysql2ch
set -euo pipefail
cd "$(dirname "$0")/../.."
set -a; eval "$(scripts/testenv.sh env)"; set +a

BIN=$(realpath "${CDC_BIN:-build/release/mysql2ch}")
RTT_MS=${CDC_DEST_RTT_MS:-0}
PROXY_PORT=28123
W=${CDC_WORKDIR:-/tmp/mysql2ch-bench-cdc}
RATES=${CDC_RATES:-"25 50 100 0"}
RUN_S=${CDC_SECONDS:-60}
THREADS=${CDC_THREADS:-8}
DELAY_MS=${CDC_MAX_DELAY_MS:-200}
LOG_LEVEL=${CDC_LOG_LEVEL:-info}   # debug: one line per flush (rows, inserts, duration, wait of the oldest row)
N_TABLES=4
TABLE_ROWS=10000
CH="http://127.0.0.1:$CH_HTTP_PORT/?user=cdc&password=cdcpass"
MY=(mariadb -h127.0.0.1 -P"$MYSQL_PORT" -uroot -prootpass)
SB=(sysbench oltp_write_only --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$MYSQL_PORT"
  --mysql-user=bench_cdc --mysql-password=benchpass --mysql-db=bench_cdc --tables=$N_TABLES
  --table-size=$TABLE_ROWS --mysql-ssl=off)
HEARTBEATS=bench_cdc_dst.mysql_bench_cdc_heartbeat
TICK=$(getconf CLK_TCK)

log() { echo "cdc: $*" >&2; }
now_us() { date +%s%6N; }
ch() { curl -fsS "$CH" --data-binary "$1"; }

bg_pids=()
sync_pid=""
proxy_pid=""
cleanup() {
  touch "$W/stop"
  [[ -n $proxy_pid ]] && kill "$proxy_pid" 2>/dev/null
  [[ -n $sync_pid ]] && kill -TERM "$sync_pid" 2>/dev/null && wait "$sync_pid" 2>/dev/null
  for p in "${bg_pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

rm -rf "$W"; mkdir -p "$W"
DEST_PORT=$CH_HTTP_PORT
if [[ $RTT_MS != 0 ]]; then
  python3 bench/cdc/latency_proxy.py "$PROXY_PORT" "$CH_HTTP_PORT" "$(awk -v r="$RTT_MS" 'BEGIN { print r / 2 }')" &
  proxy_pid=$!
  DEST_PORT=$PROXY_PORT
  until curl -fsS "http://127.0.0.1:$DEST_PORT/ping" >/dev/null 2>&1; do sleep 0.1; done
fi
log "preparing bench_cdc on MySQL :$MYSQL_PORT ($N_TABLES sysbench tables of $TABLE_ROWS rows) and bench_cdc_dst on ClickHouse"
"${MY[@]}" -e "DROP DATABASE IF EXISTS bench_cdc; CREATE DATABASE bench_cdc;
  CREATE USER IF NOT EXISTS 'bench_cdc'@'127.0.0.1' IDENTIFIED WITH caching_sha2_password BY 'benchpass';
  GRANT ALL ON bench_cdc.* TO 'bench_cdc'@'127.0.0.1';
  CREATE TABLE bench_cdc.heartbeat (id BIGINT AUTO_INCREMENT PRIMARY KEY, written_us BIGINT NOT NULL);"
"${SB[@]}" prepare >"$W/prepare.log" 2>&1
ch "DROP DATABASE IF EXISTS bench_cdc_dst"

cat >"$W/mirror.yaml" <<YAML
source:
  host: 127.0.0.1
  port: $MYSQL_PORT
  user: repl
  password: replpass
  server_id: 9517
destination:
  url: http://127.0.0.1:$DEST_PORT
  user: cdc
  password: cdcpass
  database: bench_cdc_dst
  naming: prefix
tables:
  include: ["bench_cdc.*"]
pipeline:
  max_delay_ms: $DELAY_MS
state:
  path: $W/state
YAML

# Heartbeats: one autocommit INSERT every 100 ms on one connection, until the stop file appears.
( while [[ ! -e $W/stop ]]; do
    echo "INSERT INTO heartbeat (written_us) VALUES (UNIX_TIMESTAMP(NOW(6)) * 1000000);"; sleep 0.1
  done | "${MY[@]}" bench_cdc ) &
bg_pids+=($!)

# Poller: "poll_time_us id written_us" for each heartbeat row the first time ClickHouse returns it.
( last=0
  while [[ ! -e $W/stop ]]; do
    t=$(now_us)
    out=$(ch "SELECT id, written_us FROM $HEARTBEATS WHERE id > $last ORDER BY id FORMAT TabSeparated" 2>/dev/null) || out=""
    if [[ -n $out ]]; then
      awk -v t="$t" '{ print t, $1, $2 }' <<<"$out" >>"$W/arrivals"
      last=$(tail -n1 <<<"$out" | cut -f1)
    fi
    sleep 0.1
  done ) &
bg_pids+=($!)

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# Waits until a heartbeat written at or after $1 (µs) has reached ClickHouse; prints the time it was seen.
wait_heartbeat_after() {
  local since=$1
  for _ in $(seq 1 1200); do
    if [[ -f $W/arrivals ]] && awk -v s="$since" '$3 >= s { found = 1 } END { exit !found }' "$W/arrivals"; then
      awk -v s="$since" '$3 >= s { print $1; exit }' "$W/arrivals"; return 0
    fi
    sleep 0.1
  done
  log "no heartbeat after $since reached ClickHouse within 120 s; see $W/sync.log"; return 1
}

start_sync() {
  "$BIN" --log-level "$LOG_LEVEL" sync -c "$W/mirror.yaml" 2>>"$W/sync.log" &
  sync_pid=$!
}
stop_sync() {  # prints the rows the process applied (its last "applied ... rows" line)
  kill -TERM "$sync_pid"; wait "$sync_pid"; sync_pid=""
  grep -o 'applied [0-9]* transactions, [0-9]* rows' "$W/sync.log" | tail -n1 | awk '{ print $4 }'
}

log "initial snapshot, then streaming"
start_sync
until grep -q 'resuming from checkpoint' "$W/sync.log"; do
  kill -0 "$sync_pid" 2>/dev/null || { log "sync exited; see $W/sync.log"; exit 1; }
  sleep 0.2
done
wait_heartbeat_after "$(now_us)" >/dev/null
stop_sync >/dev/null

printf '%s\n' "| sysbench --rate | sysbench TPS | rows written/s | mysql2ch rows applied/s | lag p50 | lag p99 | lag max | heartbeats | mysql2ch CPU | peak RSS |"
printf '%s\n' "|---|---|---|---|---|---|---|---|---|---|"
for rate in $RATES; do
  start_sync
  wait_heartbeat_after "$(now_us)" >/dev/null   # streaming and caught up
  c0=$(cpu_ticks "$sync_pid"); t0=$(now_us)
  "${SB[@]}" --threads="$THREADS" --rate="$rate" --time="$RUN_S" --report-interval=0 run >"$W/sysbench.$rate.log" 2>&1
  t_end=$(now_us)
  t1=$(wait_heartbeat_after "$t_end")
  c1=$(cpu_ticks "$sync_pid")
  rss_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$sync_pid/status")
  applied=$(stop_sync)
  tps=$(grep -o 'transactions: *[0-9]* *([0-9.]* per sec' "$W/sysbench.$rate.log" | grep -o '[0-9.]* per' | cut -d' ' -f1)
  sb_time=$(awk '/total time:/ { sub("s", "", $3); print $3 }' "$W/sysbench.$rate.log")
  # Lag of every heartbeat written during the sysbench run, by its first arrival.
  awk -v a="$t0" -v b="$t_end" '$3 >= a && $3 < b && !seen[$2]++ { print ($1 - $3) / 1e6 }' "$W/arrivals" | sort -n \
    >"$W/lag.$rate"
  n=$(wc -l <"$W/lag.$rate")
  pct() { awk -v n="$n" -v p="$1" 'NR == (int(n * p) < 1 ? 1 : int(n * p)) { printf "%.2f s", $1 }' "$W/lag.$rate"; }
  # Applied rows/s over sysbench's own run time (the sync process also applied the heartbeats, ~10 rows/s, and
  # caught up after the run: both small); CPU over the whole window, sysbench's start to the last catch-up.
  awk -v r="$rate" -v tps="$tps" -v ap="$applied" -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" -v tick="$TICK" \
      -v sb="$sb_time" -v rss="$rss_kb" -v p50="$(pct 0.50)" -v p99="$(pct 0.99)" -v mx="$(tail -n1 "$W/lag.$rate")" \
      -v n="$n" 'BEGIN {
    w = (t1 - t0) / 1e6
    printf "| %s | %.0f | %.0f | %.0f | %s | %s | %.2f s | %d | %.1f %% of a core | %.0f MiB |\n",
      (r == 0 ? "unlimited" : r " tps"), tps, tps * 4, ap / sb, p50, p99, mx, n, 100 * (c1 - c0) / tick / w, rss / 1024 }'
done
log "sysbench: $THREADS threads, ${RUN_S} s per rate; pipeline.max_delay_ms $DELAY_MS; destination RTT added ${RTT_MS} ms; $BIN; logs in $W"
