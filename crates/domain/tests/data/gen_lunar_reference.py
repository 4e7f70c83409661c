#!/usr/bin/env python3
"""Generate the Vietnamese lunar calendar reference tables used by cchc's tests.

Reference implementation
------------------------
PyPI package ``vnlunar`` version 1.0.5 (MIT License, author "Min"
<hieumin9802@gmail.com>, source https://github.com/Min9802/vnlunar), a port of
Ho Ngoc Duc's astronomical algorithm ("amlich", calrules).  It is used ONLY in
its astronomical mode, with ``time_zone=7.0`` passed explicitly, i.e. Ho Ngoc
Duc's algorithm at UTC+7 for every year.

Do NOT drop the explicit ``time_zone``: without it vnlunar looks dates up in
Ho Ngoc Duc's precomputed TK19..TK22 tables, which follow the historically
promulgated calendar (UTC+8 before 1968) and so differ from the UTC+7
algorithm on some pre-1968 dates (e.g. Tet 1903, 1925, 1935, 1965).

Every day from 1900-01-31 to 2100-12-31 is additionally converted with a
second, independently written port, PyPI ``lunar-vn`` 1.4.0 (MIT, Thong Bui,
https://github.com/junkeythong/amlichvietnam), and the script aborts on any
disagreement.  lunar-vn only accepts solar years 1900..2100, which is why
vnlunar (no range limit in astronomical mode) is the primary source.

Outputs (written next to this script)
-------------------------------------
lunar_festivals.csv  lunar_year,tet,gio_to
    for every lunar year 1900..=2100: solar date of lunar 1/1 (Tet) and of
    lunar 10/3 (non-leap month 3).
lunar_days.csv       solar,lunar_day,lunar_month,lunar_year,leap
    solar -> lunar conversions (leap = 1 for a leap month), sorted, unique:
    every 11th day from 1900-01-31 (= Tet 1900) to 2199-12-31, plus every day
    of every leap month whose days fall in 1900-01-31..2199-12-31, plus every
    day of the solar years 2023..2027.
The full covered range is 1900-01-31..2199-12-31 (lunar 1/1/1900 onwards).

Re-run (from the repository root)
---------------------------------
    python3 -m venv /tmp/lunarref
    /tmp/lunarref/bin/pip install vnlunar==1.0.5 lunar-vn==1.4.0
    /tmp/lunarref/bin/python crates/domain/tests/data/gen_lunar_reference.py

Generated 2026-11-22 with Python 3.11.  The script refuses to run with other
package versions (set LUNARREF_ANY_VERSION=1 to override) so that the
committed CSVs stay reproducible.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import sys
import warnings
from importlib.metadata import version
from pathlib import Path

import lunar_vn.core as lvn
import vnlunar.core as vnl

TZ = 7.0
EXPECTED = {"vnlunar": "1.0.5", "lunar-vn": "1.4.0"}
FIRST = dt.date(1900, 1, 31)
LAST = dt.date(2199, 12, 31)
LVN_LAST = dt.date(2100, 12, 31)  # lunar-vn refuses solar years > 2100
OUT = Path(__file__).resolve().parent

SANITY = [  # (day, month, lunar_year) -> expected solar date
    ((1, 1, 1985), "1985-01-21"),
    ((1, 1, 2007), "2007-02-17"),
    ((1, 1, 2030), "2030-02-02"),
    ((1, 1, 2025), "2025-01-29"),
    ((1, 1, 2026), "2026-02-17"),
    ((10, 3, 2026), "2026-04-26"),
    ((10, 3, 2025), "2025-04-07"),
]


def lunar_to_solar(day: int, month: int, year: int) -> dt.date:
    """Solar date of a non-leap lunar date (vnlunar, astronomical, UTC+7)."""
    r = vnl.convert_lunar_to_solar(day, month, year, 0, time_zone=TZ)
    if r is None:
        raise ValueError(f"lunar {day}/{month}/{year} does not exist")
    d, m, y = r
    return dt.date(y, m, d)


def solar_to_lunar(d: dt.date) -> tuple[int, int, int, int]:
    """(lunar_day, lunar_month, lunar_year, leap) via vnlunar, UTC+7."""
    r = vnl.convert_solar_to_lunar(d.day, d.month, d.year, TZ)
    return int(r["day"]), int(r["month"]), int(r["year"]), int(r["leap"])


def check_versions() -> None:
    for pkg, want in EXPECTED.items():
        have = version(pkg)
        if have != want and not os.environ.get("LUNARREF_ANY_VERSION"):
            sys.exit(f"{pkg} {have} installed, expected {want} (set LUNARREF_ANY_VERSION=1 to override)")


def main() -> None:
    warnings.simplefilter("error")  # lunar-vn warns if its leap search misbehaves
    check_versions()

    for (ld, lm, ly), want in SANITY:
        got = lunar_to_solar(ld, lm, ly).isoformat()
        other = lvn.convert_lunar_to_solar(ld, lm, ly, 0, TZ).isoformat()
        assert got == want == other, f"sanity {ld}/{lm}/{ly}: vnlunar {got}, lunar-vn {other}, expected {want}"

    # Festivals, lunar years 1900..=2100.
    fest = []
    for ly in range(1900, 2101):
        tet, gio_to = lunar_to_solar(1, 1, ly), lunar_to_solar(10, 3, ly)
        assert lvn.convert_lunar_to_solar(1, 1, ly, 0, TZ) == tet, ly
        assert lvn.convert_lunar_to_solar(10, 3, ly, 0, TZ) == gio_to, ly
        assert solar_to_lunar(tet) == (1, 1, ly, 0), ly
        assert solar_to_lunar(gio_to) == (10, 3, ly, 0), ly
        fest.append((ly, tet.isoformat(), gio_to.isoformat()))

    # Convert every day once; cross-check lunar-vn on its range.
    every: dict[dt.date, tuple[int, int, int, int]] = {}
    d = FIRST
    prev = None
    while d <= LAST:
        lun = solar_to_lunar(d)
        if d <= LVN_LAST:
            o = lvn.convert_solar_to_lunar(d.day, d.month, d.year, TZ)
            assert lun == (o.day, o.month, o.year, int(o.leap)), (d, lun, o)
        # Internal consistency: day increments by one or restarts at 1.
        if prev is not None:
            assert lun[0] == prev[0] + 1 or (lun[0] == 1 and prev[0] in (29, 30)), (d, prev, lun)
        every[d] = lun
        prev = lun
        d += dt.timedelta(days=1)

    keep: set[dt.date] = set()
    d = FIRST
    while d <= LAST:  # every 11th day
        keep.add(d)
        d += dt.timedelta(days=11)
    keep.update(day for day, lun in every.items() if lun[3] == 1)  # all leap-month days
    d = dt.date(2023, 1, 1)
    while d <= dt.date(2027, 12, 31):
        keep.add(d)
        d += dt.timedelta(days=1)

    with open(OUT / "lunar_festivals.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["lunar_year", "tet", "gio_to"])
        w.writerows(fest)
    with open(OUT / "lunar_days.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["solar", "lunar_day", "lunar_month", "lunar_year", "leap"])
        for day in sorted(keep):
            w.writerow([day.isoformat(), *every[day]])

    leap_months = sorted({(lun[2], lun[1]) for lun in every.values() if lun[3]})
    print(f"lunar_festivals.csv: {len(fest)} rows; lunar_days.csv: {len(keep)} rows")
    print(f"{len(leap_months)} leap months (lunar year, month) in range: {leap_months}")
    print(f"lunar-vn agreed on every day {FIRST}..{LVN_LAST}")


if __name__ == "__main__":
    main()
