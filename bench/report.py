"""Writes bench/RESULTS.md from the JSON files `bench/run` left in its work directory.

Usage: report.py TMPDIR CMDLINE SIZES BACKENDS
"""
import json
import os
import platform
import subprocess
import sys

tmp, cmdline, sizes, backends = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4].split()


def load(b, n, name):
    p = os.path.join(tmp, f"{b}-{n}", name)
    if not os.path.exists(p):
        return None
    with open(p) as f:
        text = f.read().strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def num(x, digits=0):
    if x is None:
        return "–"
    if isinstance(x, str):
        return x
    if digits == 0:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def ratio(a, b):
    if not a or not b:
        return "–"
    r = a / b
    return f"{r:.2f}×" if r < 10 else f"{r:,.0f}×"


def growth(vals):
    vals = [v for v in vals if v]
    if len(vals) < 2:
        return "–"
    return " → ".join(f"×{b / a:.1f}" for a, b in zip(vals, vals[1:]))


def query(dash, name):
    for q in (dash or {}).get("queries", []):
        if q["query"] == name:
            return q
    return None


mem = int(open("/proc/meminfo").read().split()[1]) / 1048576
cpu = "unknown CPU"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip()
        break
date = subprocess.run(["date", "-u", "+%Y-%m-%d %H:%M UTC"], capture_output=True, text=True).stdout.strip()
big = lambda n: f"{int(n):,}"

print("# Scale benchmark")
print()
print(f"Machine: {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB memory, {platform.system()} "
      f"{platform.release()}; {date}.")
print(f"Command: `{cmdline.strip()}`. Backends: {', '.join(backends)}. "
      "SQLite is the embedded database (WAL, synchronous=NORMAL); PostgreSQL 15 with default settings "
      "on the same machine.")
print()
print("Data: `cchc bench generate --seed 7 --years 2024-2025` (real Kon Tum units and catalogue "
      "procedures, working-hour and seasonal rhythm, calibrated to the province's published 2023-Q3 "
      "figures). Ingest: 4-event lifecycles (receive, assign, decide, return) through `cchc_app`. "
      "HTTP: `cchc serve` on loopback, wrk with 1 thread, 32 connections for lookups of random stored "
      "dossiers and 8 for dossier creation. Dashboard: in process, after 3 warm-ups.")
print()

rows = []
def row(label, f, fmt=num):
    cells = []
    for n in sizes:
        for b in backends:
            try:
                cells.append(fmt(f(b, n)))
            except (KeyError, TypeError, ZeroDivisionError, ValueError):
                cells.append("–")
    rows.append((label, cells))

gen = lambda b, n: load(b, n, "generate.json") or {}
ing = lambda b, n: load(b, n, "ingest.json") or {}
look = lambda b, n: load(b, n, "lookup.json") or {}
cre = lambda b, n: load(b, n, "create.json") or {}
dash = lambda b, n: load(b, n, "dashboard.json") or {}
size = lambda b, n: load(b, n, "db_bytes")
rss = lambda b, n: load(b, n, "rss_kb")

row("generate: dossiers/s (whole pipeline: make, seal, insert, rollups)", lambda b, n: gen(b, n)["pipeline_dossiers_per_s"])
row("generate: inserted events/s (store bulk path)", lambda b, n: gen(b, n)["insert_events_per_s"])
row("generate: events per dossier", lambda b, n: gen(b, n)["events"] / gen(b, n)["dossiers"], lambda x: f"{x:.2f}")
row("ingest, 1 event per transaction: events/s", lambda b, n: ing(b, n)["per_tx_events_per_sec"])
row("ingest, 1 event per transaction, 4 clients: events/s", lambda b, n: ing(b, n)["per_tx_concurrent_events_per_sec"])
row("ingest, batched (2,000 items): events/s", lambda b, n: ing(b, n)["batched_events_per_sec"])
row("ingest, batched (2,000 items), 4 clients: events/s", lambda b, n: ing(b, n)["batched_concurrent_events_per_sec"])
row("physical limit, same rows: events/s", lambda b, n: ing(b, n)["limit_events_per_sec"])
row("– batched ÷ limit", lambda b, n: ing(b, n)["batched_of_limit"], lambda x: f"{x:.2f}")
row("– per transaction ÷ limit", lambda b, n: ing(b, n)["per_tx_of_limit"], lambda x: f"{x:.3f}")
row("HTTP lookup: requests/s (c=32)", lambda b, n: look(b, n)["rps"])
row("HTTP lookup: p50 / p99 ms", lambda b, n: f"{look(b, n)['p50_ms']:.2f} / {look(b, n)['p99_ms']:.2f}")
row("HTTP lookup: errors", lambda b, n: look(b, n)["errors"])
row("HTTP create: requests/s (c=8)", lambda b, n: cre(b, n)["rps"])
row("HTTP create: p50 / p99 ms", lambda b, n: f"{cre(b, n)['p50_ms']:.2f} / {cre(b, n)['p99_ms']:.2f}")
row("HTTP create: errors", lambda b, n: cre(b, n)["errors"])
row("server peak RSS, MB", lambda b, n: int(rss(b, n)) / 1024)
for label, name in [("scorecard, quarter", "scorecard (quarter)"), ("scorecard, year", "scorecard (year)"),
                    ("measures by unit, quarter", "measures_by_unit (quarter)"),
                    ("commune ranking, quarter", "commune ranking (quarter)")]:
    row(f"dashboard {label}: p50 / p99 ms",
        lambda b, n, name=name: f"{query(dash(b, n), name)['p50_ms']:.2f} / {query(dash(b, n), name)['p99_ms']:.2f}")
