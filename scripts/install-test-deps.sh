#!/usr/bin/env bash
# Installs what the test suite needs and the machine lacks (Debian packages, local dotnet tools).
# Idempotent: a machine that has everything installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
need() { # need COMMAND DEBIAN_PACKAGE
  command -v "$1" >/dev/null 2>&1 || [ -x "$1" ] || missing+=("$2")
}

need node nodejs
need npm npm
# The web page's browser tests drive Debian's Chromium (Playwright downloads no browser).
need chromium chromium

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

dotnet tool restore >/dev/null

# npm packages of the tests, from their lockfiles.
for dir in Chat.Tests/JsClient; do
  [ -d "$dir/node_modules" ] || npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
done
