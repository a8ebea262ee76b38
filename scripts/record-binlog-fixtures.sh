#!/usr/bin/env bash
# Records the binlog fixtures of tests/binlog/fixtures/ from the real servers of scripts/testenv.sh, plus
# what `SELECT *` says about the final state of every table, so the unit tests can check offline that the
# state rebuilt from the decoded binlog equals the server's own answer (the differential test of issue 3).
#
#   scripts/record-binlog-fixtures.sh            # all fixtures
#
# Fixtures (each NAME.binlog with NAME.select.tsv):
#   mysql        MySQL 9.x, metadata FULL: every type and edge value, DDL, a tagged GTID, ROWS_QUERY events,
#                MINIMAL and NOBLOB images, binlog_transaction_compression=ON (TRANSACTION_PAYLOAD) and
#                binlog_row_value_options=PARTIAL_JSON (PARTIAL_UPDATE_ROWS).
#   mariadb      MariaDB 10.11, metadata FULL: the same types (no VECTOR; JSON is text there), DDL, ANNOTATE_ROWS.
#   mariadb-min  a dedicated, short-lived MariaDB instance (log_bin_compress and binlog_row_metadata are global,
#                so the shared server must not be changed): metadata MINIMAL, QUERY_COMPRESSED and compressed
#                row events.
#
# NAME.select.tsv has one line per row: table name, then every column as HEX() of its canonical text
# (FLOAT through CAST(.. AS DOUBLE), because SELECT rounds FLOAT to 6 digits; text columns converted to
# utf8mb4; binary ones raw), or NULL. Rows of other helpers' databases in the same binlog file are ignored
# by the tests (they filter on the binlog_fx_* database names).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=tests/binlog/fixtures
mkdir -p "$OUT"
T=/tmp/mysql2ch-testenv

MY=(mariadb -h127.0.0.1 -P13310 -uroot -prootpass --default-character-set=utf8mb4)
MA=(mariadb -h127.0.0.1 -P13306 -uroot -prootpass --default-character-set=utf8mb4)

