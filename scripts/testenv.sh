#!/usr/bin/env bash
# Real servers for the integration tests and benchmarks, all on 127.0.0.1:
#   MariaDB 10.11 (Debian), Oracle MySQL 9.x (Debian unstable archive, unpacked under the cache directory and
#   run through its own dynamic loader), ClickHouse 18.16 (Debian) with HTTP and HTTPS, and chDB's
#   libchdb.so (npm package @chdb/lib-linux-x64-gnu).
#
#   scripts/testenv.sh start [mariadb|mysql|clickhouse|chdb|mariadb-misconf|mysql-misconf ...]
#                                                                 start (all by default); harmless when running
#   scripts/testenv.sh stop                                       stop every server by its PID file
#   scripts/testenv.sh status                                     one line per server
#   scripts/testenv.sh env                                        the variables tests read, as shell assignments
#
# Environment (all optional):
#   MYSQL2CH_TESTENV   data directory of the servers        (default /tmp/mysql2ch-testenv)
#   MYSQL2CH_CACHE     downloads kept between runs          (default ${XDG_CACHE_HOME:-~/.cache}/mysql2ch)
#   MARIADB_PORT MYSQL_PORT CH_HTTP_PORT CH_HTTPS_PORT CH_TCP_PORT   (defaults 13306 13310 18123 18443 19000)
#   MARIADB_MISCONF_PORT MYSQL_MISCONF_PORT                          (defaults 13307 13311)
#
# The two *-misconf sources are deliberately set up wrong, for the tests of `mysql2ch check`:
#   mariadb-misconf: binlog_format=STATEMENT, binlog_row_image=MINIMAL, gtid_strict_mode=OFF, binlogs expire
#                    after 1 hour, no TLS at all.
#   mysql-misconf:   binary log disabled, binlog_format=STATEMENT, binlog_row_image=MINIMAL,
#                    binlog_row_metadata=MINIMAL, gtid_mode=OFF, binlog_expire_logs_seconds=86400,
#                    binlog_row_value_options=PARTIAL_JSON, binlog_transaction_compression=ON; TLS as the others.
set -euo pipefail

T=${MYSQL2CH_TESTENV:-/tmp/mysql2ch-testenv}
CACHE=${MYSQL2CH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mysql2ch}
MARIADB_PORT=${MARIADB_PORT:-13306}
MYSQL_PORT=${MYSQL_PORT:-13310}
CH_HTTP_PORT=${CH_HTTP_PORT:-18123}
CH_HTTPS_PORT=${CH_HTTPS_PORT:-18443}
CH_TCP_PORT=${CH_TCP_PORT:-19000}
MARIADB_MISCONF_PORT=${MARIADB_MISCONF_PORT:-13307}
MYSQL_MISCONF_PORT=${MYSQL_MISCONF_PORT:-13311}
CERTS=$T/certs
SID=$CACHE/mysql-sid          # unpacked MySQL 9.x root and its loader wrapper
CHDB_DIR=$CACHE/chdb

log() { echo "testenv: $*" >&2; }

wait_for() {  # wait_for DESCRIPTION COMMAND...: up to 60 s
  local what=$1; shift
  for _ in $(seq 1 600); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  log "timed out waiting for $what"; return 1
}

pid_alive() { local p; p=$(cat "$1" 2>/dev/null) || return 1; kill -0 "$p" 2>/dev/null; }

stop_pidfile() {
  local p; p=$(cat "$1" 2>/dev/null) || return 0
  if kill -TERM "$p" 2>/dev/null; then
    for _ in $(seq 1 600); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
  fi
  rm -f "$1"
}