row("full rebuild of the rollups, s", lambda b, n: dash(b, n)["rebuild_s"], lambda x: f"{x:,.1f}")
row("database size, MB", lambda b, n: int(size(b, n)) / 1e6)
row("database size per million dossiers, GB", lambda b, n: int(size(b, n)) / int(n) * 1e6 / 1e9, lambda x: f"{x:.2f}")

head = " | ".join(f"{big(n)} {b}" for n in sizes for b in backends)
print("## The table")
print()
print(f"| measure | {head} |")
print("|---|" + "---:|" * (len(sizes) * len(backends)))
for label, cells in rows:
    print(f"| {label} | " + " | ".join(cells) + " |")
print()

# Baselines: the quarter's indicators by scanning one row per dossier.
print("## Indicators against DuckDB and PostgreSQL SQL")
print()
print("The same province-quarter numerators and denominators (2.1, 3.3, 3.6, 4.1, 5.4) computed by "
      "scanning the exported facts, one row per dossier; ours reads the rollups "
      "(`scorecard (quarter)`, SQLite). Ratio = baseline ÷ ours (p50).")
print()
print("| engine | " + " | ".join(f"ms at {big(n)}" for n in sizes) + " | " +
      " | ".join(f"÷ ours at {big(n)}" for n in sizes) + " | growth |")
print("|---|" + "---:|" * (2 * len(sizes) + 1))
ours = {n: (query(dash("sqlite", n), "scorecard (quarter)") or {}).get("p50_ms") for n in sizes}
def base_row(label, get):
    vals = []
    for n in sizes:
        try:
            vals.append(get(n))
        except (KeyError, TypeError, FileNotFoundError, ValueError):
            vals.append(None)
    print(f"| {label} | " + " | ".join(num(v, 1) for v in vals) + " | " +
          " | ".join(ratio(v, ours[n]) for v, n in zip(vals, sizes)) + f" | {growth(vals)} |")
duck = lambda n: json.load(open(os.path.join(tmp, f"duckdb-{n}.json")))
print(f"| ours: scorecard from the rollups (SQLite) | " + " | ".join(num(ours[n], 2) for n in sizes) + " | " +
      " | ".join("1×" for _ in sizes) + f" | {growth([ours[n] for n in sizes])} |")
base_row("DuckDB over the CSV (reads the file each query)", lambda n: duck(n)["csv_query"]["ms"])
base_row("DuckDB over Parquet", lambda n: duck(n)["parquet_query"]["ms"])
base_row("DuckDB, table loaded (query only)", lambda n: duck(n)["csv_table_query"]["ms"])
base_row("PostgreSQL SQL, table loaded with COPY (query only)",
         lambda n: float(open(os.path.join(tmp, f"pgsql-{n}.ms")).read().strip()))
print()

# Where the suite's time went.
steps = os.path.join(tmp, "steps.tsv")
if os.path.exists(steps):
    parts = [line.rstrip("\n").split("\t") for line in open(steps) if "\t" in line]
    total = sum(float(t) for _, t in parts)
    print("## Time of the suite")
    print()
    print(f"{total / 60:.1f} min in all, by step:")
    print()
    # Measuring time of each size (its generate, ingest, HTTP, dashboard and baseline steps).
    for n in sizes:
        spent = sum(float(t) for name, t in parts if name.split(":")[0].split()[-1] == n)
        print(f"- {big(n)} dossiers: {spent / 60:.1f} min")
    print()
    print("| step | s |")
    print("|---|---:|")
    for name, t in parts:
        print(f"| {name} | {float(t):,.1f} |")
    print()
