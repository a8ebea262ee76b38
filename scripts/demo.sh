#!/usr/bin/env bash
# `make demo`: a live mirror on one machine, from nothing.
#  1. installs what is missing (scripts/install-deps.sh --demo) and builds build/release/mysql2ch (make does)
#  2. starts a MariaDB of its own (scripts/testenv.sh's recipe, data under $DEMO_DIR, port $DEMO_PORT) and
#     fetches chDB's libchdb.so into the download cache, as the tests do
#  3. loads demo/shop.sql (customers, products, orders, order_items: a few thousand rows)
#  4. starts a write load: a new order with its items every ~200 ms, status changes, cancellations, deletes
#  5. writes $DEMO_DIR/mirror.yaml (destination chdb://$DEMO_DIR/chdb), runs `mysql2ch check`
#  6. every $DEMO_INTERVAL seconds: `mysql2ch sync --once` (the first one snapshots), then row counts and the
#     latest orders, MariaDB next to the mirror. A chDB directory is held by one process at a time, so the demo
#     alternates sync --once and query instead of running `sync` continuously (see README).
#  7. after $DEMO_ROUNDS rounds (0 = until Ctrl-C): stops the load, a last `sync --once`, and compares every row
#     of the four tables, source against mirror (a CRC32 of each row's text, by primary key). Exit 0 when
#     equal, 1 when not. Ctrl-C stops the load, the running mysql2ch (SIGINT drains it) and the MariaDB.
#
# Environment: DEMO_ROUNDS (0), DEMO_INTERVAL (3), DEMO_DIR (/tmp/mysql2ch-demo), DEMO_PORT (13406).
# Each run starts the mirror over (the shop database is reloaded, the chDB directory and state removed); the
# MariaDB datadir is kept between runs and the server is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

ROUNDS=${DEMO_ROUNDS:-0}
INTERVAL=${DEMO_INTERVAL:-3}
D=${DEMO_DIR:-/tmp/mysql2ch-demo}
PORT=${DEMO_PORT:-13406}
BIN=$ROOT/build/release/mysql2ch
CFG=$D/mirror.yaml
SQL=(mariadb -h127.0.0.1 -P"$PORT" -uroot -prootpass --default-character-set=utf8mb4)
TESTENV=(env MYSQL2CH_TESTENV="$D" MARIADB_PORT="$PORT" "$ROOT/scripts/testenv.sh")

say() { if [[ -t 1 ]]; then printf '\033[1m== %s\033[0m\n' "$*"; else printf '== %s\n' "$*"; fi; }
[[ -x $BIN ]] || { echo "demo: $BIN is missing; run 'make demo' (it builds first)" >&2; exit 2; }

writer_pid=""
stop_writes() {
  [[ -z $writer_pid ]] && return 0
  touch "$D/stop-writes"
  wait "$writer_pid" 2>/dev/null || true
  writer_pid=""
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_writes
  "${TESTENV[@]}" stop
  exit "$rc"
}
trap cleanup EXIT
# bash runs the foreground mysql2ch in the terminal's process group, so Ctrl-C reaches it too and it drains.
trap 'echo; say "interrupted: stopping"; exit 130' INT TERM

mkdir -p "$D"
say "MariaDB on 127.0.0.1:$PORT (data in $D/mariadb), libchdb.so"
"${TESTENV[@]}" start mariadb chdb
eval "$("${TESTENV[@]}" env)"   # MYSQL2CH_LIBCHDB
export MYSQL2CH_LIBCHDB

say "loading demo/shop.sql"
rm -rf "$D/chdb" "$D/state" "$D/stop-writes"
"${SQL[@]}" < demo/shop.sql
"${SQL[@]}" -N -e "SELECT CONCAT('   ', table_name, ': ', table_rows, ' rows (estimate)') FROM information_schema.tables
  WHERE table_schema = 'shop' ORDER BY table_name"