gen_certs() {  # a CA, a server certificate for 127.0.0.1/localhost, a client certificate, and a second CA
  [[ -f $CERTS/server-cert.pem ]] && return 0
  mkdir -p "$CERTS"
  (
    cd "$CERTS"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=mysql2ch-test-CA -keyout ca-key.pem -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server-key.pem -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > san.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 -extfile san.ext -out server-cert.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj /CN=mysql2ch-client -keyout client-key.pem -out client.csr 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' > client.ext
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 -extfile client.ext -out client-cert.pem 2>/dev/null
    # A CA that signed nothing here: for "wrong CA" tests.
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=unrelated-CA -keyout other-ca-key.pem -out other-ca.pem 2>/dev/null
    chmod 644 ./*.pem
  )
}

# SQL run as root on a source after it is first initialised: the replication user the tests configure.
REPL_GRANTS="GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT, RELOAD, SHOW DATABASES ON *.* TO 'repl'@'127.0.0.1';"

start_mariadb() {
  local M=$T/mariadb
  pid_alive "$M/server.pid" && [[ ! -f $M/.fresh ]] && return 0
  mkdir -p "$M"
  if [[ ! -d $M/data/mysql ]]; then
    mariadb-install-db --no-defaults --user=root --datadir="$M/data" --auth-root-authentication-method=normal \
      --skip-test-db >"$M/install.log" 2>&1 || { log "mariadb-install-db failed, see $M/install.log"; return 1; }
    touch "$M/.fresh"
  fi
  if ! pid_alive "$M/server.pid"; then
  /usr/sbin/mariadbd --no-defaults --user=root --datadir="$M/data" --socket="$M/sock" --pid-file="$M/mariadbd.pid" \
    --log-error="$M/error.log" --bind-address=127.0.0.1 --port="$MARIADB_PORT" --skip-name-resolve --server-id=1 \
    --log-bin="$M/data/mariadb-bin" --binlog-format=ROW --binlog-row-image=FULL --binlog-row-metadata=FULL \
    --gtid-strict-mode=ON --innodb-buffer-pool-size=128M --character-set-server=utf8mb4 --max-connections=300 \
    --ssl-ca="$CERTS/ca.pem" --ssl-cert="$CERTS/server-cert.pem" --ssl-key="$CERTS/server-key.pem" >/dev/null 2>&1 &
  echo $! > "$M/server.pid"
  fi
  wait_for "MariaDB on :$MARIADB_PORT" mariadb-admin -S "$M/sock" -uroot ping || { tail -20 "$M/error.log" >&2; return 1; }
  if [[ -f $M/.fresh ]]; then
    mariadb -S "$M/sock" -uroot -e "CREATE USER IF NOT EXISTS 'repl'@'127.0.0.1' IDENTIFIED BY 'replpass'; $REPL_GRANTS
      CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY 'rootpass';
      GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;"
    rm -f "$M/.fresh"
  fi
  log "MariaDB ready on 127.0.0.1:$MARIADB_PORT"
}

fetch_mysql() {  # Oracle MySQL 9.x from Debian unstable, unpacked with its own libc; no chroot, no dpkg state
  [[ -x $SID/sidrun && -x $SID/root/usr/sbin/mysqld ]] && return 0
  local S=$SID.tmp R=$SID.tmp/root
  rm -rf "$S"; mkdir -p "$S"/apt/lists/partial "$S"/apt/cache/archives/partial "$R"
  echo 'deb http://deb.debian.org/debian sid main' > "$S/apt/sources.list"; : > "$S/apt/status"
  local A=(-o Dir::Etc::SourceList="$S/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null -o Dir::State::Lists="$S/apt/lists"
    -o Dir::State::Status="$S/apt/status" -o Dir::Cache="$S/apt/cache" -o Acquire::Check-Valid-Until=false
    -o Acquire::Languages=none -o APT::Install-Recommends=false)
  log "downloading MySQL 9.x from Debian unstable into $SID (once)"
  apt-get "${A[@]}" -q update >"$S/apt.log" 2>&1 || { log "apt-get update failed, see $S/apt.log"; return 1; }
  # With an empty status file apt resolves the whole closure, including unstable's libc, which the loader uses.
  apt-get "${A[@]}" -q -y -d install mysql-server-core mysql-client-core >>"$S/apt.log" 2>&1 \
    || { log "download failed, see $S/apt.log"; return 1; }
  for d in "$S"/apt/cache/archives/*.deb; do dpkg-deb -x "$d" "$R"; done
  rm -rf "$S/apt/cache/archives" "$S/apt/lists"
  printf '#!/bin/sh\nR=$(dirname "$(readlink -f "$0")")/root\nexec env LANG=C GCONV_PATH="$R/usr/lib/x86_64-linux-gnu/gconv" "$R/usr/lib64/ld-linux-x86-64.so.2" --library-path "$R/usr/lib/x86_64-linux-gnu" "$@"\n' > "$S/sidrun"
  chmod +x "$S/sidrun"
  rm -rf "$SID"; mv "$S" "$SID"
}

start_mysql() {
  local S=$T/mysql R=$SID/root
  pid_alive "$S/server.pid" && return 0
  fetch_mysql
  mkdir -p "$S/files"
  local O=(--no-defaults --user=root --basedir="$R/usr" --lc-messages-dir="$R/usr/share/mysql"
    --character-sets-dir="$R/usr/share/mysql/charsets" --plugin-dir="$R/usr/lib/mysql/plugin" --datadir="$S/data"
    --socket="$S/sock" --pid-file="$S/mysqld.pid" --log-error="$S/error.log" --secure-file-priv="$S/files"
    --bind-address=127.0.0.1 --port="$MYSQL_PORT" --mysqlx=OFF --skip-name-resolve --server-id="$MYSQL_PORT"
    --log-bin="$S/data/binlog" --binlog-format=ROW --binlog-row-image=FULL --binlog-row-metadata=FULL --gtid-mode=ON
    --enforce-gtid-consistency=ON --innodb-buffer-pool-size=128M --max-connections=300
    --ssl-ca="$CERTS/ca.pem" --ssl-cert="$CERTS/server-cert.pem" --ssl-key="$CERTS/server-key.pem")
  local fresh=0
  if [[ ! -d $S/data/mysql ]]; then
    rm -rf "$S/data"
    "$SID/sidrun" "$R/usr/sbin/mysqld" "${O[@]}" --initialize-insecure >"$S/init.log" 2>&1 \
      || { log "mysqld --initialize failed, see $S/init.log"; return 1; }
    fresh=1
  fi
  "$SID/sidrun" "$R/usr/sbin/mysqld" "${O[@]}" >/dev/null 2>&1 &
  echo $! > "$S/server.pid"   # sidrun execs into the loader, so this is mysqld's PID
  wait_for "MySQL on :$MYSQL_PORT" mariadb-admin -S "$S/sock" -uroot ping || { tail -20 "$S/error.log" >&2; return 1; }
  if [[ $fresh == 1 ]]; then
    mariadb -S "$S/sock" -uroot -e "CREATE USER 'repl'@'127.0.0.1' IDENTIFIED WITH caching_sha2_password BY 'replpass'; $REPL_GRANTS
      CREATE USER 'root'@'127.0.0.1' IDENTIFIED WITH caching_sha2_password BY 'rootpass';
      GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;"
  fi
  log "MySQL $("$SID/sidrun" "$R/usr/sbin/mysqld" --version 2>/dev/null | awk '{print $3}') ready on 127.0.0.1:$MYSQL_PORT"
}

start_mariadb_misconf() {
  local M=$T/mariadb-misconf
  pid_alive "$M/server.pid" && [[ ! -f $M/.fresh ]] && return 0
  mkdir -p "$M"
  if [[ ! -d $M/data/mysql ]]; then
    mariadb-install-db --no-defaults --user=root --datadir="$M/data" --auth-root-authentication-method=normal \
      --skip-test-db >"$M/install.log" 2>&1 || { log "mariadb-install-db failed, see $M/install.log"; return 1; }
    touch "$M/.fresh"
  fi
  if ! pid_alive "$M/server.pid"; then
  /usr/sbin/mariadbd --no-defaults --user=root --datadir="$M/data" --socket="$M/sock" --pid-file="$M/mariadbd.pid" \
    --log-error="$M/error.log" --bind-address=127.0.0.1 --port="$MARIADB_MISCONF_PORT" --skip-name-resolve --server-id=2 \
    --log-bin="$M/data/mariadb-bin" --binlog-format=STATEMENT --binlog-row-image=MINIMAL --gtid-strict-mode=OFF \
    --binlog-expire-logs-seconds=3600 --innodb-buffer-pool-size=32M --performance-schema=OFF \
    --character-set-server=utf8mb4 --max-connections=100 >/dev/null 2>&1 &
  echo $! > "$M/server.pid"
  fi
  wait_for "MariaDB (misconfigured) on :$MARIADB_MISCONF_PORT" mariadb-admin -S "$M/sock" -uroot ping \
    || { tail -20 "$M/error.log" >&2; return 1; }
  if [[ -f $M/.fresh ]]; then
    mariadb -S "$M/sock" -uroot -e "CREATE USER IF NOT EXISTS 'repl'@'127.0.0.1' IDENTIFIED BY 'replpass'; $REPL_GRANTS
      CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY 'rootpass';
      GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;"
    rm -f "$M/.fresh"
  fi
  log "MariaDB (misconfigured) ready on 127.0.0.1:$MARIADB_MISCONF_PORT"
}

start_mysql_misconf() {
  local S=$T/mysql-misconf R=$SID/root
  pid_alive "$S/server.pid" && return 0
  fetch_mysql
  mkdir -p "$S/files"
  local O=(--no-defaults --user=root --basedir="$R/usr" --lc-messages-dir="$R/usr/share/mysql"
    --character-sets-dir="$R/usr/share/mysql/charsets" --plugin-dir="$R/usr/lib/mysql/plugin" --datadir="$S/data"
    --socket="$S/sock" --pid-file="$S/mysqld.pid" --log-error="$S/error.log" --secure-file-priv="$S/files"
    --bind-address=127.0.0.1 --port="$MYSQL_MISCONF_PORT" --mysqlx=OFF --skip-name-resolve
    --server-id="$MYSQL_MISCONF_PORT" --disable-log-bin --binlog-format=STATEMENT --binlog-row-image=MINIMAL
    --binlog-row-metadata=MINIMAL --gtid-mode=OFF --enforce-gtid-consistency=OFF --binlog-expire-logs-seconds=86400
    --binlog-row-value-options=PARTIAL_JSON --binlog-transaction-compression=ON --innodb-buffer-pool-size=32M
    --performance-schema=OFF --max-connections=100
    --ssl-ca="$CERTS/ca.pem" --ssl-cert="$CERTS/server-cert.pem" --ssl-key="$CERTS/server-key.pem")
  local fresh=0
  if [[ ! -d $S/data/mysql ]]; then
    rm -rf "$S/data"
    "$SID/sidrun" "$R/usr/sbin/mysqld" "${O[@]}" --initialize-insecure >"$S/init.log" 2>&1 \
      || { log "mysqld --initialize failed, see $S/init.log"; return 1; }
    fresh=1
  fi
  "$SID/sidrun" "$R/usr/sbin/mysqld" "${O[@]}" >/dev/null 2>&1 &
  echo $! > "$S/server.pid"
  wait_for "MySQL (misconfigured) on :$MYSQL_MISCONF_PORT" mariadb-admin -S "$S/sock" -uroot ping \
    || { tail -20 "$S/error.log" >&2; return 1; }
  if [[ $fresh == 1 ]]; then
    mariadb -S "$S/sock" -uroot -e "CREATE USER 'repl'@'127.0.0.1' IDENTIFIED WITH caching_sha2_password BY 'replpass'; $REPL_GRANTS
      CREATE USER 'root'@'127.0.0.1' IDENTIFIED WITH caching_sha2_password BY 'rootpass';
      GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;"
  fi
  log "MySQL (misconfigured) ready on 127.0.0.1:$MYSQL_MISCONF_PORT"
}

start_clickhouse() {
  local D=$T/clickhouse
  pid_alive "$D/server.pid" && return 0
  mkdir -p "$D"/{log,data,tmp,user_files}
  cat > "$D/config.xml" <<XML
<yandex><logger><level>warning</level><log>$D/log/server.log</log><errorlog>$D/log/err.log</errorlog></logger>
<listen_host>127.0.0.1</listen_host><http_port>$CH_HTTP_PORT</http_port><tcp_port>$CH_TCP_PORT</tcp_port><https_port>$CH_HTTPS_PORT</https_port>
<openSSL><server><certificateFile>$CERTS/server-cert.pem</certificateFile><privateKeyFile>$CERTS/server-key.pem</privateKeyFile>
<verificationMode>none</verificationMode><loadDefaultCAFile>false</loadDefaultCAFile><disableProtocols>sslv2,sslv3</disableProtocols></server></openSSL>
<path>$D/data/</path><tmp_path>$D/tmp/</tmp_path><user_files_path>$D/user_files/</user_files_path>
<users_config>$D/users.xml</users_config><default_profile>default</default_profile><default_database>default</default_database>
<mark_cache_size>268435456</mark_cache_size><timezone>UTC</timezone></yandex>
XML
  cat > "$D/users.xml" <<XML
<yandex><profiles><default><allow_experimental_low_cardinality_type>1</allow_experimental_low_cardinality_type></default>
<readonly><readonly>1</readonly></readonly></profiles>
<users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
<cdc><password_sha256_hex>$(printf %s cdcpass | sha256sum | cut -d' ' -f1)</password_sha256_hex><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></cdc>
<reader><password>readerpass</password><networks><ip>127.0.0.1</ip></networks><profile>readonly</profile><quota>default</quota></reader></users>
<quotas><default></default></quotas></yandex>
XML
  /usr/sbin/clickhouse-server --config-file="$D/config.xml" >"$D/stdout.log" 2>&1 &
  echo $! > "$D/server.pid"
  wait_for "ClickHouse on :$CH_HTTP_PORT" curl -fsS "http://127.0.0.1:$CH_HTTP_PORT/ping" || { tail -20 "$D/log/err.log" >&2; return 1; }
  log "ClickHouse $(curl -fsS "http://127.0.0.1:$CH_HTTP_PORT/?query=SELECT%20version()") ready on :$CH_HTTP_PORT (HTTP), :$CH_HTTPS_PORT (HTTPS)"
}

fetch_chdb() {  # libchdb.so (embedded ClickHouse 26.x) from the npm registry, kept in the cache directory
  [[ -f $CHDB_DIR/libchdb.so ]] && return 0
  log "downloading libchdb.so from the npm registry into $CHDB_DIR (once, ~170 MB)"
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent @chdb/lib-linux-x64-gnu >/dev/null && tar xzf chdb-lib-linux-x64-gnu-*.tgz) \
    || { rm -rf "$tmp"; log "npm pack @chdb/lib-linux-x64-gnu failed"; return 1; }
  mkdir -p "$CHDB_DIR"
  mv "$tmp/package/libchdb.so" "$CHDB_DIR/libchdb.so.tmp" && mv "$CHDB_DIR/libchdb.so.tmp" "$CHDB_DIR/libchdb.so"
  rm -rf "$tmp"
}

print_env() {
  cat <<EOF
MYSQL2CH_TESTENV=$T
MYSQL2CH_CERTS=$CERTS
MARIADB_PORT=$MARIADB_PORT
MARIADB_SOCKET=$T/mariadb/sock
MYSQL_PORT=$MYSQL_PORT
MYSQL_SOCKET=$T/mysql/sock
MARIADB_MISCONF_PORT=$MARIADB_MISCONF_PORT
MYSQL_MISCONF_PORT=$MYSQL_MISCONF_PORT
CH_HTTP_PORT=$CH_HTTP_PORT
CH_HTTPS_PORT=$CH_HTTPS_PORT
MYSQL2CH_LIBCHDB=$CHDB_DIR/libchdb.so
MYSQL_SID_RUN=$SID/sidrun
MYSQL_SID_ROOT=$SID/root
EOF
}

status() {
  local n f
  for n in mariadb mysql clickhouse mariadb-misconf mysql-misconf; do
    f=$T/$n/server.pid
    if pid_alive "$f"; then echo "$n: running (pid $(cat "$f"))"; else echo "$n: stopped"; fi
  done
  if [[ -f $CHDB_DIR/libchdb.so ]]; then echo "chdb: $CHDB_DIR/libchdb.so"; else echo "chdb: not fetched"; fi
}

cmd=${1:-status}; shift || true
case $cmd in
  start)
    mkdir -p "$T"; gen_certs
    targets=("$@"); [[ ${#targets[@]} -eq 0 ]] && targets=(mariadb mysql clickhouse chdb mariadb-misconf mysql-misconf)
    for s in "${targets[@]}"; do
      case $s in
        mariadb) start_mariadb ;; mysql) start_mysql ;; clickhouse) start_clickhouse ;; chdb) fetch_chdb ;;
        mariadb-misconf) start_mariadb_misconf ;; mysql-misconf) start_mysql_misconf ;;
        *) log "unknown server '$s' (mariadb, mysql, clickhouse, chdb, mariadb-misconf, mysql-misconf)"; exit 2 ;;
      esac
    done ;;
  stop) for n in mysql clickhouse mariadb mysql-misconf mariadb-misconf; do stop_pidfile "$T/$n/server.pid"; done ;;
  status) status ;;
  env) print_env ;;
  *) echo "usage: $0 start [mariadb|mysql|clickhouse|chdb|mariadb-misconf|mysql-misconf ...] | stop | status | env" >&2
     exit 2 ;;
esac
