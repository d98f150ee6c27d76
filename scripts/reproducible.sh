#!/usr/bin/env bash
# Two `make release` builds of the same commit must give identical SHA-256 for
# every binary: one here, one from a copy of the tree at another path with an
# empty build cache.
set -euo pipefail
root=$(pwd)
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
make -s release DIST="$tmp/a" >/dev/null
mkdir -p "$tmp/elsewhere/src"
git ls-files -z | xargs -0 cp --parents -t "$tmp/elsewhere/src"
( cd "$tmp/elsewhere/src" && GOCACHE="$tmp/gocache" make -s release DIST="$tmp/b" VERSION="$(cd "$root" && git describe --tags --always --dirty 2>/dev/null || echo dev)" >/dev/null )
if diff "$tmp/a/SHA256SUMS" "$tmp/b/SHA256SUMS"; then
  echo "reproducible: $(wc -l < "$tmp/a/SHA256SUMS") binaries identical across two builds"
  cat "$tmp/a/SHA256SUMS"
else
  echo "NOT reproducible: the two builds differ (above)" >&2
  exit 1
fi