# One client connection fed one transaction every ~200 ms, until the stop file appears. Ctrl-C does not reach
# it (background jobs of a script ignore SIGINT); cleanup stops it through the file.
write_load() {
  local i=0
  while [[ ! -e $D/stop-writes ]]; do
    i=$((i + 1))
    cat <<SQL
BEGIN;
INSERT INTO orders (customer_id, status, note, created_at)
  VALUES (1 + FLOOR(RAND() * 500), 'new', IF(RAND() < 0.2, 'Geschenk 🎁 — merci', NULL), NOW(6));
SET @o = LAST_INSERT_ID();
INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price)
  SELECT @o, seq, 1 + FLOOR(RAND() * 200), 1 + FLOOR(RAND() * 3), 0 FROM seq_1_to_3 WHERE seq <= 1 + $i % 3;
UPDATE order_items i JOIN products p ON p.id = i.product_id
  SET i.unit_price = p.price, p.stock = p.stock - i.quantity WHERE i.order_id = @o;
UPDATE orders SET total = (SELECT SUM(quantity * unit_price) FROM order_items WHERE order_id = @o) WHERE id = @o;
UPDATE orders SET status = ELT(FIELD(status, 'new', 'paid', 'shipped'), 'paid', 'shipped', 'delivered')
  WHERE status IN ('new', 'paid', 'shipped') ORDER BY RAND() LIMIT 2;
COMMIT;
SQL
    if (( i % 4 == 0 )); then
      echo "UPDATE orders SET status = 'cancelled' WHERE status = 'new' ORDER BY RAND() LIMIT 1;"
    fi
    if (( i % 5 == 0 )); then
      cat <<'SQL'
BEGIN;
SET @d = (SELECT MIN(id) FROM orders WHERE status = 'cancelled');
DELETE FROM order_items WHERE order_id = @d;
DELETE FROM orders WHERE id = @d;
COMMIT;
SQL
    fi
    sleep 0.2
  done
}
say "write load: an order every ~200 ms, status updates, cancellations, deletes"
write_load | "${SQL[@]}" shop &
writer_pid=$!

cat > "$CFG" <<YAML
# Written by scripts/demo.sh.
source:
  host: 127.0.0.1
  port: $PORT
  user: repl
  password: replpass
  server_id: 9406
destination:
  url: chdb://$D/chdb
tables:
  include: ["shop.*"]
pipeline:
  max_delay_ms: 200
state:
  path: $D/state
YAML
say "mysql2ch check -c $CFG"
"$BIN" check -c "$CFG"

# Same row text on both sides: decimals as integers (ClickHouse drops trailing zeros), DATETIME(6) and
# TIMESTAMP(3) with their digits, TIMESTAMP in UTC, NULL as \N.
declare -A SRC_ROW MIRROR_ROW KEY
KEY[customers]=id; KEY[products]=id; KEY[orders]=id; KEY[order_items]="order_id, line_no"
SRC_ROW[customers]="CONCAT_WS('|', id, name, email, IFNULL(city, '\\\\N'), tier,
  DATE_FORMAT(signed_up_at, '%Y-%m-%d %H:%i:%s.%f'), IFNULL(prefs, '\\\\N'))"
MIRROR_ROW[customers]="concat(toString(id), '|', name, '|', email, '|', ifNull(city, '\\\\N'), '|', toString(tier), '|',
  toString(signed_up_at), '|', ifNull(prefs, '\\\\N'))"
SRC_ROW[products]="CONCAT_WS('|', id, sku, title, CAST(price * 100 AS SIGNED), IFNULL(CAST(weight_kg * 1000 AS SIGNED), '\\\\N'),
  stock, attributes)"
MIRROR_ROW[products]="concat(toString(id), '|', sku, '|', title, '|', toString(toInt64(price * 100)), '|',
  ifNull(toString(toInt64(weight_kg * 1000)), '\\\\N'), '|', toString(stock), '|', attributes)"
SRC_ROW[orders]="CONCAT_WS('|', id, customer_id, status, CAST(total * 100 AS SIGNED), IFNULL(note, '\\\\N'),
  DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f'), LEFT(DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f'), 23))"
MIRROR_ROW[orders]="concat(toString(id), '|', toString(customer_id), '|', toString(status), '|',
  toString(toInt64(total * 100)), '|', ifNull(note, '\\\\N'), '|', toString(created_at), '|', toString(updated_at))"
