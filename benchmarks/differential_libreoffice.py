"""Every workbook of the shared corpus, the official workbook and generated budgets, recalculated by
`vng-xl recalc` and by LibreOffice with the VNG add-in (one LibreOffice for the whole run).

CI runs tests/test_libreoffice_differential.py on all but the slowest files; this takes every file
(a few minutes). Prints per file the formula cells, the differences by cause, and any difference no
cause in tests/libreoffice_differential.EXPECTED_DIFFERENCES covers; exit code 1 when there is one,
or when a cause is no longer needed.

    python benchmarks/differential_libreoffice.py
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests import libreoffice_differential as diff  # noqa: E402


def main() -> int:
    start = time.perf_counter()
    results = diff.run(diff.corpus_files())
    for name, result in results.items():
        if result.refused:
            print(f"{name}: refused by our engine ({result.refused})")
            continue
        causes = Counter(
            (c.departs if (c := diff.cause_of(name, ref)) else "UNEXPLAINED") for ref in result.differences or {}
        )
        detail = ", ".join(f"{n} ({who})" for who, n in sorted(causes.items()))
        print(f"{name}: {result.cells} formula cells, {result.not_computed} not computed by ours; {detail or 'agree'}")
    unexplained, unused = diff.unexplained(results), diff.unused(results)
    for name, cells in unexplained.items():
        print(f"UNEXPLAINED in {name}: {dict(list(cells.items())[:10])}")
    for why, name in unused:
        print(f"NOT NEEDED: {name}: {why}...")
    total = sum(r.cells for r in results.values())
    print(f"{len(results)} workbooks, {total} formula cells, {time.perf_counter() - start:.0f} s")
    return 1 if unexplained or unused else 0


if __name__ == "__main__":
    sys.exit(main())
