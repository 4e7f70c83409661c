"""Writes bench/results/emulation.md from the run directories of bench/emulation/run.sh.
Usage: report.py TMP REPS RUN... (RUN = scope:size[:staff]). Exits non-zero when an engine's
verdict inputs differ from ours."""
import csv, json, os, sys

tmp, reps, runs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
keys = [f"{r.split(':')[0]}-{r.split(':')[1]}" for r in runs]
keys = [k for k in keys if os.path.exists(os.path.join(tmp, f"out-{k}", "done"))]

def rd(k, name, default=None):
    p = os.path.join(tmp, f"out-{k}", name)
    return open(p).read().strip() if os.path.exists(p) else default

def ver(name):
    p = os.path.join(tmp, name)
    return open(p).read().strip() if os.path.exists(p) else "n/a"

R = {k: json.load(open(os.path.join(tmp, f"out-{k}", "result.json"))) for k in keys}
D = {k: json.load(open(os.path.join(tmp, f"out-{k}", "duckdb.json"))) for k in keys}

def norm(rows):
    return sorted((r[0], r[1], int(float(r[2])), int(float(r[3]))) for r in rows if r)

def file_rows(k, name):
    p = os.path.join(tmp, f"out-{k}", name)
    return norm(csv.reader(open(p))) if os.path.exists(p) else None

def ours(k):
    return norm([[f["criterion"], f["subject"], f["a"], f["b"]] for f in R[k]["failing"]])

big = lambda n: f"{int(n):,}"
def fmt(x):
    return "n/a" if x != x else f"{x:.2f}" if x < 10 else f"{x:.1f}" if x < 100 else f"{x:,.0f}"
def label(k):
    return f"{R[k]['scope']} {big(R[k]['size'])}"
def growth(vals):
    g = [b / a if a else float("nan") for a, b in zip(vals, vals[1:])]
    return " → ".join(f"×{x:.1f}" for x in g) if g else "–"

print("# Emulation benchmark: evaluating a movement's year")
print()
print(f"Machine: {os.cpu_count()} cores, "
      f"{int(open('/proc/meminfo').read().split()[1]) / 1048576:.0f} GiB, shared with other jobs "
      f"(builds and tests of other engineers ran alongside), so timings carry noise; date "
      f"{os.popen('date -u +%Y-%m-%d').read().strip()}. Command: `bench/emulation/run.sh \"{' '.join(runs)}\" {reps}`.")
print(f"Versions: SQLite bundled in cchc by libsqlite3-sys {ver('libsqlite_version')}, sqlite3 shell "
      f"{ver('sqlite_version')}, DuckDB {D[keys[0]]['duckdb_version']} ({D[keys[0]]['threads']} threads), "
      f"PostgreSQL {ver('pg_version')} (default settings).")
print()
print("Target (issue): a province-year (10^6 dossiers, ~150 units, ~5,000 staff) under 1 s; a "
      "country-year (10^7 dossiers, ~3,500 units) under 10 s.")
print()
print("## Data")
print()
print("| run | " + " | ".join(label(k) for k in keys) + " |")
print("|---|" + "---:|" * len(keys))
rows = [
    ("year evaluated (judged on)", lambda r: f"{r['year']} ({r['judged_on']})"),
    ("dossiers received", lambda r: f"{r['received_from']}..{r['received_to']}"),
    ("participants (units evaluated)", lambda r: f"{r['participants']:,} (" + ", ".join(f"{v:,} {k}" for k, v in r['participants_by_kind'].items()) + ")"),
    ("units carrying dossiers (with the ones replaced in 2025)", lambda r: f"{r['dossier_units']:,}"),
    ("staff (evaluated as individuals)", lambda r: f"{r['staff']:,}"),
    ("dossier facts", lambda r: f"{r['size']:,}"),
    ("– finished late in the year", lambda r: f"{r['facts_late_finished_in_year']:,} ({r['facts_late_finished_in_year'] / r['size'] * 100:.1f}%)"),
    ("– late and open at the judging day (backlog)", lambda r: f"{r['facts_backlog_at_judging']:,}"),
    ("– rows read by `late_candidates`", lambda r: f"{r['late_candidates']:,}"),
    ("dossier_handlers rows", lambda r: f"{r['handler_rows']:,}"),
    ("tasks / report obligations", lambda r: f"{r['tasks']:,} / {r['obligations']:,}"),
    ("initiatives / disciplines / PAR cards", lambda r: f"{r['initiatives']:,} / {r['disciplines']:,} / {r['par_cards']:,}"),
    ("database size, MB", None),
]
for name, f in rows:
    if f is None:
        print(f"| {name} | " + " | ".join(f"{int(rd(k, 'db_bytes', 0)) / 1e6:,.0f}" for k in keys) + " |")
    else:
        print(f"| {name} | " + " | ".join(f(R[k]) for k in keys) + " |")
print()
print("## compute_evaluation")
print()
print(f"In process, {reps} runs after one warm-up. Reads: each of the evaluation's reads timed once "
      "on its own after the runs.")
print()
print("| | " + " | ".join(label(k) for k in keys) + " | growth |")
print("|---|" + "---:|" * (len(keys) + 1))
ev = lambda k, f: R[k]["evaluation"][f]
for f in ("p50_ms", "p99_ms", "min_ms"):
    vals = [ev(k, f) for k in keys]
    print(f"| **{f.replace('_ms', '')}, ms** | " + " | ".join(fmt(v) for v in vals) + f" | {growth(vals)} |")