SRC_ROW[order_items]="CONCAT_WS('|', order_id, line_no, product_id, quantity, CAST(unit_price * 100 AS SIGNED))"
MIRROR_ROW[order_items]="concat(toString(order_id), '|', toString(line_no), '|', toString(product_id), '|',
  toString(quantity), '|', toString(toInt64(unit_price * 100)))"
TABLES=(customers products orders order_items)

src() { "${SQL[@]}" -N -B shop -e "SET time_zone = '+00:00'; $1"; }
mirror() { "$BIN" query -c "$CFG" "$1" --format "${2:-TSV}"; }

sync_once() {  # prints how long it took
  local t0 t1
  t0=$(date +%s.%N)
  "$BIN" sync --once -c "$CFG" >>"$D/sync.log" 2>&1 || { tail -20 "$D/sync.log" >&2; return 1; }
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }'
}

show() {  # $1 = round, $2 = seconds sync --once took
  local counts_src counts_mirror q="" m="" t
  for t in "${TABLES[@]}"; do
    q+="SELECT '$t', COUNT(*) FROM $t UNION ALL "
    m+="SELECT '$t', count() FROM shop.$t FINAL WHERE _is_deleted = 0 UNION ALL "
  done
  counts_src=$(src "${q% UNION ALL }")
  counts_mirror=$(mirror "${m% UNION ALL }")
  [[ -t 1 ]] && printf '\033[H\033[2J'
  say "round $1$( ((ROUNDS > 0)) && echo " of $ROUNDS") — $(date +%T) — sync --once caught up in $2 s"
  printf '%-14s %12s %12s\n' table MariaDB mirror
  for t in "${TABLES[@]}"; do
    printf '%-14s %12s %12s\n' "$t" "$(awk -v t="$t" '$1 == t { print $2 }' <<<"$counts_src")" \
      "$(awk -v t="$t" '$1 == t { print $2 }' <<<"$counts_mirror")"
  done
  echo
  echo "latest orders in MariaDB (now):"
  src "SELECT id, customer_id, status, total, created_at FROM orders ORDER BY id DESC LIMIT 5" | column -t -s $'\t'
  echo "latest orders in the mirror (as of this round's sync --once):"
  mirror "SELECT id, customer_id, status, total, created_at FROM shop.orders FINAL WHERE _is_deleted = 0
    ORDER BY id DESC LIMIT 5" | column -t -s $'\t'
  echo
  echo "(MariaDB keeps changing while the mirror is read; Ctrl-C stops the demo)"
}

compare() {  # every row of every table, by primary key; returns 1 on any difference
  local t bad=0 rows=0 n key_sep="), ',', toString("
  for t in "${TABLES[@]}"; do
    src "SELECT CONCAT_WS(',', ${KEY[$t]}), CRC32(${SRC_ROW[$t]}) FROM $t ORDER BY ${KEY[$t]}" >"$D/src.$t"
    mirror "SELECT concat(toString(${KEY[$t]//, /$key_sep})), toString(CRC32(${MIRROR_ROW[$t]}))
      FROM shop.$t FINAL WHERE _is_deleted = 0 ORDER BY ${KEY[$t]}" >"$D/mirror.$t"
    n=$(wc -l <"$D/src.$t")
    if cmp -s "$D/src.$t" "$D/mirror.$t"; then
      printf '   %-12s %6d rows, equal\n' "$t" "$n"
    else
      printf '   %-12s %6d rows in MariaDB, %d in the mirror: DIFFERENT (key, CRC32 of the row):\n' "$t" "$n" \
        "$(wc -l <"$D/mirror.$t")"
      diff "$D/src.$t" "$D/mirror.$t" | head -10
      bad=1
    fi
    rows=$((rows + n))
  done
  [[ $bad == 0 ]] && say "the mirror equals MariaDB: $rows rows in ${#TABLES[@]} tables"
  return $bad
}

say "mysql2ch sync --once (first run: snapshot of shop.*; log in $D/sync.log)"
round=0
while :; do
  round=$((round + 1))
  took=$(sync_once)
  show "$round" "$took"
  ((ROUNDS > 0 && round >= ROUNDS)) && break
  sleep "$INTERVAL"
done

say "stopping the write load; a last sync --once, then every row compared"
stop_writes
sync_once >/dev/null
compare
