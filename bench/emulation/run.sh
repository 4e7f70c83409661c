#!/usr/bin/env bash
# Emulation benchmark: `cchc bench emulation` fills a fresh SQLite database per run (real units,
# N dossier facts with handlers, staff, ratings, records, tasks, reports, PAR results), times
# `App::compute_evaluation` for the movement's year, and writes the verdict inputs of every
# failing subject. The same inputs are then computed by plain SQL over the same data
# (bench/emulation/verdict_inputs.sql): the sqlite3 shell on the same file, DuckDB over CSV
# and Parquet exported from it, PostgreSQL over tables loaded with COPY. Every engine's rows
# must equal ours (fails loudly otherwise). Writes bench/results/emulation.md.
# Not part of CI. Needs: sqlite3 shell, python3 (pip installs duckdb if missing), PostgreSQL
# on 127.0.0.1 with a role cchc/cchc allowed to create databases (PG is skipped if absent).
# Usage: bench/emulation/run.sh [RUNS] [REPS]
#   RUNS: scope:size[:staff] items, default "province:100000 province:1000000 country:1000000"
#   REPS: measured evaluations per run (default 10, after one warm-up)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-"province:100000 province:1000000 country:1000000"}
reps=${2:-10}
out=bench/results/emulation.md
here=bench/emulation
tmp=$(mktemp -d -p "${TMPDIR:-/tmp}")
trap 'rm -rf "$tmp"' EXIT
# CCHC_BIN: a cchc binary to use instead of building one (the workspace may be mid-edit).
bin=${CCHC_BIN:-target/release/cchc}
[ -n "${CCHC_BIN:-}" ] || cargo build --release -q -p cchc
command -v sqlite3 >/dev/null || { echo "sqlite3 shell missing (apt-get install sqlite3)" >&2; exit 1; }
python3 -c 'import duckdb' 2>/dev/null || pip install -q duckdb
export PGPASSWORD=${PGPASSWORD:-cchc}
pg="psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U cchc"
have_pg=1
$pg -d postgres -c 'SELECT 1' >/dev/null 2>&1 || { echo "PostgreSQL not reachable as cchc@127.0.0.1: skipped" >&2; have_pg=0; }
median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

