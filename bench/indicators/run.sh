#!/usr/bin/env bash
# Indicators benchmark: fill N synthetic dossier facts over the Kon Tum unit tree (SQLite),
# time the full rebuild of the rollups (facts → rollups) and the dashboard queries that read
# them, and, on the same facts, the same province-quarter indicators computed by scanning one
# row per dossier: DuckDB over CSV and Parquet, PostgreSQL over a COPY-loaded table, and the
# sqlite3 shell over the `dossier_facts` table of the same database. Checks every engine's
# numbers equal ours (fails loudly otherwise). Writes bench/results/indicators.md.
# Not part of CI. Needs: sqlite3 shell, python3 (pip installs duckdb if missing), PostgreSQL
# on 127.0.0.1 with a role cchc/cchc allowed to create databases (PG is skipped if absent).
# Usage: bench/indicators/run.sh [SIZES (default "100000 1000000")] [REPS (default 30)]
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=${1:-"100000 1000000"}
reps=${2:-30}
out=bench/results/indicators.md
here=bench/indicators
tmp=$(mktemp -d -p "${TMPDIR:-/tmp}")
trap 'rm -rf "$tmp"' EXIT
cargo build --release -q -p cchc
bin=target/release/cchc
command -v sqlite3 >/dev/null || { echo "sqlite3 shell missing (apt-get install sqlite3)" >&2; exit 1; }
python3 -c 'import duckdb' 2>/dev/null || pip install -q duckdb
export PGPASSWORD=${PGPASSWORD:-cchc}
pg="psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U cchc"
have_pg=1
$pg -d postgres -c 'SELECT 1' >/dev/null 2>&1 || { echo "PostgreSQL not reachable as cchc@127.0.0.1: skipped" >&2; have_pg=0; }

sql_for() { # first last
  grep -v '^\s*--' "$here/pg_indicators.sql" | sed "s/:FIRST/$1/g; s/:LAST/$2/g"
}

for n in $sizes; do
  db="$tmp/ind-$n.db"; dir="$tmp/out-$n"; mkdir -p "$dir"
  echo "== $n facts" >&2
  t0=$(date +%s)
  "$bin" --database-url "sqlite://$db" bench indicators --size "$n" --reps "$reps" --out "$dir" > /dev/null
  echo "cchc bench indicators $n: $(( $(date +%s) - t0 )) s" >&2
  du -cb "$db"* | tail -1 | cut -f1 > "$dir/db_bytes"
  du -b "$dir/facts.csv" | cut -f1 > "$dir/csv_bytes"
  first=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["quarter_first"])' "$dir/result.json")
  last=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["quarter_last"])' "$dir/result.json")
  sql_for "$first" "$last" > "$dir/q.sql"
  runs=5; [ "$n" -ge 5000000 ] && runs=3

  # SQLite shell over dossier_facts (median of runs; values from one run).
  sqlite3 -csv "$db" < "$dir/q.sql" | tr ',' ' ' > "$dir/sqlite_values"
  for _ in $(seq $runs); do
    printf '.timer on\n%s\n' "$(cat "$dir/q.sql")" | sqlite3 "$db" | awk '/^Run Time/{print $4*1000}'
  done | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}' > "$dir/sqlite_ms"

  # DuckDB over CSV and Parquet.
  python3 "$here/duckdb_indicators.py" "$dir/facts.csv" "$dir/facts.parquet" "$here/pg_indicators.sql" \
    "$first" "$last" "$runs" > "$dir/duckdb.json"
  du -b "$dir/facts.parquet" | cut -f1 > "$dir/parquet_bytes"

  # PostgreSQL over a table loaded with COPY from the same CSV.
  if [ "$have_pg" = 1 ]; then
    pgdb="cchc_bench_ind_$$"
    $pg -d postgres -c "DROP DATABASE IF EXISTS $pgdb" -c "CREATE DATABASE $pgdb"
    $pg -d "$pgdb" -c "CREATE TABLE dossier_facts (code text PRIMARY KEY, unit text NOT NULL,
      procedure_code text NOT NULL, received_day date, end_kind text, end_day date, late_from date,
      verdict text, online int NOT NULL, full_online_proc int NOT NULL, fee_bearing int NOT NULL,
      paid_online int NOT NULL, digitised int NOT NULL, reused int NOT NULL, synced int NOT NULL,
      e_result int NOT NULL, supplement_requests int NOT NULL, used_cd bigint NOT NULL,
      limit_cd bigint NOT NULL, rating int)"
    t=$(date +%s.%N)
    $pg -d "$pgdb" -c "\\copy dossier_facts FROM '$dir/facts.csv' WITH (FORMAT csv, HEADER true)"
    $pg -d "$pgdb" -c "VACUUM ANALYZE dossier_facts"
    python3 -c "import sys; print((float(sys.argv[2]) - float(sys.argv[1])) * 1000)" "$t" "$(date +%s.%N)" > "$dir/pg_load_ms"
    $pg -d "$pgdb" -A -t -F ' ' -f "$dir/q.sql" > "$dir/pg_values"
    for _ in $(seq $runs); do
      $pg -d "$pgdb" -c '\timing on' -f "$dir/q.sql" | awk '/^Time:/{print $2}'
    done | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}' > "$dir/pg_ms"
    $pg -d "$pgdb" -A -t -c 'SHOW server_version' > "$tmp/pg_version"
    $pg -d postgres -c "DROP DATABASE $pgdb"
  fi
  rm -f "$db"* "$dir/facts.csv" "$dir/facts.parquet"
