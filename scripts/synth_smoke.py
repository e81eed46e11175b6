"""CI smoke check after ``opcert synth``: 50 sample holders found by the public query service.

    OPCERT_DATA_DIR=DIR .venv/bin/python scripts/synth_smoke.py DIR/sample.csv

Exit 1 when a holder is not found; no timing assertion.
"""

from __future__ import annotations

import csv
import sys
import time

from opcert.bootstrap import build
from opcert.services.verification.query import public_query


def main(path: str) -> int:
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1000, f"sample has {len(rows)} rows, not 1000"
    platform = build()
    begin = time.perf_counter()
    for row in rows[:: len(rows) // 50][:50]:
        public_query(platform.ctx, row["id_number"], row["name"], asker=None)
    seconds = time.perf_counter() - begin
    print(f"synth smoke: 50 sample holders found in {seconds * 1000:.0f} ms")
    platform.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
