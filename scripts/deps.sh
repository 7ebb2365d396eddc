#!/bin/sh
# deps.sh PKG... — install the Debian packages cvp needs, if any are missing.
# As root it runs apt-get; otherwise it prints the one command to run and fails.
set -eu
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
	echo "cvp: missing packages:$missing; install them with your package manager" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "cvp: missing packages:$missing" >&2
	echo "cvp: run: sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "cvp: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # one word per package
apt-get install -y -qq $missing >/dev/null