done

sqlite3 --version | cut -d' ' -f1 > "$tmp/sqlite_version"
grep -A1 'name = "libsqlite3-sys"' Cargo.lock | awk -F'"' '/version/{print $2}' > "$tmp/libsqlite_version"
python3 - "$tmp" "$reps" $sizes > "$out.new" <<'PY'
import json, os, sys
tmp, reps, sizes = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def rd(n, name, default=None):
    p = os.path.join(tmp, f"out-{n}", name)
    return open(p).read().strip() if os.path.exists(p) else default
def ver(name):
    p = os.path.join(tmp, name)
    return open(p).read().strip() if os.path.exists(p) else "n/a"
R = {n: json.load(open(os.path.join(tmp, f"out-{n}", "result.json"))) for n in sizes}
D = {n: json.load(open(os.path.join(tmp, f"out-{n}", "duckdb.json"))) for n in sizes}
codes = ["2.1", "3.3", "3.6", "4.1", "5.4"]
bad = []
def ours_vals(n):
    return [v for c in codes for v in (R[n]["ours"][c]["numerator"], R[n]["ours"][c]["denominator"])]
def engine_vals(n):
    out = {"SQLite (sqlite3 shell)": rd(n, "sqlite_values"), "PostgreSQL": rd(n, "pg_values")}
    out = {k: [int(x) for x in v.split()] for k, v in out.items() if v}
    for k in ("csv_query", "parquet_query", "csv_table_query", "parquet_table_query"):
        out[f"DuckDB {k}"] = D[n][k]["values"]
    return out
big = lambda n: f"{int(n):,}"
def fmt(x):
    return f"{x:.2f}" if x < 10 else f"{x:.1f}" if x < 100 else f"{x:,.0f}"
def growth(vals):
    g = [b / a if a else float("nan") for a, b in zip(vals, vals[1:])]
    return " → ".join(f"×{x:.1f}" for x in g) if g else "–"
r0 = R[sizes[0]]
print("# Indicators benchmark")
print()
print(f"Machine: {os.cpu_count()} cores, "
      f"{int(open('/proc/meminfo').read().split()[1]) / 1048576:.0f} GiB (shared: other jobs ran alongside, "
      f"so timings carry noise); date {os.popen('date -u +%Y-%m-%d').read().strip()}. "
      f"Command: `bench/indicators/run.sh \"{' '.join(sizes)}\" {reps}`.")
print(f"Versions: SQLite bundled in cchc by libsqlite3-sys {ver('libsqlite_version')}, sqlite3 shell "
      f"{ver('sqlite_version')}, DuckDB {D[sizes[0]]['duckdb_version']} ({D[sizes[0]]['threads']} threads), "
      f"PostgreSQL {ver('pg_version')} (default settings).")
