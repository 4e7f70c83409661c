#!/usr/bin/env bash
# Sync benchmark: `cchc bench sync` on a fresh SQLite file and, when PostgreSQL answers as
# cchc/cchc on 127.0.0.1, on a fresh PostgreSQL database (created and dropped here).
#  1. ingest: lifecycles through the app layer (every event enqueues its outbox messages), and
#     Store::insert_dossier of the same received event with an empty vs a filled outbox;
#  2. delivery: backlogs of N portal messages to the stub portal on loopback by 1 and 2 workers
#     (App::sync_once loops), next to raw reqwest POSTs of the same payloads, same concurrency;
#  3. claim latency with many delivered rows in the outbox;
#  4. App::pakn_board and App::pakn_measures with many PAKN rows.
# Prints one JSON report per backend into $OUT_DIR (default bench/sync/out). The results page
# bench/results/sync.md is written by hand from them.
# Not part of CI. Usage: bench/sync/run.sh [extra `bench sync` flags, e.g. --backlog 10000]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${OUT_DIR:-bench/sync/out}
mkdir -p "$out"
tmp=$(mktemp -d -p "${TMPDIR:-/tmp}")
trap 'rm -rf "$tmp"' EXIT
# CCHC_BIN: a cchc binary to use instead of building one (the workspace may be mid-edit).
bin=${CCHC_BIN:-target/release/cchc}
[ -n "${CCHC_BIN:-}" ] || cargo build --release -q -p cchc
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(date -u +%Y-%m-%d)" | tee "$out/machine.txt"

echo "== SQLite" >&2
t0=$(date +%s)
"$bin" --database-url "sqlite://$tmp/sync.db" bench sync --format json "$@" > "$out/sqlite.json"
echo "sqlite wall $(( $(date +%s) - t0 )) s, db $(du -cb "$tmp"/sync.db* | tail -1 | cut -f1) bytes" | tee -a "$out/machine.txt"

export PGPASSWORD=${PGPASSWORD:-cchc}
pg="psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U cchc"
if $pg -d postgres -c 'SELECT 1' >/dev/null 2>&1; then
  echo "== PostgreSQL" >&2
  db="cchc_bench_sync_$$"
  $pg -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  t0=$(date +%s)
  "$bin" --database-url "postgres://cchc:cchc@127.0.0.1:5432/$db" bench sync --format json "$@" > "$out/postgres.json" || true
  echo "postgres wall $(( $(date +%s) - t0 )) s, db $($pg -d postgres -Atc "SELECT pg_database_size('$db')") bytes" | tee -a "$out/machine.txt"
  $pg -d postgres -c "DROP DATABASE $db"
else
  echo "PostgreSQL not reachable as cchc@127.0.0.1: skipped" >&2
fi
cat "$out"/*.json
