#!/usr/bin/env bash
# One-stop core benchmark: dossiers carried through their lifecycle via the app layer
# (receive → assign → decide → return, 4 hash-chained events each) and public lookup latency by
# code with STORED dossiers in the table, on SQLite and on PostgreSQL (when CCHC_BENCH_PG_URL is
# set, e.g. postgres://cchc:cchc@127.0.0.1/postgres; a fresh database is created).
# Writes bench/results/core.md. Usage: bench/core/run.sh [STORED (default 1000000)]
set -euo pipefail
cd "$(dirname "$0")/../.."
stored=${1:-1000000}
out=bench/results/core.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo build --release -q -p cchc
bin=target/release/cchc

run() { # url label
  "$bin" --database-url "$1" bench core --lifecycle 4000 --stored "$stored" --lookups 20000 --format json > "$tmp/$2.json"
}
run "sqlite://$tmp/bench.db" sqlite
db_size_sqlite=$(du -cb "$tmp"/bench.db* | tail -1 | cut -f1)
if [ -n "${CCHC_BENCH_PG_URL:-}" ]; then
  name="cchc_bench_$$"
  psql "$CCHC_BENCH_PG_URL" -qc "CREATE DATABASE $name"
  run "${CCHC_BENCH_PG_URL%/*}/$name" postgres
  db_size_pg=$(psql "$CCHC_BENCH_PG_URL" -Atc "SELECT pg_database_size('$name')")
  psql "$CCHC_BENCH_PG_URL" -qc "DROP DATABASE $name"
fi

{
  echo "# One-stop core benchmark"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(date -u +%Y-%m-%d). Command: \`bench/core/run.sh $stored\`."
  echo "Lifecycle = receive at the counter, assign, decide, return through \`cchc_app\` (authorization,"
  echo "state machine, calendar due date, SHA-256 chained event and projection in one transaction per"
  echo "step). Lookup = \`App::public_lookup(code, secret)\` (rebuilds the dossier from its events,"
  echo "checks the secret hash, computes the due date), one client, random codes among all stored."
  echo
  echo "| backend | lifecycle, 1 clerk (dossiers/s) | events/s | 8 clerks (dossiers/s) | events/s | store fill (dossiers/s) | stored | lookup p50 (µs) | lookup p99 (µs) | lookups/s (1 client) | DB size |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for b in sqlite postgres; do
    [ -f "$tmp/$b.json" ] || continue
    size=$([ "$b" = sqlite ] && echo "$db_size_sqlite" || echo "${db_size_pg:-0}")
    python3 - "$tmp/$b.json" "$size" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); size = int(sys.argv[2])
print(f"| {r['backend']} | {r['sequential_dossiers_per_sec']:.0f} | {r['sequential_events_per_sec']:.0f} | "
      f"{r['concurrent_dossiers_per_sec']:.0f} | {r['concurrent_events_per_sec']:.0f} | {r['fill_rows_per_sec']:.0f} | "
      f"{r['stored_dossiers']:,} | {r['lookup_p50_us']:.0f} | {r['lookup_p99_us']:.0f} | "
      f"{r['lookup_per_sec_single_client']:.0f} | {size/1e6:.0f} MB |")
PY
  done
} > "$out"
cat "$out"
