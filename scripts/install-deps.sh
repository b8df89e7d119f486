#!/usr/bin/env bash
# Installs the Debian packages listed in scripts/packages.txt that are not yet installed, then the
# npm packages of the studio's browser test (tests/e2e/studio: npm ci from its package-lock.json,
# so tests never fetch anything).
# Packages named NAME:arm64 (for the arm64 cross build) need the arm64 architecture in dpkg,
# which is added first when missing. Idempotent: does nothing (and needs no network) when
# everything is present.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mapfile -t wanted < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/packages.txt")
native="$(dpkg --print-architecture)"
# NAME:ARCH is that architecture's package; a plain NAME the native one (or an "all" package),
# even when another architecture's is installed beside it.
installed() {
  case "$1" in
    *:*) dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -qx 'install ok installed' ;;
    *) dpkg-query -W -f='${Status} ${Architecture}\n' "$1" 2>/dev/null |
         grep -qE "^install ok installed ($native|all)\$" ;;
  esac
}
missing=()
for pkg in "${wanted[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done
sudo=""
need_root() {
  if [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; then
    command -v sudo >/dev/null || { echo "error: need root (or sudo) to install: $*" >&2; exit 1; }
    sudo="sudo"
  fi
}
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#wanted[@]} packages are installed"
else
  need_root "${missing[@]}"
  if printf '%s\n' "${missing[@]}" | grep -q ':arm64$' &&
     ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "install-deps: adding the arm64 architecture (for the arm64 cross build's libraries)"
    $sudo dpkg --add-architecture arm64
  fi
  echo "install-deps: installing ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# Debian's own nodejs comes without npm (NodeSource's brings it).
if ! command -v npm >/dev/null; then
  need_root npm
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends npm
fi
# The browser test's npm packages, exactly as locked; reinstalled only when the lock changes.
studio_tests="$here/../tests/e2e/studio"
if ! cmp -s "$studio_tests/package-lock.json" "$studio_tests/node_modules/.installed-lock.json" 2>/dev/null; then
  echo "install-deps: npm ci in tests/e2e/studio (playwright-core for the studio's browser test)"
  (cd "$studio_tests" && npm ci --no-audit --no-fund --loglevel=error &&
   cp package-lock.json node_modules/.installed-lock.json)
else
  echo "install-deps: the studio test's npm packages are installed"
fi
