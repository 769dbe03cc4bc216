#!/usr/bin/env bash
# The ECharts build the app serves (internal/web/static/echarts-VERSION.min.js,
# embedded in the binary, so a fresh clone builds with plain `go build`).
#   scripts/echarts.sh         check the committed file against SHA256
#   scripts/echarts.sh fetch   fetch dist/echarts.min.js of the npm package at
#                              VERSION (npm pack), check SHA256, write the file
# VERSION is the ECharts release go-echarts (go.mod) names as the one its
# options are written for; moving go-echarts may move it. On a new VERSION:
# set it and SHA256 here, run fetch, delete the old file, and change
# web.EChartsScript (internal/web/static.go).
set -euo pipefail

VERSION=5.4.3
SHA256=1156429a16a38cb8604dcc6518c19406d4226142d908f8edd2e3531443c54d19

cd "$(dirname "$0")/.."
dest="internal/web/static/echarts-$VERSION.min.js"

check() {
	local got
	got=$(sha256sum "$1" | cut -d' ' -f1)
	if [ "$got" != "$SHA256" ]; then
		echo "echarts: $1 has sha256 $got, want $SHA256 (echarts $VERSION)" >&2
		return 1
	fi
}

case "${1:-check}" in
check)
	check "$dest"
	echo "echarts: $dest is echarts $VERSION" >&2
	;;
fetch)
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && npm pack --silent "echarts@$VERSION" >/dev/null)
	tar -xzf "$tmp/echarts-$VERSION.tgz" -C "$tmp" package/dist/echarts.min.js
	check "$tmp/package/dist/echarts.min.js"
	cp "$tmp/package/dist/echarts.min.js" "$dest"
	echo "echarts: wrote $dest" >&2
	;;
*)
	echo "usage: scripts/echarts.sh [check|fetch]" >&2
	exit 2
	;;
esac
