#!/usr/bin/env python3
"""Cross-check the vnlunar reference tables against PyEphem astronomy.

Independent of Ho Ngoc Duc's formulas: new moons come from
``ephem.next_new_moon`` and the Sun's apparent geocentric ecliptic longitude
of date from ``ephem.Sun`` + ``ephem.Ecliptic`` (PyEphem's built-in
VSOP87/ELP theories, nothing downloaded).  Rules, all on civil dates in UTC+7:

* a lunar month starts on the local date of its new moon;
* month 11 is the month containing the winter solstice (longitude 270 deg);
* a sui (month 11 to next month 11) with 13 months has one leap month: the
  first month after month 11 that contains no major solar term (zhongqi,
  longitude a multiple of 30 deg).  "Contains no major term" is tested as
  floor(lon/30) being equal at local midnight of the month's first day and of
  the next month's first day;
* the leap month repeats the number of the month before it.

Compares with lunar_festivals.csv (Tet and Gio To for lunar years 1900..2100)
and with every row of lunar_days.csv (1900-01-31..2199-12-31), and prints each
disagreement with both dates and the UTC+7 time of the deciding new moon.

Re-run (from the repository root, after gen_lunar_reference.py):
    /tmp/lunarref/bin/pip install ephem==4.2.1
    /tmp/lunarref/bin/python crates/domain/tests/data/crosscheck_ephem.py
Written 2026-11-22 with ephem 4.2.1, Python 3.11.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import math
from importlib.metadata import version
from pathlib import Path

import ephem

HERE = Path(__file__).resolve().parent
TZ = dt.timedelta(hours=7)


def local_midnight_utc(d: dt.date) -> ephem.Date:
    return ephem.Date(dt.datetime(d.year, d.month, d.day) - TZ)


def sun_lon_deg(when: ephem.Date) -> float:
    """Apparent geocentric ecliptic longitude of the Sun, equinox of date."""
    sun = ephem.Sun(when)
    eq = ephem.Equatorial(sun.g_ra, sun.g_dec, epoch=when)
    return math.degrees(float(ephem.Ecliptic(eq, epoch=when).lon)) % 360.0


def new_moons(start: str, end: str) -> list[tuple[dt.date, dt.datetime]]:
    """(local date, local datetime) of every new moon between start and end."""
    out = []
    d = ephem.Date(start)
    while d < ephem.Date(end):
        nm = ephem.next_new_moon(d)
        local = nm.datetime() + TZ
        out.append((local.date(), local))
        d = ephem.Date(nm + 1)
    return out


class EphemCalendar:
    def __init__(self, first_year: int, last_year: int):
        moons = new_moons(f"{first_year - 1}/10/1", f"{last_year + 1}/3/1")
        self.starts = [m[0] for m in moons]
        self.moon_time = {m[0]: m[1] for m in moons}
        self._sector: dict[dt.date, int] = {}
        # m11[y] = index of the month containing the winter solstice of year y.
        self.m11: dict[int, int] = {}
        for i in range(len(self.starts) - 1):
            a, b = self.lon(self.starts[i]), self.lon(self.starts[i + 1])
            if 180 <= a < 270 <= b < 360:
                self.m11[self.starts[i].year] = i
        # Label every month: (month, lunar_year, leap) keyed by start index.
        self.label: dict[int, tuple[int, int, int]] = {}
        self.leap_index: dict[int, int | None] = {}  # lunar year -> j (month a+j is leap)
        for y in range(first_year, last_year + 1):
            a, b = self.m11[y - 1], self.m11[y]
            assert b - a in (12, 13), (y, b - a)
            leap = None
            if b - a == 13:
                leap = next(j for j in range(1, 13) if self.no_zhongqi(a + j))
            self.leap_index[y] = leap
            month, year = 11, y - 1
            self.label[a] = (11, y - 1, 0)
            for j in range(1, b - a):
                if j == leap:
                    self.label[a + j] = (month, year, 1)
                    continue
                month += 1
                if month == 13:
                    month, year = 1, y
                self.label[a + j] = (month, year, 0)

    def lon(self, d: dt.date) -> float:
        return sun_lon_deg(local_midnight_utc(d))

    def sector(self, d: dt.date) -> int:
        if d not in self._sector:
            self._sector[d] = int(self.lon(d) // 30)
        return self._sector[d]

    def no_zhongqi(self, i: int) -> bool:
        return self.sector(self.starts[i]) == self.sector(self.starts[i + 1])

    def month_start(self, month: int, year: int, leap: int = 0) -> dt.date:
        for i, lab in self.label.items():
            if lab == (month, year, leap):
                return self.starts[i]
        raise KeyError((month, year, leap))

    def solar_to_lunar(self, d: dt.date) -> tuple[int, int, int, int]:
        i = bisect.bisect_right(self.starts, d) - 1
        m, y, leap = self.label[i]
        return (d - self.starts[i]).days + 1, m, y, leap


def main() -> None:
    print(f"ephem {version('ephem')}")
    cal = EphemCalendar(1900, 2200)

    def near_midnight(d: dt.date) -> str:
        """Local time of the new moons that start months around d."""
        i = bisect.bisect_right(cal.starts, d)
        return ", ".join(cal.moon_time[s].strftime("%Y-%m-%d %H:%M") for s in cal.starts[i - 2:i + 1])

    n_fest, fest_diffs = 0, []
    with open(HERE / "lunar_festivals.csv") as f:
        for row in csv.DictReader(f):
            y = int(row["lunar_year"])
            n_fest += 1
            for name, (dd, mm) in (("tet", (1, 1)), ("gio_to", (10, 3))):
                mine = (cal.month_start(mm, y) + dt.timedelta(days=dd - 1)).isoformat()
                if mine != row[name]:
                    fest_diffs.append((y, name, row[name], mine))

    n_days, day_diffs = 0, []
    with open(HERE / "lunar_days.csv") as f:
        for row in csv.DictReader(f):
            d = dt.date.fromisoformat(row["solar"])
            pkg = tuple(int(row[k]) for k in ("lunar_day", "lunar_month", "lunar_year", "leap"))
            n_days += 1
            mine = cal.solar_to_lunar(d)
            if mine != pkg:
                day_diffs.append((d, pkg, mine))

    print(f"festivals: {n_fest} lunar years compared, {len(fest_diffs)} disagreements")
    for y, name, pkg, mine in fest_diffs:
        print(f"  {y} {name}: vnlunar {pkg}  ephem {mine}  (new moons UTC+7: {near_midnight(dt.date.fromisoformat(mine))})")
    print(f"daily rows: {n_days} compared, {len(day_diffs)} disagreements")
    # Group disagreeing rows by lunar month (as vnlunar labels it) for a short summary.
    groups: dict[tuple, list[tuple]] = {}
    for d, pkg, mine in day_diffs:
        groups.setdefault(pkg[1:], []).append((d, pkg, mine))
    for rows in groups.values():
        (d0, pkg0, mine0), d1 = rows[0], rows[-1][0]
        print(f"  {d0}..{d1} ({len(rows)} rows), e.g. {d0}: vnlunar {pkg0} ephem {mine0}"
              f" (day/month/year/leap; new moons UTC+7: {near_midnight(d0)})")

if __name__ == "__main__":
    main()
