#!/usr/bin/env bash
# Installs what `make test` needs that Go modules do not bring: strace (the
# air-gap test traces every network syscall of the offline binary).
set -euo pipefail
need=()
command -v strace >/dev/null 2>&1 || need+=(strace)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
strace -V | head -1
