#!/usr/bin/env bash
# Binlog decoding throughput (issue 3): `mysql2ch binlog --file` next to MySQL's `mysqlbinlog -v` and
# `mariadb-binlog -v` on the same files, in one run. A row workload (a wide table: INSERT, UPDATE, DELETE) is
# recorded once per server, then its transactions are repeated (positions and CRC32 rewritten) until the file
# holds SIZE_MB of events. Prints MB/s, events/s, rows/s and peak RSS (/usr/bin/time -v) per tool.
#   bench/binlog_decode.sh [SIZE_MB]      (default 1024; needs the servers of scripts/testenv.sh and a Release build)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=${1:-1024}
BIN=build/release/mysql2ch
SID=~/.cache/mysql2ch/mysql-sid
T=/tmp/mysql2ch-testenv
W=/tmp/mysql2ch-bench-binlog
mkdir -p "$W"
[[ -x $BIN ]] || { echo "build first: make release" >&2; exit 1; }

MY=(mariadb -h127.0.0.1 -P13310 -uroot -prootpass)
MA=(mariadb -h127.0.0.1 -P13306 -uroot -prootpass)

WORKLOAD="
CREATE TABLE w (id INT PRIMARY KEY, a BIGINT, b DECIMAL(20,6), c VARCHAR(100), d DATETIME(6), e DOUBLE,
  f TEXT, g INT UNSIGNED, h TINYINT, j DATE);
INSERT INTO w SELECT n, n * 1000003, n / 7, CONCAT('row ', n, ' ', REPEAT('x', n % 50)),
  TIMESTAMP('2024-01-01') + INTERVAL n SECOND, n * 1.5, REPEAT('t', n % 200), n, n % 100, DATE('2020-01-01') + INTERVAL n % 1000 DAY
  FROM (WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 50000) SELECT n FROM s) x;
UPDATE w SET a = a + 1, c = CONCAT(c, '!') WHERE id % 2 = 0;
DELETE FROM w WHERE id % 5 = 0;
"

# record NAME DATADIR STATUS_SQL CLIENT...: the workload's binlog file, copied to $W/NAME.seed
record() {
  local name=$1 datadir=$2 status=$3
  local client=("${@:4}")
  "${client[@]}" -e "DROP DATABASE IF EXISTS binlog_bench_$name; CREATE DATABASE binlog_bench_$name"
  "${client[@]}" -e "FLUSH BINARY LOGS"
  local file; file=$("${client[@]}" -N -B -e "$status" | cut -f1)
  local prelude="SET SESSION cte_max_recursion_depth = 1000000;"
  [[ $name == mariadb ]] && prelude="SET SESSION max_recursive_iterations = 1000000;"
  "${client[@]}" "binlog_bench_$name" -e "$prelude $WORKLOAD"
  "${client[@]}" -e "FLUSH BINARY LOGS"
  cp "$datadir/$file" "$W/$name.seed"
  "${client[@]}" -e "DROP DATABASE binlog_bench_$name"
}

# grow SEED OUT: repeats every transaction after the file's header events until OUT has SIZE_MB of events.
grow() {
  python3 - "$1" "$2" "$SIZE_MB" <<'PY'
import struct, sys, zlib
seed, out, size_mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = open(seed, 'rb').read()
pos, events = 4, []
while pos + 19 <= len(d):
    n = struct.unpack_from('<I', d, pos + 9)[0]
    events.append(bytearray(d[pos:pos + n])); pos += n
fde = events[0]
crc = fde[-5] == 1
head = [e for e in events if e[4] in (15, 35, 163, 161)]          # FDE, PREVIOUS_GTIDS, GTID_LIST, CHECKPOINT
body = [e for e in events if e[4] not in (15, 35, 163, 161, 4)]   # everything but those and ROTATE
with open(out, 'wb') as f:
    f.write(b'\xfebin'); pos = 4; count = 0
    seq = 1 << 40   # MariaDB GTIDs must grow: renumber the repeated ones
    def put(e):
        global pos, count, seq
        e = bytearray(e); pos += len(e)
        if e[4] == 162:
            struct.pack_into('<Q', e, 19, seq); seq += 1
        struct.pack_into('<I', e, 13, pos)
        if crc and e[4] != 15:
            struct.pack_into('<I', e, len(e) - 4, zlib.crc32(bytes(e[:-4])) & 0xffffffff)
        f.write(e); count += 1
    for e in head: put(e)
    while pos < size_mb * 1024 * 1024:
        for e in body: put(e)
print(count)
PY
}

# measure LABEL CMD...: runs CMD > /dev/null under /usr/bin/time -v; prints "wall_seconds peak_kb cpu_seconds"
# (CPU = user + system: on a shared machine the wall clock also measures the neighbours)
measure() {
  local label=$1; shift
  /usr/bin/time -v "$@" > /dev/null 2> "$W/$label.time" || { tail -5 "$W/$label.time" >&2; return 1; }
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$W/$label.time" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep 'Maximum resident' "$W/$label.time" | awk '{print $NF}')
  cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$W/$label.time")
  echo "$wall $rss $cpu"
}

report() {  # report TOOL FILE EVENTS ROWS SECONDS RSS_KB CPU_SECONDS
  local mb; mb=$(( $(stat -c %s "$2") / 1048576 ))
  awk -v t="$1" -v mb="$mb" -v ev="$3" -v rows="$4" -v s="$5" -v rss="$6" -v cpu="$7" 'BEGIN {
    if (s <= 0) s = 0.01; if (cpu <= 0) cpu = 0.01;
    printf "%-24s %6d MB | wall %6.1f s %7.1f MB/s %9.0f events/s %9.0f rows/s | cpu %6.1f s %7.1f MB/s %9.0f rows/s | %6.1f MB peak RSS\n",
      t, mb, s, mb / s, ev / s, rows / s, cpu, mb / cpu, rows / cpu, rss / 1024 }'
}

record mysql "$T/mysql/data" "SHOW BINARY LOG STATUS" "${MY[@]}"
record mariadb "$T/mariadb/data" "SHOW MASTER STATUS" "${MA[@]}"

for name in mysql mariadb; do
  file=$W/$name.binlog
  events=$(grow "$W/$name.seed" "$file")
  rows=$("$BIN" binlog --file "$file" | grep -vc '"op":"ddl"')
  echo "== $name: $(( $(stat -c %s "$file") / 1048576 )) MB, $events events, $rows row changes"
  read -r s rss cpu < <(measure "m2c-$name" "$BIN" binlog --file "$file")
  report "mysql2ch binlog --file" "$file" "$events" "$rows" "$s" "$rss" "$cpu"
  if [[ $name == mysql ]]; then
    read -r s rss cpu < <(measure "mysqlbinlog" "$SID/sidrun" "$SID/root/usr/bin/mysqlbinlog" -v "$file")
    report "mysqlbinlog -v" "$file" "$events" "$rows" "$s" "$rss" "$cpu"
  else
    read -r s rss cpu < <(measure "mariadb-binlog" mariadb-binlog -v "$file")
    report "mariadb-binlog -v" "$file" "$events" "$rows" "$s" "$rss" "$cpu"
  fi
done
rm -f "$W"/*.binlog
