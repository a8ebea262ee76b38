#!/usr/bin/env bash
# Snapshot throughput (issue 5): one MariaDB table of ROWS rows (~207 bytes a row in InnoDB, 14 columns of
# mixed types) copied into ClickHouse 18.16 over HTTP, three ways back to back in one run:
#   (a) mysql2ch sync --once, fresh state directory, fresh destination database (snapshot only)
#   (b) ClickHouse's own INSERT INTO … SELECT * FROM mysql(…) into a table of the same DDL
#   (c) mariadb --quick … -e 'SELECT * FROM t' > /dev/null (the raw read speed, no destination)
# Prints wall time, rows/s, MB/s (MB = MiB of the source's information_schema data_length), peak RSS, the
# ratios, and the load average before and after each run.
#   bench/snapshot.sh [ROWS]    (default 5000000; needs the servers of scripts/testenv.sh and a Release build)
# Environment: BENCH_SNAPSHOT_CONCURRENCY (snapshot.concurrency, default 2), BENCH_SNAPSHOT_CHUNK_ROWS
# (snapshot.chunk_rows, default 100000), BENCH_SNAPSHOT_PERF=1 records `perf record -g` of (a) in
# /tmp/mysql2ch-bench-snapshot/perf.data, BENCH_SNAPSHOT_DB (the source database, default bench_snap).
# The source database bench_snap is kept between runs (generating it takes minutes) and rebuilt only when
# its row count or layout differs; the destination databases are dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-5000000}
CONCURRENCY=${BENCH_SNAPSHOT_CONCURRENCY:-2}
CHUNK_ROWS=${BENCH_SNAPSHOT_CHUNK_ROWS:-100000}
LAYOUT=1  # bump when the table below changes, so a kept table of the old layout is rebuilt
BIN=$PWD/build/release/mysql2ch
W=/tmp/mysql2ch-bench-snapshot
SRC_DB=${BENCH_SNAPSHOT_DB:-bench_snap}
M2C_DB=${SRC_DB}_m2c       # (a): naming prefix, so the table is bench_snap_m2c.mysql_bench_snap_t
CHF_DB=${SRC_DB}_chmysql   # (b)
[[ -x $BIN ]] || { echo "build first: make release" >&2; exit 1; }
mkdir -p "$W"

MA=(mariadb -h127.0.0.1 -P13306 -uroot -prootpass)
CH=(clickhouse-client --port 19000)

cleanup() {
  "${CH[@]}" -q "DROP DATABASE IF EXISTS $M2C_DB" || true
  "${CH[@]}" -q "DROP DATABASE IF EXISTS $CHF_DB" || true
  rm -rf "$W/state"
}
trap cleanup EXIT

# The source table, generated server-side from the SEQUENCE engine in batches of 1 M rows, without binlog
# (sql_log_bin is a session variable: the shared server's binlog readers do not see a GB of bench rows).
ensure_source() {
  local have
  have=$("${MA[@]}" -N -B -e "SELECT CONCAT(rows_done, '/', layout) FROM $SRC_DB.meta" 2>/dev/null || true)
  if [[ $have == "$ROWS/$LAYOUT" ]]; then return; fi
  echo "generating $SRC_DB.t: $ROWS rows (kept for later runs)"
  "${MA[@]}" -e "SET SESSION sql_log_bin = 0; DROP DATABASE IF EXISTS $SRC_DB; CREATE DATABASE $SRC_DB;
    CREATE TABLE $SRC_DB.meta (rows_done BIGINT NOT NULL, layout INT NOT NULL);
    CREATE TABLE $SRC_DB.t (
      id BIGINT NOT NULL PRIMARY KEY,
      account INT NOT NULL,
      counter BIGINT UNSIGNED NOT NULL,
      level TINYINT NOT NULL,
      port SMALLINT UNSIGNED NOT NULL,
      amount DECIMAL(12,2) NOT NULL,
      ratio DOUBLE NOT NULL,
      score FLOAT NULL,
      name VARCHAR(64) CHARACTER SET utf8mb4 NOT NULL,
      note VARCHAR(255) CHARACTER SET utf8mb4 NULL,
      created DATETIME NOT NULL,
      day DATE NOT NULL,
      updated TIMESTAMP NULL,
      status ENUM('new','paid','shipped','cancelled') NOT NULL
    ) ENGINE=InnoDB"
  local from=1 to
  while (( from <= ROWS )); do
    to=$(( from + 999999 < ROWS ? from + 999999 : ROWS ))
    "${MA[@]}" "$SRC_DB" -e "SET SESSION sql_log_bin = 0; SET SESSION time_zone = '+00:00';
      INSERT INTO $SRC_DB.t SELECT n, n * 7919 % 2000000 - 1000000, seq * 2654435761, n % 256 - 128, n % 65536,
        (n % 1000000) / 100 - 5000, n / 7.0, IF(n % 7 = 0, NULL, n % 10000 / 16.0),
        CONCAT(IF(n % 5 = 0, 'Zürich-', 'customer-'), n % 100003),
        IF(n % 10 = 0, NULL, REPEAT(SUBSTR(MD5(n), 1, 16), 1 + n % 12)),
        TIMESTAMP('2020-01-01') + INTERVAL n SECOND, DATE('2000-01-01') + INTERVAL n % 10000 DAY,
        IF(n % 3 = 0, NULL, TIMESTAMP('2021-06-01') + INTERVAL n * 7 SECOND), 1 + n % 4
      FROM (SELECT seq, CAST(seq AS SIGNED) AS n FROM seq_${from}_to_${to}) s"
    echo "  $to rows"
    from=$(( to + 1 ))
  done
  "${MA[@]}" -e "SET SESSION sql_log_bin = 0; ANALYZE TABLE $SRC_DB.t; INSERT INTO $SRC_DB.meta VALUES ($ROWS, $LAYOUT)" >/dev/null
}

