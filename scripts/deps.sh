#!/usr/bin/env bash
# Installs what Pilotpulse needs on a Debian machine, only what is missing:
#   scripts/deps.sh clickhouse   clickhouse-server + clickhouse-client (Debian's)
#   scripts/deps.sh browser      chromium (browser tests)
#   scripts/deps.sh office       LibreOffice Calc without a GUI (Debian's
#                                libreoffice-calc-nogui): the tests open the
#                                Excel reports in a real spreadsheet program
#   scripts/deps.sh node-tools   npm packages the tests use (tools/package.json)
#   scripts/deps.sh chdb         libchdb.so (ClickHouse 26.7 as a library, npm's
#                                @chdb/lib-linux-x64-gnu) into tools/chdb/, for the
#                                tests that check the SQL on a current ClickHouse
#   scripts/deps.sh staticcheck  the staticcheck linter (pinned) into tools/bin/
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

# chDB: pinned version and the sha256 of its npm tarball (~178 MB; the
# library inside is ~570 MB). tools/chdb/VERSION records what is installed.
chdb_package=@chdb/lib-linux-x64-gnu
chdb_version=26.7.3-stable.1
chdb_sha256=c0d32b129e988f2b9a9a31c9141aecf5e1e2453f9a079efc4d36ab8e3f92b2ad

# staticcheck: the module version and the release it prints.
staticcheck_version=v0.8.2
staticcheck_release=2026.2.2
chdb_dir=tools/chdb

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
	office)
		have soffice || apt_install libreoffice-calc-nogui
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
	chdb)
		if [ ! -f $chdb_dir/libchdb.so ] || [ "$(cat $chdb_dir/VERSION 2>/dev/null)" != $chdb_version ]; then
			if ! have npm; then apt_install nodejs npm; fi
			tmp=$(mktemp -d)
			trap 'rm -rf "$tmp"' EXIT
			echo "deps: npm pack $chdb_package@$chdb_version" >&2
			(cd "$tmp" && npm pack "$chdb_package@$chdb_version" --loglevel=error >/dev/null)
			tarball=$(ls "$tmp"/*.tgz)
			if ! echo "$chdb_sha256  $tarball" | sha256sum --check --status; then
				echo "deps: $chdb_package@$chdb_version: sha256 of $tarball is not $chdb_sha256" >&2
				exit 1
			fi
			tar -xzf "$tarball" -C "$tmp" package/libchdb.so
			mkdir -p $chdb_dir
			mv "$tmp/package/libchdb.so" $chdb_dir/libchdb.so
			echo $chdb_version >$chdb_dir/VERSION
			rm -rf "$tmp"
			trap - EXIT
		fi
		;;
	staticcheck)
		# The linter, pinned, built from the Go module proxy into tools/bin.
		if [ "$(tools/bin/staticcheck -version 2>/dev/null)" != "staticcheck $staticcheck_release ($staticcheck_version)" ]; then
			echo "deps: go install honnef.co/go/tools/cmd/staticcheck@$staticcheck_version" >&2
			GOBIN=$PWD/tools/bin go install "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version"
		fi
		;;
	*)
		echo "deps: unknown part $what" >&2
		exit 2
		;;
	esac
done
