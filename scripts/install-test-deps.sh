#!/usr/bin/env bash
# Installs what `make test` needs that Go modules do not bring, each only if
# missing: strace (the air-gap test traces every network syscall of the
# offline binary), zbar-tools and chromium (independent readers of our QR
# codes and offline HTML page), age (opens backups as someone without
# coldtss would), poppler-utils (renders paper backup sheets), and node with
# the pinned npm reference implementations (qr/interop/package-lock.json:
# bc-ur, the Keystone registries, MetaMask's QR keyring, bbqr).
set -euo pipefail
need=()
command -v strace >/dev/null 2>&1 || need+=(strace)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
# zbarimg reads back the QR codes qr/display draws (PNG frames, the terminal
# drawing); headless Chromium opens its offline HTML page from a file.
command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || need+=(chromium)
# age opens the cold backups the way someone without coldtss would.
command -v age >/dev/null 2>&1 || need+=(age)
# pdftoppm and pdfinfo (poppler) render the paper backup sheets' PDF back to
# pictures, which the QR scanner then reads.
{ command -v pdftoppm && command -v pdfinfo; } >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
strace -V | head -1
# The npm packages, exactly as the lock file pins them (no network beyond the npm registry).
cd "$(dirname "$0")/.."
if [ ! -d qr/interop/node_modules ] || [ qr/interop/package-lock.json -nt qr/interop/node_modules ]; then
  npm ci --prefix qr/interop --no-audit --no-fund --loglevel=error
fi
node --version
