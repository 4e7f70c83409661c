"""Side-by-side baseline for `cchc calendar bench`: numpy's busday_offset, the usual tool for
working-day arithmetic in a spreadsheet-and-Python office, on the same holidays.

It only does what numpy can: whole days (no working hours, no 15:00 rule, no pauses), and it
cannot express make-up working Saturdays, so its answers differ around swaps. It is timed for
the same number of due dates: vectorised (its best case) and one call at a time (as an
application computes one dossier's due date per request).

Usage: python3 numpy_busday.py HOLIDAYS_JSON N
"""

import json
import sys
import time

import numpy as np


def main() -> None:
    holidays_file, n = sys.argv[1], int(sys.argv[2])
    with open(holidays_file, encoding="utf-8") as f:
        rows = json.load(f)
    holidays = sorted({r["date"] for r in rows if r["off"]})
    cal = np.busdaycalendar(weekmask="1111100", holidays=holidays)
    rng = np.random.default_rng(42)
    base = np.datetime64("2023-01-01")
    starts = base + rng.integers(0, 4 * 365 - 60, size=n).astype("timedelta64[D]")
    offsets = rng.integers(1, 31, size=n)

    t = time.perf_counter()
    out = np.busday_offset(starts, offsets, roll="forward", busdaycal=cal)
    vec_ns = (time.perf_counter() - t) * 1e9 / n

    m = min(n, 100_000)
    t = time.perf_counter()
    for i in range(m):
        np.busday_offset(starts[i], offsets[i], roll="forward", busdaycal=cal)
    loop_ns = (time.perf_counter() - t) * 1e9 / m
    assert out.shape == (n,)
    print(json.dumps({"calls": n, "ns_vectorised": vec_ns, "ns_per_call_loop": loop_ns,
                      "numpy": np.__version__, "holidays": len(holidays)}))


if __name__ == "__main__":
    main()
