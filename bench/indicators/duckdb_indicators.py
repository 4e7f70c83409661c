"""DuckDB baseline of `cchc bench indicators`: the province's quarter indicators from the same
facts, over CSV and over Parquet (written from the CSV with COPY ... TO), each queried straight
from the file (every query reads it) and after loading it into a DuckDB table.
Usage: duckdb_indicators.py FACTS_CSV PARQUET_OUT SQL_FILE FIRST LAST REPS > timings.json
Prints JSON: {name: {"ms": median, "runs": [...], "values": [n21, d21, ...]}, ...}."""
import json, statistics, sys, time
import duckdb

csv_path, parquet_path, sql_file, first, last, reps = sys.argv[1:7]
reps = int(reps)
sql = "\n".join(l for l in open(sql_file) if not l.lstrip().startswith("--"))
sql = sql.replace(":FIRST", first).replace(":LAST", last)
types = {"received_day": "DATE", "end_day": "DATE", "late_from": "DATE", "end_kind": "VARCHAR",
         "verdict": "VARCHAR", "rating": "INTEGER", "code": "VARCHAR", "unit": "VARCHAR",
         "procedure_code": "VARCHAR"}
read_csv = f"read_csv('{csv_path}', header = true, types = {types!r})"
con = duckdb.connect()
out = {"duckdb_version": duckdb.__version__, "threads": con.execute("SELECT current_setting('threads')").fetchone()[0]}

def timed(name, source=None, runs=reps):
    if source is not None:
        con.execute(f"CREATE OR REPLACE VIEW dossier_facts AS SELECT * FROM {source}")
    times, values = [], None
    for _ in range(runs):
        t = time.perf_counter()
        values = [int(v) for v in con.execute(sql).fetchone()]
        times.append((time.perf_counter() - t) * 1e3)
    out[name] = {"ms": statistics.median(times), "runs": times, "values": values}

t = time.perf_counter()
con.execute(f"COPY (SELECT * FROM {read_csv}) TO '{parquet_path}' (FORMAT parquet)")
out["write_parquet_ms"] = (time.perf_counter() - t) * 1e3
timed("csv_query", read_csv)
timed("parquet_query", f"read_parquet('{parquet_path}')")
for kind, source in (("csv", read_csv), ("parquet", f"read_parquet('{parquet_path}')")):
    con.execute("DROP VIEW IF EXISTS dossier_facts")
    con.execute("DROP TABLE IF EXISTS dossier_facts")
    t = time.perf_counter()
    con.execute(f"CREATE TABLE dossier_facts AS SELECT * FROM {source}")
    load = (time.perf_counter() - t) * 1e3
    timed(f"{kind}_table_query")
    out[f"{kind}_load_ms"] = load
    con.execute("DROP TABLE dossier_facts")
json.dump(out, sys.stdout)