# measure LABEL CMD...: runs CMD > /dev/null under /usr/bin/time -v; prints "wall_seconds peak_kb cpu_seconds"
measure() {
  local label=$1; shift
  /usr/bin/time -v "$@" > /dev/null 2> "$W/$label.time" || { tail -20 "$W/$label.time" >&2; return 1; }
  local wall rss cpu
  wall=$(grep 'Elapsed (wall clock)' "$W/$label.time" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep 'Maximum resident' "$W/$label.time" | awk '{print $NF}')
  cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$W/$label.time")
  echo "$wall $rss $cpu"
}

load() { awk '{ print $1 }' /proc/loadavg; }

# CPU seconds the two servers have used so far (user + system). The servers are shared, so a difference
# over a run also counts other work on them; it still shows where a run's CPU went.
TESTENV=${MYSQL2CH_TESTENV:-/tmp/mysql2ch-testenv}
server_cpu() {
  local total=0 pid
  for pid in $(cat "$TESTENV/mariadb/mariadbd.pid" "$TESTENV/clickhouse/server.pid" 2>/dev/null); do
    total=$(awk -v t="$total" -v hz="$(getconf CLK_TCK)" '{ print t + ($14 + $15) / hz }' "/proc/$pid/stat" 2>/dev/null || echo "$total")
  done
  echo "$total"
}