# Tables and rows valid on both servers. $1 = "mysql" or "mariadb".
common_sql() {
  cat <<'SQL'
SET SESSION sql_mode = '';
SET SESSION time_zone = '+00:00';
CREATE TABLE t_int (id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, su SMALLINT UNSIGNED,
  mi MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED, b1 TINYINT(1),
  y YEAR, bt1 BIT(1), bt10 BIT(10), bt64 BIT(64));
INSERT INTO t_int VALUES
 (1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, 0, 1901, b'0', b'0', b'0'),
 (2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807,
     18446744073709551615, 1, 2155, b'1', b'1111111111', b'1111111111111111111111111111111111111111111111111111111111111111'),
 (3, 0, 1, -1, 1, -1, 1, -1, 1, -1, 1, 127, 0, b'1', b'1000000001', b'1000000000000000000000000000000000000000000000000000000000000001'),
 (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
UPDATE t_int SET ti = ti - 1, bu = 12345678901234567890 WHERE id = 3;
DELETE FROM t_int WHERE id = 1;
INSERT INTO t_int (id, ti) VALUES (1, 5);

CREATE TABLE t_num (id INT PRIMARY KEY, d65 DECIMAL(65,30), d10 DECIMAL(10,2), d5 DECIMAL(5,0), d18 DECIMAL(18,9),
  d9 DECIMAL(9,9), du DECIMAL(20,4) UNSIGNED, f FLOAT, fu FLOAT UNSIGNED, d DOUBLE, dp DOUBLE(10,3));
INSERT INTO t_num VALUES
 (1, '99999999999999999999999999999999999.999999999999999999999999999999', '-99999999.99', '-99999', '-123456789.123456789',
     '-0.999999999', '9999999999999999.9999', -3.40282e38, 0, -1.7976931348623157e308, -1234567.125),
 (2, '-99999999999999999999999999999999999.999999999999999999999999999999', '0.01', '0', '0.000000001',
     '0.000000001', '0', 1.17549e-38, 3.40282e38, 2.2250738585072014e-308, 0.5),
 (3, '0', '-0.01', '1', '-0.000000001', '0', '1.5', -0.0, 1.5, -0.0, -0.001),
 (4, '-1.5', '12.34', '-1', '1', '0.5', '0.0001', 0.1, 0.1, 0.1, 3.14159),
 (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
UPDATE t_num SET d65 = '-0.000000000000000000000000000001', d = 1e300 WHERE id = 4;

CREATE TABLE t_time (id INT PRIMARY KEY, d DATE, dt0 DATETIME, dt1 DATETIME(1), dt2 DATETIME(2), dt3 DATETIME(3),
  dt4 DATETIME(4), dt5 DATETIME(5), dt6 DATETIME(6), ts0 TIMESTAMP NULL, ts1 TIMESTAMP(1) NULL, ts3 TIMESTAMP(3) NULL,
  ts6 TIMESTAMP(6) NULL, tm0 TIME, tm1 TIME(1), tm2 TIME(2), tm3 TIME(3), tm4 TIME(4), tm5 TIME(5), tm6 TIME(6));
INSERT INTO t_time VALUES
 (1, '1000-01-01', '1000-01-01 00:00:00', '1000-01-01 00:00:00.1', '1000-01-01 00:00:00.01', '1000-01-01 00:00:00.001',
     '1000-01-01 00:00:00.0001', '1000-01-01 00:00:00.00001', '1000-01-01 00:00:00.000001',
     '1970-01-01 00:00:01', '1970-01-01 00:00:01.1', '1970-01-01 00:00:01.001', '1970-01-01 00:00:01.000001',
     '-838:59:59', '-838:59:58.9', '-838:59:58.99', '-838:59:58.999', '-838:59:58.9999', '-838:59:58.99999', '-838:59:58.999999'),
 (2, '9999-12-31', '9999-12-31 23:59:59', '9999-12-31 23:59:59.9', '9999-12-31 23:59:59.99', '9999-12-31 23:59:59.999',
     '9999-12-31 23:59:59.9999', '9999-12-31 23:59:59.99999', '9999-12-31 23:59:59.999999',
     '2038-01-19 03:14:07', '2038-01-19 03:14:07.9', '2038-01-19 03:14:07.999', '2038-01-19 03:14:07.999999',
     '838:59:59', '838:59:58.9', '838:59:58.99', '838:59:58.999', '838:59:58.9999', '838:59:58.99999', '838:59:58.999999'),
 (3, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00.0', '0000-00-00 00:00:00', '0000-00-00 00:00:00',
     '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00',
     '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00',
     '00:00:00', '-00:00:00.5', '-00:00:00.05', '-00:00:00.005', '-00:00:00.0005', '-00:00:00.00005', '-00:00:00.000001'),
 (4, '2024-02-29', '2024-02-29 12:34:56', '2024-02-29 12:34:56.5', '2024-02-29 12:34:56.45', '2024-02-29 12:34:56.345',
     '2024-02-29 12:34:56.2345', '2024-02-29 12:34:56.12345', '2024-02-29 12:34:56.123456',
     '2024-02-29 12:34:56', '2024-02-29 12:34:56.5', '2024-02-29 12:34:56.345', '2024-02-29 12:34:56.123456',
     '-01:02:03', '-01:02:03.4', '12:00:00.45', '-00:59:59.999', '23:59:59.0001', '-100:00:00.00001', '-00:00:01.5'),
 (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
UPDATE t_time SET dt6 = '2001-02-03 04:05:06.000007', tm6 = '-12:00:00.000001' WHERE id = 4;

CREATE TABLE t_str (id INT PRIMARY KEY, c CHAR(10) CHARACTER SET utf8mb4, cl CHAR(10) CHARACTER SET latin1,
  c255 CHAR(255) CHARACTER SET utf8mb4, vc VARCHAR(300) CHARACTER SET utf8mb4, vl VARCHAR(20) CHARACTER SET latin1,
  v3 VARCHAR(20) CHARACTER SET utf8mb3, va VARCHAR(20) CHARACTER SET ascii, bn BINARY(4), vb VARBINARY(10),
  tt TINYTEXT, tx TEXT, mt MEDIUMTEXT, lt LONGTEXT CHARACTER SET latin1, tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB,
  e ENUM('a','b','ç','') , s SET('x','y','z','ü'), e16 ENUM('e0','e1','e2','e3','e4','e5','e6','e7','e8','e9','e10',
  'e11','e12','e13','e14','e15','e16','e17','e18','e19','e20','e21','e22','e23','e24','e25','e26','e27','e28','e29',
  'e30','e31','e32','e33','e34','e35','e36','e37','e38','e39','e40','e41','e42','e43','e44','e45','e46','e47','e48',
  'e49','e50','e51','e52','e53','e54','e55','e56','e57','e58','e59','e60','e61','e62','e63','e64','e65','e66','e67',
  'e68','e69','e70','e71','e72','e73','e74','e75','e76','e77','e78','e79','e80','e81','e82','e83','e84','e85','e86',
  'e87','e88','e89','e90','e91','e92','e93','e94','e95','e96','e97','e98','e99','e100','e101','e102','e103','e104',
  'e105','e106','e107','e108','e109','e110','e111','e112','e113','e114','e115','e116','e117','e118','e119','e120',
  'e121','e122','e123','e124','e125','e126','e127','e128','e129','e130','e131','e132','e133','e134','e135','e136',
  'e137','e138','e139','e140','e141','e142','e143','e144','e145','e146','e147','e148','e149','e150','e151','e152',
  'e153','e154','e155','e156','e157','e158','e159','e160','e161','e162','e163','e164','e165','e166','e167','e168',
  'e169','e170','e171','e172','e173','e174','e175','e176','e177','e178','e179','e180','e181','e182','e183','e184',
  'e185','e186','e187','e188','e189','e190','e191','e192','e193','e194','e195','e196','e197','e198','e199','e200',
  'e201','e202','e203','e204','e205','e206','e207','e208','e209','e210','e211','e212','e213','e214','e215','e216',
  'e217','e218','e219','e220','e221','e222','e223','e224','e225','e226','e227','e228','e229','e230','e231','e232',
  'e233','e234','e235','e236','e237','e238','e239','e240','e241','e242','e243','e244','e245','e246','e247','e248',
  'e249','e250','e251','e252','e253','e254','e255','e256','e257','e258','e259','e260'))
  DEFAULT CHARSET = utf8mb4;
INSERT INTO t_str VALUES
 (1, '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', 'e0'),
 (2, 'a😀b', CONVERT(_utf8mb4'déjà€‰' USING latin1), REPEAT('😀', 255), CONCAT(REPEAT('é', 299), '😀'),
     CONVERT(_utf8mb4'ÿþ€Š' USING latin1), 'Ωmega ✓', 'plain ascii', x'00FF0010', x'0001020300FF',
     REPEAT('t', 255), 'tab\there\nnewline "quoted" \\ back', REPEAT('m', 1500), CONVERT(_utf8mb4'Grüße' USING latin1),
     REPEAT(x'FF', 255), REPEAT(x'A5', 1000), REPEAT(x'5A', 700), x'DEADBEEF', 'ç', 'x,z,ü', 'e260'),
 (3, 'trail  ', 'x', 'y', 'ctrl\0\x01\x1f', 'z', 'q', 'a', x'61', x'', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     'a', '', 'e255'),
 (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
UPDATE t_str SET vc = 'updated', s = 'y', e = 'b' WHERE id = 3;
DELETE FROM t_str WHERE id = 4;
INSERT INTO t_str (id, vc) VALUES (4, 'again');

CREATE TABLE t_geo (id INT PRIMARY KEY, g GEOMETRY, pt POINT, ls LINESTRING, pg POLYGON);
INSERT INTO t_geo VALUES
 (1, ST_GeomFromText('POINT(1.5 -2.5)'), ST_GeomFromText('POINT(0 0)'), ST_GeomFromText('LINESTRING(0 0,1 1,2 3)'),
     ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0))')),
 (2, ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(1 2,3 4))'), NULL, NULL, NULL),
 (3, NULL, NULL, NULL, NULL);

CREATE TABLE t_nopk (a INT, b VARCHAR(10));
INSERT INTO t_nopk VALUES (1, 'x'), (1, 'x'), (NULL, NULL);
DELETE FROM t_nopk WHERE a IS NULL;

CREATE TABLE t_ddl (id INT PRIMARY KEY, a INT);
INSERT INTO t_ddl VALUES (1, 1);
ALTER TABLE t_ddl ADD COLUMN b VARCHAR(10) DEFAULT 'dflt';
INSERT INTO t_ddl VALUES (2, 2, 'two');
UPDATE t_ddl SET a = 10 WHERE id = 1;
RENAME TABLE t_ddl TO t_ddl2;
INSERT INTO t_ddl2 VALUES (3, 3, 'three');
CREATE TABLE t_drop (id INT PRIMARY KEY);
INSERT INTO t_drop VALUES (1);
DROP TABLE t_drop;
TRUNCATE TABLE t_nopk;
INSERT INTO t_nopk VALUES (7, 'after');

CREATE TABLE t_txn (id INT PRIMARY KEY, v VARCHAR(20));
BEGIN;
INSERT INTO t_txn VALUES (1, 'one'), (2, 'two'), (3, 'three');
UPDATE t_txn SET v = CONCAT(v, '!') WHERE id <= 2;
DELETE FROM t_txn WHERE id = 3;
COMMIT;
BEGIN;
INSERT INTO t_txn VALUES (9, 'rolled back');
ROLLBACK;
SQL
}

mysql_sql() {
  cat <<'SQL'
SET SESSION sql_mode = '';
SET SESSION time_zone = '+00:00';
CREATE TABLE t_json (id INT PRIMARY KEY, j JSON, n INT);
INSERT INTO t_json VALUES
 (1, '{"a": 1, "b": [1, 2, 3], "c": {"d": null, "e": true, "f": false}, "s": "str\\"q\\\\ \\n\\t\\u0001 é 😀"}', 0),
 (2, '[]', 0), (3, '{}', 0), (4, 'null', 0), (5, '"just a string"', 0), (6, '-9223372036854775808', 0),
 (7, '18446744073709551615', 0), (8, '3.5e300', 0), (9, '-0.0', 0), (10, NULL, 0), (11, 'true', 0),
 (12, '[32767, -32768, 65535, 2147483647, -2147483648, 4294967295, 1.5, -1e-300, "", [], {}]', 0),
 (13, '{"short": 1, "a": 2, "longer key": 3, "bb": 4, "": 5}', 0);
INSERT INTO t_json VALUES (20, JSON_OBJECT('dec', CAST(1.50 AS DECIMAL(5,2)), 'negdec', CAST(-123.456 AS DECIMAL(10,3)),
  'dt', CAST('2020-01-02 03:04:05.678' AS DATETIME(3)), 'd', CAST('2020-01-02' AS DATE),
  'tm', CAST('-12:34:56.5' AS TIME(1)), 'ts', CAST(TIMESTAMP'2021-06-07 08:09:10' AS DATETIME), 'bin', CAST(x'00FF' AS BINARY),
  'big', CAST('12345678901234567890.123456789' AS DECIMAL(40,9))), 0);
-- A large object and array (offsets over 64 KiB) and a deep nesting.
SET SESSION cte_max_recursion_depth = 100000;
INSERT INTO t_json SELECT 21, JSON_OBJECTAGG(CONCAT('k', n), n % 10), 0 FROM
  (WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 4300) SELECT n FROM s) x;
INSERT INTO t_json SELECT 22, JSON_ARRAYAGG(n % 10), 0 FROM
  (WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 14000) SELECT n FROM s) x;
INSERT INTO t_json VALUES (23, CONCAT(REPEAT('[', 90), '{"deep": "yes"}', REPEAT(']', 90)), 0);
UPDATE t_json SET j = JSON_SET(j, '$.added', 'new') WHERE id = 1;
DELETE FROM t_json WHERE id = 11;

CREATE TABLE t_vec (id INT PRIMARY KEY, v VECTOR(3), v1 VECTOR(1));
INSERT INTO t_vec VALUES (1, STRING_TO_VECTOR('[1.5, -2, 3.25]'), STRING_TO_VECTOR('[0]')), (2, NULL, NULL);

CREATE TABLE t_srid (id INT PRIMARY KEY, p POINT SRID 4326 NOT NULL, g GEOMETRY SRID 0);
INSERT INTO t_srid VALUES (1, ST_GeomFromText('POINT(45 7)', 4326), ST_GeomFromText('POINT(1 1)'));

-- Invisible column and a primary key with a prefix.
CREATE TABLE t_meta (k VARCHAR(50), id INT, hid INT INVISIBLE, PRIMARY KEY (k(10), id));
INSERT INTO t_meta (k, id, hid) VALUES ('abcdefghijklmnop', 1, 42);

-- A tagged GTID (MySQL 8.4+).
SET gtid_next = 'AUTOMATIC:fxtag';
INSERT INTO t_txn VALUES (100, 'tagged');
SET gtid_next = 'AUTOMATIC';

-- ROWS_QUERY events.
SET SESSION binlog_rows_query_log_events = ON;
INSERT INTO t_txn VALUES (101, 'with rows query');
SET SESSION binlog_rows_query_log_events = OFF;

-- MINIMAL and NOBLOB row images: columns-present bitmaps with holes.
SET SESSION binlog_row_image = 'MINIMAL';
UPDATE t_str SET vl = 'minimal' WHERE id = 3;
INSERT INTO t_str (id, c) VALUES (5, 'min-ins');
DELETE FROM t_str WHERE id = 5;
UPDATE t_int SET si = 77 WHERE id = 3;
SET SESSION binlog_row_image = 'NOBLOB';
UPDATE t_str SET tx = 'noblob', vc = 'nb' WHERE id = 2;
UPDATE t_str SET c = 'nb2' WHERE id = 2;
SET SESSION binlog_row_image = 'FULL';

-- Compressed transactions (TRANSACTION_PAYLOAD, zstd).
SET SESSION binlog_transaction_compression = ON;
BEGIN;
INSERT INTO t_txn VALUES (200, 'compressed'), (201, REPEAT('z', 20));
UPDATE t_txn SET v = 'compressed!' WHERE id = 200;
UPDATE t_json SET j = JSON_SET(j, '$.c.new', 'in payload') WHERE id = 1;
COMMIT;
INSERT INTO t_int (id, bi) VALUES (50, 5050);
CREATE TABLE t_cz (id INT PRIMARY KEY, b LONGBLOB);
INSERT INTO t_cz VALUES (1, REPEAT(x'00112233', 3000));
SET SESSION binlog_transaction_compression = OFF;

-- Partial JSON updates (PARTIAL_UPDATE_ROWS).
SET SESSION binlog_row_value_options = 'PARTIAL_JSON';
UPDATE t_json SET j = JSON_REPLACE(j, '$.a', 42) WHERE id = 1;
UPDATE t_json SET j = JSON_SET(j, '$.b[1]', 'two', '$.c.f', JSON_ARRAY(1, 2)), n = n + 1 WHERE id = 1;
UPDATE t_json SET j = JSON_REMOVE(j, '$.c.d') WHERE id = 1;
UPDATE t_json SET j = JSON_SET(j, '$."longer key"', 'replaced', '$.zz', 3) WHERE id = 13;
UPDATE t_json SET j = JSON_REPLACE(j, '$[0]', -1), n = 5 WHERE id = 12;
UPDATE t_json SET j = JSON_SET(j, '$.k7', 'short') WHERE id = 21;
UPDATE t_json SET j = JSON_REMOVE(j, '$[5]') WHERE id = 22;
UPDATE t_json SET j = JSON_SET(j, '$.x', 1) WHERE id = 3;
UPDATE t_json SET j = '{"whole": "new"}' WHERE id = 4;
-- (MINIMAL images with PARTIAL_JSON log a diff without the document it applies to: mysql2ch stops there with an
-- error asking for binlog_row_image=FULL, so that combination is not recorded here.)
SET SESSION binlog_transaction_compression = ON;
UPDATE t_json SET j = JSON_SET(j, '$.c.e', false) WHERE id = 1;
SET SESSION binlog_transaction_compression = OFF;
SET SESSION binlog_row_value_options = '';
SQL
}

mariadb_sql() {
  cat <<'SQL'
SET SESSION sql_mode = '';
SET SESSION time_zone = '+00:00';
CREATE TABLE t_json (id INT PRIMARY KEY, j JSON);
INSERT INTO t_json VALUES (1, '{"a": 1, "s": "é😀"}'), (2, NULL);
CREATE TABLE t_old (id INT PRIMARY KEY, ts TIMESTAMP NULL, dt DATETIME, tm TIME);
SET SESSION binlog_annotate_row_events = ON;
INSERT INTO t_old VALUES (1, '2001-02-03 04:05:06', '2001-02-03 04:05:06', '-01:02:03');
SQL
}

# select_sql DB: one SELECT per table of DB giving "table<TAB>HEX(canonical text of each column)...".
select_sql() {
  local client=("${@:2}")
  "${client[@]}" -N -B -e "SELECT TABLE_NAME, GROUP_CONCAT(CASE
      WHEN DATA_TYPE IN ('float') THEN CONCAT('HEX(CAST(CAST(\`', COLUMN_NAME, '\` AS DOUBLE) AS CHAR))')
      WHEN DATA_TYPE = 'bit' THEN CONCAT('HEX(CAST(\`', COLUMN_NAME, '\` + 0 AS CHAR))')
      WHEN DATA_TYPE IN ('char','varchar','tinytext','text','mediumtext','longtext','enum','set') AND
           CHARACTER_SET_NAME <> 'binary' THEN CONCAT('HEX(CONVERT(\`', COLUMN_NAME, '\` USING utf8mb4))')
      WHEN DATA_TYPE IN ('binary','varbinary','tinyblob','blob','mediumblob','longblob','geometry','point',
           'linestring','polygon','geometrycollection','multipoint','multilinestring','multipolygon','vector')
           THEN CONCAT('HEX(\`', COLUMN_NAME, '\`)')
      ELSE CONCAT('HEX(CAST(\`', COLUMN_NAME, '\` AS CHAR))') END ORDER BY ORDINAL_POSITION SEPARATOR ', ')
    FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$1' GROUP BY TABLE_NAME ORDER BY TABLE_NAME" |
  while IFS=$'\t' read -r table cols; do
    echo "SELECT '$table', $cols FROM \`$1\`.\`$table\` ORDER BY 2;"
  done
}

