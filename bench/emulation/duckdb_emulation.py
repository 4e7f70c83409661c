"""The emulation verdict inputs by DuckDB over CSV files, Parquet files, and tables loaded
from each. Usage: duckdb_emulation.py DIR SQL FIRST LAST JUDGED RUNS > out.json
DIR holds one CSV per table (facts, handlers, tasks, obligations, staff, unit_owner); the
Parquet files are written beside them. Prints JSON: times (median ms) and the rows."""
import json, os, statistics, sys, time

import duckdb

d, sql_path, first, last, judged, runs = sys.argv[1:7]
runs = int(runs)
sql = "\n".join(l for l in open(sql_path) if not l.lstrip().startswith("--"))
sql = sql.replace(":FIRST", first).replace(":LAST", last).replace(":JUDGED", judged)
tables = {
    "dossier_facts": "facts", "dossier_handlers": "handlers", "plan_tasks": "tasks",
    "report_obligations": "obligations", "accounts": "staff", "unit_owner": "unit_owner",
}
con = duckdb.connect()
threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
out = {"duckdb_version": duckdb.__version__, "threads": threads}

def csv(f):
    return f"read_csv('{os.path.join(d, f + '.csv')}', header = true, all_varchar = false)"

t = time.time()
for name, f in tables.items():
    con.execute(f"COPY (SELECT * FROM {csv(f)}) TO '{os.path.join(d, f + '.parquet')}' (FORMAT parquet)")
out["write_parquet_ms"] = (time.time() - t) * 1e3

def timed(setup):
    for name, src in setup.items():
        con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {src}")
    rows = con.execute(sql).fetchall()
    ms = []
    for _ in range(runs):
        t = time.time()
        con.execute(sql).fetchall()
        ms.append((time.time() - t) * 1e3)
    return {"ms": statistics.median(ms), "rows": [[str(x) for x in r] for r in rows]}

out["csv_query"] = timed({n: csv(f) for n, f in tables.items()})
out["parquet_query"] = timed({n: f"read_parquet('{os.path.join(d, f + '.parquet')}')" for n, f in tables.items()})
for kind, src in (("csv", csv), ("parquet", lambda f: f"read_parquet('{os.path.join(d, f + '.parquet')}')")):
    t = time.time()
    for n, f in tables.items():
        con.execute(f"DROP VIEW IF EXISTS {n}")
        con.execute(f"DROP TABLE IF EXISTS {n}")
        con.execute(f"CREATE TABLE {n} AS SELECT * FROM {src(f)}")
    out[f"{kind}_load_ms"] = (time.time() - t) * 1e3
    rows = con.execute(sql).fetchall()
    ms = []
    for _ in range(runs):
        t = time.time()
        con.execute(sql).fetchall()
        ms.append((time.time() - t) * 1e3)
    out[f"{kind}_table_query"] = {"ms": statistics.median(ms), "rows": [[str(x) for x in r] for r in rows]}
    for n in tables:
        con.execute(f"DROP TABLE {n}")
json.dump(out, sys.stdout)
