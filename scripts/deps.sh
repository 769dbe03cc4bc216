#!/usr/bin/env bash
# Installs what Pilotpulse needs on a Debian machine, only what is missing:
#   scripts/deps.sh clickhouse   clickhouse-server + clickhouse-client (Debian's)
#   scripts/deps.sh browser      chromium (browser tests)
#   scripts/deps.sh node-tools   npm packages the tests use (tools/package.json)
# Installing packages needs root (CI and these machines run as root).
set -euo pipefail

updated=0
apt_install() {
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing $*; install them as root: apt-get install -y $*" >&2
		exit 1
	fi
	if [ $updated = 0 ]; then
		echo "deps: apt-get update" >&2
		apt-get update -qq >/dev/null
		updated=1
	fi
	echo "deps: apt-get install $*" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]; }

for what in "$@"; do
	case "$what" in
	clickhouse)
		missing=()
		have clickhouse-server || missing+=(clickhouse-server)
		have clickhouse-client || missing+=(clickhouse-client)
		[ ${#missing[@]} = 0 ] || apt_install "${missing[@]}"
		;;
	browser)
		have chromium || apt_install chromium
		;;
	node-tools)
		if [ -f tools/package.json ]; then
			if ! have npm; then apt_install nodejs npm; fi
			if [ ! -d tools/node_modules ] || [ tools/package-lock.json -nt tools/node_modules ]; then
				echo "deps: npm ci --prefix tools" >&2
				npm ci --prefix tools --no-audit --no-fund --loglevel=error >/dev/null
			fi
		fi
		;;
	*)
		echo "deps: unknown part $what" >&2
		exit 2
		;;
	esac
done