# record NAME DB DATADIR CURRENT_FILE_SQL CLIENT... : runs the SQL on stdin in DB between two FLUSH BINARY LOGS
# and keeps the binlog file they delimit, then the final SELECT state.
record() {
  local name=$1 db=$2 datadir=$3 status_sql=$4
  local client=("${@:5}")
  local sql; sql=$(cat)
  "${client[@]}" -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db CHARACTER SET utf8mb4"
  "${client[@]}" -e "FLUSH BINARY LOGS"
  local file; file=$("${client[@]}" -N -B -e "$status_sql" | cut -f1)
  "${client[@]}" "$db" <<<"$sql"
  "${client[@]}" -e "FLUSH BINARY LOGS"
  cp "$datadir/$file" "$OUT/$name.binlog"
  chmod 644 "$OUT/$name.binlog"
  select_sql "$db" "${client[@]}" | "${client[@]}" -N -B --init-command="SET time_zone = '+00:00'" "$db" \
    > "$OUT/$name.select.tsv"
  echo "recorded $OUT/$name.binlog ($(stat -c %s "$OUT/$name.binlog") bytes) from $file"
}

record mysql binlog_fx_my "$T/mysql/data" "SHOW BINARY LOG STATUS" "${MY[@]}" < <(common_sql; mysql_sql)
record mariadb binlog_fx_ma "$T/mariadb/data" "SHOW MASTER STATUS" "${MA[@]}" < <(common_sql; mariadb_sql)

