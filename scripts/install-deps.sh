#!/usr/bin/env bash
# Installs the Debian packages mysql2ch builds and tests with. Idempotent: packages already present are
# not touched, and apt-get runs only when something is missing.
#   scripts/install-deps.sh          build dependencies only
#   scripts/install-deps.sh --test   also the test servers and tools (MariaDB, ClickHouse, sysbench, clang)
#   scripts/install-deps.sh --demo   also what `make demo` runs (MariaDB, openssl, curl, npm for chDB)
set -euo pipefail

build_pkgs=(cmake ninja-build g++ make pkg-config
  libmariadb-dev libcurl4-openssl-dev libzstd-dev liblz4-dev libssl-dev libsqlite3-dev zlib1g-dev
  libyaml-cpp-dev libcli11-dev libfmt-dev libspdlog-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev)
test_pkgs=(mariadb-server mariadb-client clickhouse-server clickhouse-client sysbench openssl curl
  clang-14 libclang-rt-14-dev xz-utils)

demo_pkgs=(mariadb-server mariadb-client openssl curl)

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--test" || "${1:-}" == "--demo" ]]; then
  if [[ "$1" == "--test" ]]; then want+=("${test_pkgs[@]}"); else want+=("${demo_pkgs[@]}"); fi
  # chDB comes from the npm registry; any npm will do (Debian's, or one bundled with a nodejs package).
  command -v npm >/dev/null || want+=(npm)
fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}"
SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"
$SUDO apt-get update -q
# policy-rc.d keeps the Debian packages from starting their own system-wide servers: the tests run their
# own instances on private ports.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