ensure_source
DATA_BYTES=$("${MA[@]}" -N -B -e "SELECT data_length FROM information_schema.TABLES WHERE table_schema = '$SRC_DB' AND table_name = 't'")
COUNT=$("${MA[@]}" -N -B -e "SELECT rows_done FROM $SRC_DB.meta")
MB=$(awk -v b="$DATA_BYTES" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "== snapshot bench: $SRC_DB.t, $COUNT rows, data_length $MB MiB; concurrency $CONCURRENCY, chunk_rows $CHUNK_ROWS"
echo "   $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, uptime: $(uptime)"
cleanup

# (c) first. InnoDB reads with O_DIRECT and a small buffer pool here, so each run reads the table from disk.
l0=$(load); s0=$(server_cpu)
read -r c_s c_rss c_cpu < <(measure raw "${MA[@]}" --quick -e "SELECT * FROM $SRC_DB.t")
l1=$(load); s1=$(server_cpu)

# (a)
cat > "$W/config.yaml" <<EOF
source:
  host: 127.0.0.1
  port: 13306
  user: root
  password: rootpass
  server_id: 9771
  max_connections: $(( CONCURRENCY + 1 ))
destination:
  url: http://127.0.0.1:18123
  database: $M2C_DB
  naming: prefix
tables:
  include: ["$SRC_DB.t"]
snapshot:
  concurrency: $CONCURRENCY
  chunk_rows: $CHUNK_ROWS
state:
  path: $W/state
EOF
PERF=()
if [[ ${BENCH_SNAPSHOT_PERF:-0} == 1 ]]; then PERF=(perf record -g -o "$W/perf.data" --); fi
l2=$(load); s2=$(server_cpu)
read -r a_s a_rss a_cpu < <(measure m2c "${PERF[@]}" "$BIN" --log-level warn sync --once -c "$W/config.yaml")
l3=$(load); s3=$(server_cpu)
a_count=$("${CH[@]}" -q "SELECT count() FROM $M2C_DB.mysql_${SRC_DB}_t FINAL")
[[ $a_count == "$COUNT" ]] || { echo "mysql2ch copied $a_count rows of $COUNT" >&2; exit 1; }

# (b): the DDL mysql2ch made, in another database; _version and _is_deleted take their defaults.
ddl=$("${CH[@]}" -q "SHOW CREATE TABLE $M2C_DB.mysql_${SRC_DB}_t" --format TSVRaw)
cols=$("${CH[@]}" -q "SELECT arrayStringConcat(groupArray(name), ', ') FROM (SELECT name FROM system.columns
  WHERE database = '$M2C_DB' AND table = 'mysql_${SRC_DB}_t' AND name NOT IN ('_version', '_is_deleted'))")
"${CH[@]}" -q "CREATE DATABASE $CHF_DB"
"${CH[@]}" -q "${ddl/$M2C_DB./$CHF_DB.}"
b_query_id=bench-snap-$$-$(date +%s)
l4=$(load); s4=$(server_cpu)
read -r b_s b_rss b_cpu < <(measure chmysql "${CH[@]}" --query_id "$b_query_id" --log_queries 1 -q "INSERT INTO $CHF_DB.mysql_${SRC_DB}_t ($cols)
  SELECT * FROM mysql('127.0.0.1:13306', '$SRC_DB', 't', 'root', 'rootpass')")
l5=$(load); s5=$(server_cpu)
b_count=$("${CH[@]}" -q "SELECT count() FROM $CHF_DB.mysql_${SRC_DB}_t")
[[ $b_count == "$COUNT" ]] || { echo "mysql() copied $b_count rows of $COUNT" >&2; exit 1; }
# The server's memory for (b): the query's peak from the query log (written every few seconds).
b_mem=""
for _ in $(seq 1 30); do
  b_mem=$("${CH[@]}" -q "SELECT max(memory_usage) FROM system.query_log WHERE query_id = '$b_query_id' AND type = 2" 2>/dev/null || true)
  [[ -n $b_mem && $b_mem != 0 ]] && break
  sleep 1
done

report() {  # report LABEL SECONDS RSS_KB CPU_SECONDS SERVER_CPU_BEFORE SERVER_CPU_AFTER LOAD_BEFORE LOAD_AFTER
  awk -v t="$1" -v s="$2" -v rss="$3" -v cpu="$4" -v s0="$5" -v s1="$6" -v l0="$7" -v l1="$8" -v rows="$COUNT" -v mb="$MB" 'BEGIN {
    if (s <= 0) s = 0.01
    printf "%-34s wall %6.1f s %8.0f rows/s %6.1f MB/s | cpu %5.1f s, servers %6.1f s | peak RSS %6.1f MB | load %s -> %s\n",
      t, s, rows / s, mb / s, cpu, s1 - s0, rss / 1024, l0, l1 }'
}
echo "(MB = MiB of data_length; cpu = the client process; servers = mariadbd + clickhouse-server during the run)"
report "(a) mysql2ch sync --once" "$a_s" "$a_rss" "$a_cpu" "$s2" "$s3" "$l2" "$l3"
report "(b) INSERT … SELECT FROM mysql()" "$b_s" "$b_rss" "$b_cpu" "$s4" "$s5" "$l4" "$l5"
[[ -n $b_mem ]] && awk -v m="$b_mem" 'BEGIN { printf "%-34s the server query peak memory %.1f MB (query_log)\n", "", m / 1048576 }'
report "(c) mariadb --quick SELECT *" "$c_s" "$c_rss" "$c_cpu" "$s0" "$s1" "$l0" "$l1"
awk -v a="$a_s" -v b="$b_s" -v c="$c_s" -v rss="$a_rss" 'BEGIN {
  printf "ratios: mysql2ch vs mysql() %.2fx (target >= 1.2x); mysql2ch vs raw read %.0f%% (target >= 80%%); mysql2ch peak RSS %.0f MB (target < 512 MB)\n",
    b / a, 100 * c / a, rss / 1024 }'
echo "   uptime after: $(uptime)"