# Dedicated MariaDB: compressed events and MINIMAL metadata, which are global settings.
D=$(mktemp -d /tmp/mysql2ch-binlog-fx.XXXXXX)
mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$D/data" --auth-root-authentication-method=normal \
  --skip-test-db >"$D/install.log" 2>&1
/usr/sbin/mariadbd --no-defaults --user="$(id -un)" --datadir="$D/data" --socket="$D/sock" --skip-networking \
  --pid-file="$D/pid" --log-error="$D/error.log" --server-id=77 --log-bin="$D/data/mariadb-bin" \
  --binlog-format=ROW --binlog-row-image=FULL --binlog-row-metadata=MINIMAL --log-bin-compress=ON \
  --log-bin-compress-min-len=10 --character-set-server=utf8mb4 >/dev/null 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null; rm -rf "$D"' EXIT
for _ in $(seq 60); do mariadb-admin -S "$D/sock" -uroot ping >/dev/null 2>&1 && break; sleep 0.5; done
MD=(mariadb -S "$D/sock" -uroot --default-character-set=utf8mb4)
record mariadb-min binlog_fx_min "$D/data" "SHOW MASTER STATUS" "${MD[@]}" < <(common_sql)

# Fuzz seeds (fuzz/corpus/binlog/): each fixture cut into small files of whole events, each starting with the
# file's FORMAT_DESCRIPTION, so the fuzzer starts from valid events of every kind.
rm -f fuzz/corpus/binlog/fx-*
python3 - "$OUT" fuzz/corpus/binlog <<'PY'
import os, struct, sys
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)
for name in sorted(os.listdir(src)):
    if not name.endswith('.binlog'):
        continue
    data = open(os.path.join(src, name), 'rb').read()
    pos, events = 4, []
    while pos + 19 <= len(data):
        size = struct.unpack_from('<I', data, pos + 9)[0]
        events.append(data[pos:pos + size])
        pos += size
    fde, chunk, n = events[0], [], 0
    def flush():
        global chunk, n
        if chunk:
            open(os.path.join(dst, 'fx-%s-%03d' % (name[:-7], n)), 'wb').write(b'\xfebin' + fde + b''.join(chunk))
            n += 1
            chunk = []
    for e in events[1:]:
        # Cut only before a transaction's GTID event, so TABLE_MAPs stay with their rows events.
        if chunk and e[4] in (33, 34, 42, 162) and sum(map(len, chunk)) > 4000:
            flush()
        chunk.append(e)
    flush()
PY
echo "fuzz seeds: $(ls fuzz/corpus/binlog | wc -l) files"
