#!/bin/sh
# Installs the Debian packages ocv needs to build, test and demo.
# Checks each with dpkg-query first; installs only what is missing.
# Not root: prints the exact apt-get command and fails.
set -eu

PACKAGES="build-essential pkg-config libmbedtls-dev libcbor-dev libsqlite3-dev \
libjansson-dev libsodium-dev libmicrohttpd-dev libcmocka-dev openssl sqlite3 \
valgrind clang clang-format libclang-rt-14-dev llvm libssl-dev nginx-light wrk time \
python3-cryptography-vectors python3-cryptography curl"

missing=""
for p in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done

[ -z "$missing" ] && exit 0

echo "deps: missing Debian packages:$missing"
if [ "$(id -u)" -ne 0 ]; then
    echo "deps: not root; run:"
    echo "  sudo apt-get update && sudo apt-get install -y$missing"
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
