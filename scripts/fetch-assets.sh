#!/usr/bin/env bash
# Fetch the YASGUI query editor from the npm registry into service/ecpl/web/static/vendor/,
# where the app serves it (no CDN). Called by `make setup` (target `assets`).
#
# YASGUI's published tarball carries a self-contained build (build/yasgui.min.js + .css), so
# `npm pack` (download + integrity check of that one package, no dependency tree) is enough.
# Idempotent: does nothing when the pinned version is already in place. Never fails the
# build: without node/npm, or when the registry is unreachable, it prints a note and exits 0,
# and the editor page falls back to a plain form.
set -u

# First that works wins; pinned for reproducible builds.
PACKAGES=("@zazuko/yasgui@4.6.2" "@triply/yasgui@4.2.28")

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
vendor="$root/service/ecpl/web/static/vendor"
stamp="$vendor/.stamp"

note() { echo "note: $*; the editor page (/) will use the plain query form" >&2; exit 0; }

installed() {  # the pinned package is already vendored
  [ -s "$vendor/yasgui.min.js" ] && [ -s "$vendor/yasgui.min.css" ] \
    && [ "$(cat "$vendor/VERSION" 2>/dev/null)" = "$1" ]
}

for pkg in "${PACKAGES[@]}"; do
  if installed "$pkg"; then
    touch "$stamp"
    exit 0
  fi
done

command -v npm >/dev/null 2>&1 || note "npm not found (install node.js and npm to get YASGUI)"

cache="${ECPL_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ecpl/npm}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for pkg in "${PACKAGES[@]}"; do
  rm -rf "${work:?}"/*
  if ! (cd "$work" && npm pack --silent --cache "$cache" "$pkg" >/dev/null 2>"$work/npm.err"); then
    echo "note: npm could not fetch $pkg: $(tail -n 1 "$work/npm.err")" >&2
    continue
  fi
  tarball="$(ls "$work"/*.tgz 2>/dev/null | head -n 1)"
  [ -n "$tarball" ] && tar -xzf "$tarball" -C "$work" || continue
  build="$work/package/build"
  if [ -s "$build/yasgui.min.js" ] && [ -s "$build/yasgui.min.css" ]; then
    mkdir -p "$vendor"
    cp "$build/yasgui.min.js" "$build/yasgui.min.css" "$vendor/"
    [ -f "$work/package/LICENSE" ] && cp "$work/package/LICENSE" "$vendor/LICENSE"
    echo "$pkg" >"$vendor/VERSION"
    touch "$stamp"
    echo "YASGUI ($pkg) installed in ${vendor#"$root"/}"
    exit 0
  fi
  echo "note: $pkg has no build/yasgui.min.js" >&2
done

note "could not install YASGUI from the npm registry"
