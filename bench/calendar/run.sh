#!/usr/bin/env bash
# Benchmark of the statutory clock: due dates per second at 10^5, 10^6, 10^7 calls, next to a
# day-by-day walk (in the same binary, answers checked equal) and numpy's busday_offset.
# Writes bench/results/calendar.md. Usage: bench/calendar/run.sh [max_exponent (default 7)]
set -euo pipefail
cd "$(dirname "$0")/../.."
max_exp=${1:-7}
out=bench/results/calendar.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cargo build --release -q -p cchc
bin=target/release/cchc

# numpy in a private virtualenv (PyPI), reused between runs.
venv=target/bench-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q numpy
fi
for y in 2023 2024 2025 2026 2027; do "$bin" calendar holidays --year "$y" --format json; done \
  | "$venv/bin/python" -c 'import json,sys; d=json.JSONDecoder(); s=sys.stdin.read(); i=0; out=[]
while i < len(s):
    s_i = s[i:].lstrip(); 
    if not s_i: break
    v, j = d.raw_decode(s_i); out += v; i = len(s) - len(s_i) + j
json.dump(out, sys.stdout)' > "$tmp/holidays.json"

{
  echo "# Statutory clock benchmark"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m); $(date -u +%Y-%m-%d)."
  echo "Command: \`bench/calendar/run.sh\`. Requests: random starts (any minute of 2023-2026), limits of"
  echo "1-30 working days or 1-40 working hours, a quarter with the after-15:00 rule; 'with pauses' adds"
  echo "0-2 closed pauses. The day walk is the usual implementation (loop over days and periods), run on"
  echo "up to 200,000 of the same pause-free requests, and every answer is checked equal to ours."
  echo "'60-120 wd': pause-free limits of 60-120 working days (land, investment procedures): the day"
  echo "walk grows with the limit, the timeline does not. numpy busday_offset does whole days only"
  echo "(no hours, pauses or make-up Saturdays), with 1-30 day offsets."
  echo
  echo "| calls | clock build (ms) | ns/due with pauses | ns/due no pauses | ns/due + explanation | ns/day walk | speed-up | ns/due 60-120 wd | ns/day walk 60-120 wd | speed-up | numpy vectorised ns | numpy per-call ns |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for e in $(seq 5 "$max_exp"); do
    n=$((10**e))
    r=$("$bin" calendar bench --calls "$n" --format json)
    np=$("$venv/bin/python" bench/calendar/numpy_busday.py "$tmp/holidays.json" "$n")
    python3 - "$r" "$np" <<'PY'
import json, sys
r, n = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"| 10^{len(str(r['calls']))-1} | {r['build_clock_ms']:.1f} | {r['ns_per_due_with_pauses']:.0f} | "
      f"{r['ns_per_due_without_pauses']:.0f} | {r['ns_per_due_with_explanation']:.0f} | "
      f"{r['ns_per_day_walk_without_pauses']:.0f} | {r['speedup_over_day_walk']:.1f}x | "
      f"{r['ns_per_due_long_limits']:.0f} | {r['ns_per_day_walk_long_limits']:.0f} | {r['speedup_long_limits']:.1f}x | "
      f"{n['ns_vectorised']:.0f} | {n['ns_per_call_loop']:.0f} |")
PY
  done
} > "$out"
cat "$out"
