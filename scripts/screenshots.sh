#!/usr/bin/env bash
# Screenshots of the pictures (docs/screenshots.md): a case report's timeline, written by
# `ecpl validate --output html`, and the /ontology diagrams from a short-lived `ecpl serve`.
#
#   scripts/screenshots.sh [OUTDIR] [CASE.ttl ...]     (default: var/screenshots, three cases)
#
# Needs Chromium (scripts/system-deps.sh) and, for Chinese text, a CJK font (Debian:
# fonts-noto-cjk). Stops the server it started, whatever happens.
set -eu
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/var/screenshots}"
shift || true
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
  cases=("$root/data/cases/pang-v-qunar-second-instance.ttl"
         "$root/data/cases/examples/notice-and-action-negative.ttl"
         "$root/data/cases/examples/rule-ecl-38-2-positive.ttl")
fi
chromium="$(command -v chromium || command -v chromium-browser || true)"
[ -n "$chromium" ] || { echo "error: Chromium not found (scripts/system-deps.sh installs it)" >&2; exit 2; }
fc-list :lang=zh 2>/dev/null | grep -q . || echo "note: no CJK font installed; Chinese shows as boxes (apt-get install fonts-noto-cjk)" >&2
ecpl="$root/.venv/bin/ecpl"
mkdir -p "$out"
profile="$(mktemp -d)"
shot() {  # URL FILE WIDTH HEIGHT
  "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
    --window-size="$3,$4" --screenshot="$2" "$1" >/dev/null 2>&1
  echo "$2"
}
for case in "${cases[@]}"; do
  name="$(basename "$case" .ttl)"
  "$ecpl" validate --quiet --output html "$case" > "$out/$name.html" || [ $? -eq 1 ]
  shot "file://$out/$name.html" "$out/report-$name.png" 1500 1400
done
port="$("$root/.venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$ecpl" serve --host 127.0.0.1 --port "$port" > "$out/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; rm -rf "$profile"' EXIT
for _ in $(seq 1 150); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.2
done
shot "http://127.0.0.1:$port/ontology" "$out/ontology-diagrams.png" 1500 2800
