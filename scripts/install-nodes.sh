#!/usr/bin/env bash
# Installs the pinned test nodes into .tools/ (git-ignored): btcd + btcctl for
# regtest, geth for --dev. Each is built once with `go install` and skipped
# when the pinned version is already there (geth takes minutes cold).
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=${TOOLS:-$PWD/.tools}
BTCD_VERSION=v0.26.2
GETH_VERSION=v1.17.8
mkdir -p "$TOOLS/bin"

install() { # name version package...
  local name=$1 version=$2; shift 2
  local stamp="$TOOLS/$name.version"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ]; then
    echo "$name $version: already in $TOOLS/bin"
    return
  fi
  echo "$name $version: building with go install (first time only)..."
  local start=$SECONDS
  for pkg in "$@"; do
    # Tools are built with their own go.mod, not ours; CGO off keeps them static.
    GOFLAGS= GOBIN="$TOOLS/bin" CGO_ENABLED=0 go install "$pkg@$version"
  done
  echo "$version" >"$stamp"
  echo "$name $version: built in $((SECONDS - start))s"
}

install btcd "$BTCD_VERSION" github.com/btcsuite/btcd github.com/btcsuite/btcd/cmd/btcctl
install geth "$GETH_VERSION" github.com/ethereum/go-ethereum/cmd/geth