print()
print(f"Data: N synthetic dossier facts (seeded) over the Kon Tum part of today's province "
      f"(`p2025:51`: {r0['units']} units, communes with a Kon Tum predecessor and the province's "
      f"departments), {r0['procedures']} procedures (Zipf-like volumes), received "
      f"{r0['received_from']}..{r0['received_to']}; shares at {big(sizes[0])}: "
      + ", ".join(f"{k} {v * 100:.1f}%" for k, v in r0["shares"].items())
      + ". Facts are loaded in bulk (no rollups), then `App::rebuild_indicators(false)` sums the "
      "rollups from them. Dashboard timings: in process, "
      f"{reps} runs after 3 warm-ups. The check quarter is {r0['quarter_first']}..{r0['quarter_last']}.")
print()
print("## Fill and full rebuild")
print()
print("| | " + " | ".join(big(n) for n in sizes) + " | growth |")
print("|---|" + "---:|" * (len(sizes) + 1))
rows = [
    ("fill (bulk INSERT of dossiers + facts), s", [R[n]["fill_s"] for n in sizes]),
    ("fill rate, facts/s", [R[n]["fill_rows_per_s"] for n in sizes]),
    ("database size, MB", [int(rd(n, "db_bytes", 0)) / 1e6 for n in sizes]),
    ("rebuild over empty rollups, s", [R[n]["rebuild_s"][0] for n in sizes]),
]
if all(len(R[n]["rebuild_s"]) > 1 for n in sizes):
    rows.append(("rebuild over full rollups (the usual case), s", [R[n]["rebuild_s"][-1] for n in sizes]))
rows.append(("daily rollup rows", [R[n]["rollup_rows"] for n in sizes]))
if all(R[n]["breakdown"] for n in sizes):
    b = {n: R[n]["breakdown"] for n in sizes}
    rows += [
        ("– read the facts, unit by unit, s", [b[n]["read_facts_s"] for n in sizes]),
        ("– sum contributions in memory, s", [b[n]["sum_contributions_s"] for n in sizes]),
        ("– keep aside, clear, write the rollups and count differing rows in SQL (rest), s", [b[n]["write_and_rest_s"] for n in sizes]),
    ]
for label, vals in rows:
    print(f"| {label} | " + " | ".join(fmt(v) if isinstance(v, float) else f"{v:,}" for v in vals) + f" | {growth(vals)} |")
print()
print("## Dashboard queries from the rollups (target < 10 ms at every size)")
print()
print("| query (period) | " + " | ".join(f"p50 / p99 ms at {big(n)}" for n in sizes) + " | p50 growth |")
print("|---|" + "---:|" * (len(sizes) + 1))
for i, q in enumerate(r0["queries"]):
    vals = [R[n]["queries"][i] for n in sizes]
    over = any(v["p99_ms"] >= 10 for v in vals)
    print(f"| {q['query']} `{q['period']}`{' ⚠' if over else ''} | "
          + " | ".join(f"{v['p50_ms']:.2f} / {v['p99_ms']:.2f}" for v in vals)
          + f" | {growth([v['p50_ms'] for v in vals])} |")
print()
print("## Baselines: the same province-quarter indicators by scanning one row per dossier")
print()
ours = {n: next(q for q in R[n]["queries"] if q["query"].startswith("province scorecard (quarter")) for n in sizes}
print("Ratio = baseline ÷ our province scorecard for the quarter (p50, which computes every indicator "
      "for every unit, and the same quarter a year earlier). Baselines: median of 5 runs (3 at ≥ 5·10^6).")