names = sorted({n for k in keys for n in R[k]["reads_ms"]})
for n in names:
    vals = [R[k]["reads_ms"].get(n, float("nan")) for k in keys]
    print(f"| – {n}, ms | " + " | ".join(fmt(v) for v in vals) + f" | {growth(vals)} |")
for who in ("units", "people"):
    print(f"| {who}: met / not met / no data | " + " | ".join(
        f"{R[k][who]['met']:,} / {R[k][who]['not_met']:,} / {R[k][who]['no_data']:,}" for k in keys) + " | |")
print()
print("## Fill (not timed against anything; what it costs to get here)")
print()
print("| | " + " | ".join(label(k) for k in keys) + " |")
print("|---|" + "---:|" * len(keys))
for name, f in [("import units, s", "import_units_s"), ("facts (bulk INSERT of dossiers + facts), s", "fill_facts_s"),
                ("handlers + handler_yearly, s", "fill_handlers_s"), ("staff, ratings, records, plans, PAR, s", "fill_rest_s"),
                ("rollups rebuilt from the facts, s", "rebuild_rollups_s")]:
    print(f"| {name} | " + " | ".join(fmt(R[k][f]) for k in keys) + " |")
print("| whole `cchc bench emulation` run, s | " + " | ".join(rd(k, "wall_s", "n/a") for k in keys) + " |")
print()
print("## Baselines: the same verdict inputs in plain SQL")
print()
print("`bench/emulation/verdict_inputs.sql`: per participant, late dossiers finished in the year and "
      "the backlog at the judging day over the units it answers for, tasks done late or overdue, "
      "reports late, incomplete or missing; per member of staff, late dossiers handled. It joins "
      "`unit_owner` (participant ↔ the units it answers for in the year, written by the bench from "
      "the unit tree) — the one thing a SQL user gets from our unit history. The baselines compute "
      "only these inputs: not the ratings, PAR, initiative and discipline criteria, nor any "
      "verdict text; ours computes every criterion for every subject. Ratio = baseline ÷ our p50. "
      "Baselines: median of 5 runs.")
print()
print("| engine | " + " | ".join(f"ms, {label(k)}" for k in keys) + " | " + " | ".join(f"÷ ours, {label(k)}" for k in keys) + " | growth |")
print("|---|" + "---:|" * (2 * len(keys) + 1))
eng = [
    ("SQLite, sqlite3 shell on the same file", lambda k: float(rd(k, "sqlite_ms", "nan") or "nan")),
    ("DuckDB over CSV (reads the files each query)", lambda k: D[k]["csv_query"]["ms"]),
    ("DuckDB over Parquet (reads the files each query)", lambda k: D[k]["parquet_query"]["ms"]),
    ("DuckDB, tables loaded from CSV (query only)", lambda k: D[k]["csv_table_query"]["ms"]),
    ("DuckDB, tables loaded from Parquet (query only)", lambda k: D[k]["parquet_table_query"]["ms"]),
    ("PostgreSQL, tables loaded with COPY (query only)", lambda k: float(rd(k, "pg_ms", "nan") or "nan")),
    ("– export to CSV from SQLite (sqlite3 shell)", lambda k: float(rd(k, "export_ms", "nan"))),
    ("– DuckDB load from CSV", lambda k: D[k]["csv_load_ms"]),
    ("– PostgreSQL COPY + VACUUM ANALYZE", lambda k: float(rd(k, "pg_load_ms", "nan") or "nan")),
]
for name, f in eng:
    vals = [f(k) for k in keys]
    ratio = [v / R[k]["evaluation"]["p50_ms"] for v, k in zip(vals, keys)]
    print(f"| {name} | " + " | ".join(fmt(v) for v in vals) + " | "
          + " | ".join("n/a" if r != r else f"{r:.2f}×" for r in ratio) + f" | {growth(vals)} |")
print()
print("## Same verdict inputs everywhere")
print()
bad = []
print("| run | failing rows (ours) | TT3 units / CN4 staff / TT1 / TT4 | " + " | ".join(["sqlite3", "DuckDB CSV", "DuckDB Parquet", "DuckDB tables", "PostgreSQL"]) + " |")
print("|---|---:|---|---|---|---|---|---|")
for k in keys:
    o = ours(k)
    per = {c: sum(1 for r in o if r[0] == c) for c in ("TT3", "CN4", "TT1", "TT4")}
    got = [file_rows(k, "sqlite_rows.out"), norm(D[k]["csv_query"]["rows"]), norm(D[k]["parquet_query"]["rows"]),
           norm(D[k]["csv_table_query"]["rows"]), file_rows(k, "pg_rows.out")]
    cells = []
    for name, g in zip(["sqlite3", "DuckDB CSV", "DuckDB Parquet", "DuckDB tables", "PostgreSQL"], got):
        if g is None:
            cells.append("not run")
        elif g == o:
            cells.append("same")
        else:
            cells.append(f"**DIFFERS** ({len(g)} rows)")
            bad.append((k, name, len(g), len(o)))
    print(f"| {label(k)} | {len(o):,} | {per['TT3']:,} / {per['CN4']:,} / {per['TT1']:,} / {per['TT4']:,} | " + " | ".join(cells) + " |")
print()
print("Ours: the counts are read back from each failing criterion's explanation in the evaluation's "
      "result (`N hồ sơ: F trễ hạn, B tồn đọng`, `… F không đạt`), so the comparison checks what "
      "`compute_evaluation` returns, not a re-implementation.")
NOTES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "notes.md")
if os.path.exists(NOTES):
    print()
    print(open(NOTES).read().rstrip())
if bad:
    for b in bad:
        print(f"MISMATCH {b}", file=sys.stderr)
    sys.exit(1)
