#!/usr/bin/env bash
# Web pages benchmark: server time of the main pages (whole router in process: session cookie,
# middleware, use case, store, template) with 10^5 and 10^6 dossier histories stored on SQLite,
# side by side with the bare SQL behind the heaviest pages run by the sqlite3 shell on the same
# database (the physical floor). Writes bench/results/web.md.
# Usage: bench/web/run.sh [SIZES (default "100000 1000000")] [REQUESTS per page (default 200)]
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=${1:-"100000 1000000"}
requests=${2:-200}
out=bench/results/web.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo build --release -q -p cchc
bin=target/release/cchc
command -v sqlite3 >/dev/null || { echo "sqlite3 shell missing (apt-get install sqlite3)" >&2; exit 1; }

# Median wall time (ms) of a query in the sqlite3 shell over 15 runs.
sql_ms_stdout() { # db sql
  for _ in $(seq 15); do
    printf '.timer on\n%s\n' "$2" | sqlite3 "$1" | awk '/^Run Time/{print $4*1000}'
  done | sort -n | awk '{a[NR]=$1} END{print (NR? a[int((NR+1)/2)] : "n/a")}'
}

for n in $sizes; do
  db="$tmp/web-$n.db"
  t0=$(date +%s)
  "$bin" --database-url "sqlite://$db" bench web --stored "$n" --requests "$requests" --format json > "$tmp/web-$n.json"
  echo "stored $n in $(( $(date +%s) - t0 )) s" >&2
  du -cb "$db"* | tail -1 | cut -f1 > "$tmp/size-$n"
  now=$(date -u -d '+7 hours' +%Y-%m-%dT%H:%M:%S)
  month=$(date -u -d '+7 hours' +%m); year=$(date -u -d '+7 hours' +%Y)
  qm=$(( (10#$month - 1) / 3 * 3 + 1 ))
  qfrom=$(printf '%s-%02d-01T00:00:00' "$year" "$qm")
  {
    echo "ontime $(sql_ms_stdout "$db" "SELECT receiving_unit, COUNT(*), SUM(CASE WHEN finished_late = 1 THEN 1 ELSE 0 END) FROM dossiers WHERE finished_at >= '$qfrom' AND finished_at < '9999' GROUP BY receiving_unit;")"
    echo "overdue $(sql_ms_stdout "$db" "SELECT code, procedure_code, applicant_name, status, due_at FROM dossiers WHERE current_unit = 'w2025:23293' AND status IN (2,4) AND due_at < '$now' ORDER BY due_at LIMIT 100;")"
    echo "bystatus $(sql_ms_stdout "$db" "SELECT status, COUNT(*) FROM dossiers WHERE current_unit = 'w2025:23293' GROUP BY status;")"
    echo "bycode $(sql_ms_stdout "$db" "SELECT state FROM dossiers WHERE code = (SELECT code FROM dossiers WHERE current_unit = 'w2025:23293' LIMIT 1);")"
  } > "$tmp/sql-$n"
  rm -f "$db"*
done

{
  echo "# Web pages benchmark"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(date -u +%Y-%m-%d). Command: \`bench/web/run.sh \"$sizes\" $requests\`."
  echo "Server time of each page: the whole router in process (session cookie, CSRF/session"
  echo "middleware, use case with its authorization, store, template), $requests sequential requests per"
  echo "page, after loading the dossier histories (3 chained events for finished ones) across the"
  echo "province's 2025 communes and departments, ~3% at the demo ward (Phường Kon Tum), over two years."
  echo "Target: every page under 50 ms with 10^6 dossiers stored."
  echo
  python3 - "$tmp" $sizes <<'PY'
import json, sys, os
tmp, sizes = sys.argv[1], sys.argv[2:]
reps = {n: json.load(open(os.path.join(tmp, f"web-{n}.json"))) for n in sizes}
sqls = {}
for n in sizes:
    d = {}
    for line in open(os.path.join(tmp, f"sql-{n}")):
        k, v = line.split()
        d[k] = v
    sqls[n] = d
head = "| page | " + " | ".join(f"p50 / p99 ms at {int(n):,}" for n in sizes) + " |"
print(head)
print("|---|" + "---:|" * len(sizes))
pages = [p["page"] for p in reps[sizes[0]]["pages"]]
for i, name in enumerate(pages):
    cells = []
    for n in sizes:
        p = reps[n]["pages"][i]
        cells.append(f"{p['p50_ms']:.2f} / {p['p99_ms']:.2f}")
    print(f"| {name} (`{reps[sizes[0]]['pages'][i]['path'].split('?')[0]}`) | " + " | ".join(cells) + " |")
print()
print("Loading: " + "; ".join(f"{int(n):,} dossiers at {reps[n]['fill_dossiers_per_sec']:.0f}/s, "
      f"{reps[n]['desk_unit_dossiers']:,} at the demo ward, "
      f"{int(open(os.path.join(tmp, f'size-{n}')).read())/1e6:.0f} MB" for n in sizes) + ".")
print()
print("The SQL a user would otherwise run for the same answer, in the `sqlite3` shell on the same database")
print("(median of 15; the on-time table scans the dossiers, where the page reads the daily rollup):")
print()
print("| query | page that runs it | " + " | ".join(f"ms at {int(n):,}" for n in sizes) + " | page p50 ÷ SQL at " + f"{int(sizes[-1]):,} |")
print("|---|---|" + "---:|" * len(sizes) + "---:|")
rows = [("on-time per unit since the quarter began", "Chỉ số phục vụ (quý)", "ontime"),
        ("the ward's overdue queue", "Bàn làm việc", "overdue"),
        ("the ward's counts by status", "Bảng điều hành", "bystatus"),
        ("one dossier row by code", "Tra cứu hồ sơ", "bycode")]
last = sizes[-1]
for label, page, key in rows:
    vals = [sqls[n].get(key, "n/a") for n in sizes]
    p = next(x for x in reps[last]["pages"] if x["page"] == page)
    try:
        r = p['p50_ms'] / max(float(sqls[last][key]), 0.001)
        ratio = f"{r:.1f}×" if r >= 0.1 else f"1/{1 / r:.0f}"
    except Exception:
        ratio = "n/a"
    print(f"| {label} | {page} | " + " | ".join(vals) + f" | {ratio} |")
PY
} > "$out"
cat "$out"