print()
print("| engine | " + " | ".join(f"ms at {big(n)}" for n in sizes) + " | " + " | ".join(f"÷ ours at {big(n)}" for n in sizes) + " | growth |")
print("|---|" + "---:|" * (2 * len(sizes) + 1))
eng = [
    ("SQLite, sqlite3 shell over `dossier_facts` (same file)", lambda n: float(rd(n, "sqlite_ms", "nan"))),
    ("DuckDB over CSV (reads the file each query)", lambda n: D[n]["csv_query"]["ms"]),
    ("DuckDB over Parquet (reads the file each query)", lambda n: D[n]["parquet_query"]["ms"]),
    ("DuckDB, table loaded from CSV (query only)", lambda n: D[n]["csv_table_query"]["ms"]),
    ("DuckDB, table loaded from Parquet (query only)", lambda n: D[n]["parquet_table_query"]["ms"]),
    ("DuckDB load + query, CSV", lambda n: D[n]["csv_load_ms"] + D[n]["csv_table_query"]["ms"]),
    ("DuckDB load + query, Parquet", lambda n: D[n]["parquet_load_ms"] + D[n]["parquet_table_query"]["ms"]),
    ("PostgreSQL, table loaded with COPY (query only)", lambda n: float(rd(n, "pg_ms", "nan"))),
    ("PostgreSQL COPY + VACUUM ANALYZE (load only)", lambda n: float(rd(n, "pg_load_ms", "nan"))),
]
for label, f in eng:
    vals = [f(n) for n in sizes]
    print(f"| {label} | " + " | ".join(fmt(v) for v in vals) + " | "
          + " | ".join(f"{v / ours[n]['p50_ms']:,.0f}×" for v, n in zip(vals, sizes)) + f" | {growth(vals)} |")
print()
print("File sizes: " + "; ".join(f"{big(n)}: CSV {int(rd(n, 'csv_bytes', 0)) / 1e6:.0f} MB, Parquet "
      f"{int(rd(n, 'parquet_bytes', 0)) / 1e6:.0f} MB (written in {D[n]['write_parquet_ms'] / 1e3:.1f} s)" for n in sizes) + ".")
print()
print("## Same numbers everywhere")
print()
for n in sizes:
    o = ours_vals(n)
    print(f"At {big(n)} ({R[n]['quarter_first']}..{R[n]['quarter_last']}), numerator / denominator:")
    print()
    print("| engine | " + " | ".join(codes) + " |")
    print("|---|" + "---:|" * len(codes))
    print("| ours (rollups) | " + " | ".join(f"{o[2 * i]:,} / {o[2 * i + 1]:,}" for i in range(len(codes))) + " |")
    for k, v in engine_vals(n).items():
        same = v == o
        if not same:
            bad.append((n, k, v, o))
        print(f"| {k}{'' if same else ' ≠ DIFFERS'} | " + " | ".join(f"{v[2 * i]:,} / {v[2 * i + 1]:,}" for i in range(len(codes))) + " |")
    print()
print("The bench also checks the province's quarter measures from the rollups against the facts "
      "counted one by one in memory (`measures_from_facts`) and stops if they differ.")
print()
print("## Notes")
print()
print("- Whole months (quarter, year) read `ind_monthly` and `ind_stock_monthly`: a few thousand rows "
      "whatever the number of dossiers. A custom range with partial months reads `ind_daily` with "
      "`WHERE day BETWEEN … GROUP BY unit`, and that table's key starts with `unit`, so SQLite scans "
      "the whole daily rollup three times per period (partial first month, partial last month, "
      "its stocks), six for the scorecard with its year-before comparison: it grows "
      "with the rollup and misses the 10 ms target. An index on `ind_daily(day)` or one range "
      "query per unit would bound it.")
print("- ⚠ marks a p99 at or above 10 ms. The quarter and year p50s stay at 3-12 ms at every size "
      "(they read monthly rows); their p99 spikes come from other jobs sharing the 2 cores.")
print("- The rebuild spends most of its time outside the arithmetic: reading every existing daily "
      "row back (only to count the rows that differ), reading the facts through sqlx, and writing "
      "the rollups one upsert per row. Summing contributions in memory is a few per cent.")
print("- The fill uses `Store::insert_facts_bulk` (bench only): 500-row INSERTs with `?` marks. With "
      "`$n` marks SQLite looks each name up linearly, so binding 10,000 values costs 10^8 steps "
      "(88% of the time in `sqlite3_bind_parameter_name`, ~1,300 facts/s).")
print("- 10^7 is not in the default sizes: from the 10^6 run, fill + two rebuilds + the daily-range "
      "queries take well over an hour on this machine. Run it with `bench/indicators/run.sh 10000000`.")
if bad:
    for n, k, v, o in bad:
        print(f"MISMATCH at {n}: {k} {v} vs ours {o}", file=sys.stderr)
    sys.exit(1)
PY
mv "$out.new" "$out"
cat "$out"
