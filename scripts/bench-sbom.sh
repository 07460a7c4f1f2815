#!/usr/bin/env bash
# Benchmark of secpack-sbom (issue 3, item 9): redact a generated 100,000-component CycloneDX 1.6
# SBOM, and do the same work with jq, under /usr/bin/time -v; print wall time and peak RSS.
#
# Usage: bash scripts/bench-sbom.sh [N_COMPONENTS] [RUNS]   (defaults: 100000, 3; best run shown)
# The machine has 2 cores shared with whatever else runs: the best of RUNS is reported, with its
# CPU time (user + sys), which other load disturbs less than wall time. secpack-sbom uses the
# second core to hash and validate the input while it redacts.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-100000}
runs=${2:-3}
dir="$root/target/sbom-bench"
ex="$root/crates/secpack-sbom/examples"
mkdir -p "$dir"

log() { printf 'bench-sbom: %s\n' "$*" >&2; }

if [ ! -x /usr/bin/time ]; then
  log "installing Debian's time (for peak RSS)"
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi
command -v jq >/dev/null || { log "installing jq"; apt-get update -qq && apt-get install -y -qq jq >/dev/null; }

log "building the examples in release mode"
(cd "$root" && cargo build -q --release -p secpack-sbom --example gen-large-cdx --example redact)
bin="$root/target/release/examples"
input="$dir/large-$n.cdx.json"
[ -f "$input" ] || "$bin/gen-large-cdx" "$input" "$n"
size=$(wc -c < "$input")

# Runs a command RUNS times; prints "best_wall_seconds peak_rss_kb cpu_seconds" of the fastest run.
measure() {
  local best="" best_rss="" best_cpu=""
  for _ in $(seq "$runs"); do
    /usr/bin/time -v -o "$dir/time.txt" "$@" > /dev/null 2>"$dir/stderr.txt" || { cat "$dir/stderr.txt" >&2; exit 1; }
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$dir/time.txt")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$dir/time.txt")
    cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {print s}' "$dir/time.txt")
    if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$wall; best_rss=$rss; best_cpu=$cpu; fi
  done
  echo "$best $best_rss $best_cpu"
}

read -r s_wall s_rss s_cpu < <(measure "$bin/redact" "$input" "$dir/out.secpack.json" "$ex/bench-rules.toml")
read -r j_wall j_rss j_cpu < <(measure sh -c "jq -f '$ex/bench-redact.jq' '$input' > '$dir/out.jq.json'")

mib() { awk -v k="$1" 'BEGIN{printf "%.0f", k/1024}'; }
printf '\ninput: %s components, %.1f MiB (%s)\n' "$n" "$(awk -v b="$size" 'BEGIN{print b/1048576}')" "$input"
printf '%-14s %10s %12s %14s %12s\n' tool "wall (s)" "CPU (s)" "peak RSS (MiB)" "RSS / input"
printf '%-14s %10s %12s %14s %12.2f\n' secpack-sbom "$s_wall" "$s_cpu" "$(mib "$s_rss")" "$(awk -v r="$s_rss" -v b="$size" 'BEGIN{print r*1024/b}')"
printf '%-14s %10s %12s %14s %12.2f\n' "jq $(jq --version | sed 's/jq-//')" "$j_wall" "$j_cpu" "$(mib "$j_rss")" "$(awk -v r="$j_rss" -v b="$size" 'BEGIN{print r*1024/b}')"
printf 'speed-up: %.1fx wall, %.1fx CPU (target >= 5x); peak RSS %.2fx input (target <= 3x)\n' \
  "$(awk -v a="$j_wall" -v b="$s_wall" 'BEGIN{print a/b}')" "$(awk -v a="$j_cpu" -v b="$s_cpu" 'BEGIN{print a/b}')" "$(awk -v r="$s_rss" -v b="$size" 'BEGIN{print r*1024/b}')"
# Same components and dependency graph as jq's result (secpack adds its declaration).
python3 - "$dir/out.secpack.json" "$dir/out.jq.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
same = a["components"] == b["components"] and a["dependencies"] == b["dependencies"]
print("outputs agree on components and dependencies:", same)
sys.exit(0 if same else 1)
PY