for spec in $runs; do
  IFS=: read -r scope n staff <<< "$spec"
  key="$scope-$n"
  db="$tmp/emu-$key.db"; dir="$tmp/out-$key"; mkdir -p "$dir"
  echo "== $scope, $n facts" >&2
  t0=$(date +%s)
  "$bin" --database-url "sqlite://$db" bench emulation --scope "$scope" --size "$n" \
    ${staff:+--staff "$staff"} --reps "$reps" --out "$dir" >&2
  echo "$(( $(date +%s) - t0 ))" > "$dir/wall_s"
  du -cb "$db"* | tail -1 | cut -f1 > "$dir/db_bytes"
  read -r year judged < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["year"], r["judged_on"])' "$dir/result.json")
  first="$year-01-01"; last="$year-12-31"
  grep -v '^\s*--' "$here/verdict_inputs.sql" | sed "s/:FIRST/$first/g; s/:LAST/$last/g; s/:JUDGED/$judged/g" > "$dir/q.sql"
  nruns=5; [ "$n" -ge 5000000 ] && nruns=3

  # Tables as CSV (only the columns the criteria read).
  t=$(date +%s.%N)
  sqlite3 -csv -header "$db" "SELECT code, unit, received_day, end_day, late_from, verdict FROM dossier_facts" > "$dir/facts.csv"
  sqlite3 -csv -header "$db" "SELECT code, account FROM dossier_handlers" > "$dir/handlers.csv"
  sqlite3 -csv -header "$db" "SELECT lead_unit, deadline, status, done_on FROM plan_tasks" > "$dir/tasks.csv"
  sqlite3 -csv -header "$db" "SELECT unit, due, submitted_on, complete FROM report_obligations" > "$dir/obligations.csv"
  sqlite3 -csv -header "$db" "SELECT id, role, unit_id FROM accounts" > "$dir/staff.csv"
  python3 -c "import sys,time; print((time.time() - float(sys.argv[1])) * 1000)" "$t" > "$dir/export_ms"
  du -cb "$dir"/*.csv | tail -1 | cut -f1 > "$dir/csv_bytes"

  # SQLite shell on the same file (unit_owner imported into it first).
  sqlite3 "$db" "CREATE TABLE unit_owner (member TEXT NOT NULL, participant TEXT NOT NULL)"
  sqlite3 "$db" ".import --csv --skip 1 $dir/unit_owner.csv unit_owner"
  sqlite3 -csv "$db" < "$dir/q.sql" > "$dir/sqlite_rows.out"
  for _ in $(seq $nruns); do
    printf '.timer on\n.output /dev/null\n%s\n' "$(cat "$dir/q.sql")" | sqlite3 "$db" 2>&1 | awk '/^Run Time/{print $4*1000}'
  done | median > "$dir/sqlite_ms"

  # DuckDB over CSV and Parquet.
  python3 "$here/duckdb_emulation.py" "$dir" "$here/verdict_inputs.sql" "$first" "$last" "$judged" "$nruns" > "$dir/duckdb.json"

  # PostgreSQL over tables loaded with COPY from the same CSV files.
  if [ "$have_pg" = 1 ]; then
    pgdb="cchc_bench_emu_$$"
    $pg -d postgres -c "DROP DATABASE IF EXISTS $pgdb" -c "CREATE DATABASE $pgdb"
    $pg -d "$pgdb" -c "CREATE TABLE dossier_facts (code text PRIMARY KEY, unit text NOT NULL,
        received_day date, end_day date, late_from date, verdict text);
      CREATE TABLE dossier_handlers (code text NOT NULL, account text NOT NULL, PRIMARY KEY (code, account));
      CREATE TABLE plan_tasks (lead_unit text NOT NULL, deadline date NOT NULL, status text NOT NULL, done_on date);
      CREATE TABLE report_obligations (unit text NOT NULL, due date NOT NULL, submitted_on date, complete int);
      CREATE TABLE accounts (id text PRIMARY KEY, role text NOT NULL, unit_id text);
      CREATE TABLE unit_owner (member text NOT NULL, participant text NOT NULL)"
    t=$(date +%s.%N)
    for pair in dossier_facts:facts dossier_handlers:handlers plan_tasks:tasks \
                report_obligations:obligations accounts:staff unit_owner:unit_owner; do
      $pg -d "$pgdb" -c "\\copy ${pair%%:*} FROM '$dir/${pair#*:}.csv' WITH (FORMAT csv, HEADER true)"
    done
    $pg -d "$pgdb" -c "VACUUM ANALYZE"
    python3 -c "import sys,time; print((time.time() - float(sys.argv[1])) * 1000)" "$t" > "$dir/pg_load_ms"
    $pg -d "$pgdb" -A -t -F ',' -f "$dir/q.sql" > "$dir/pg_rows.out"
    for _ in $(seq $nruns); do
      $pg -d "$pgdb" -o /dev/null -c '\timing on' -f "$dir/q.sql" | awk '/^Time:/{print $2}'
    done | median > "$dir/pg_ms"
    $pg -d "$pgdb" -A -t -c 'SHOW server_version' > "$tmp/pg_version"
    $pg -d postgres -c "DROP DATABASE $pgdb"
  fi
  rm -f "$db"* "$dir"/*.csv "$dir"/*.parquet
  : > "$dir/done"
done

sqlite3 --version | cut -d' ' -f1 > "$tmp/sqlite_version"
grep -A1 'name = "libsqlite3-sys"' Cargo.lock | awk -F'"' '/version/{print $2}' > "$tmp/libsqlite_version"
python3 "$here/report.py" "$tmp" "$reps" $runs > "$out.new"
mv "$out.new" "$out"
cat "$out"
