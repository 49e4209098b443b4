"""VNG_RAMING over 100,000 cost lines × 4 years, side by side:

1. one spilled call, the way Excel calls the UDF: COM values through xlwings' own converters
   (range -> numpy array), the function, and back (numpy -> list of rows for COM);
2. the same, one call per cell (=VNG_RAMING(B5;C5;D$4) filled down and right), the way a
   cell-by-cell add-in works: measured on 10,000 lines and reported per 100,000;
3. the same formula through the headless evaluator of `vng-xl eval` (the `formulas` package
   with the VNG functions registered), with the cost lines as array constants.

Run: python benchmarks/bench_raming.py [--lines N]. Numbers go into the README.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.xlwings_stubs import MISSING, WINDOWS_MODULES, call_like_excel  # noqa: E402

for _name in WINDOWS_MODULES:
    sys.modules.setdefault(_name, mock.MagicMock(name=_name))

import xlwings.udfs as xlwings_udfs  # noqa: E402

from vng_xl.excel.udfs import make_udf  # noqa: E402
from vng_xl.functions import FUNCTIONS  # noqa: E402

YEARS = (2026, 2027, 2028, 2029)


def timed(fn, repeat: int = 3) -> float:
    """Best of `repeat` wall-clock runs, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--cell-lines", type=int, default=10_000)
    args = parser.parse_args()

    rng = np.random.default_rng(2026)
    amounts = rng.uniform(-1e7, 4e7, args.lines).round()
    types = rng.choice(["A", "B"], args.lines)
    com_amounts = tuple((float(a),) for a in amounts)  # a range as COM hands it over
    com_types = tuple((t,) for t in types)
    com_years = (tuple(float(y) for y in YEARS),)
    udf = make_udf(FUNCTIONS["VNG_RAMING"], func=xlwings_udfs.xlfunc, arg=xlwings_udfs.xlarg)

    results = []

    def spilled():
        out = call_like_excel(udf, com_amounts, com_types, com_years, MISSING, MISSING)
        assert len(out) == args.lines and len(out[0]) == len(YEARS)

    seconds = timed(spilled)
    results.append(("one spilled call through xlwings' converters", seconds, args.lines * len(YEARS)))

    block_amounts = np.array(com_amounts, dtype=object)
    block_types = np.array(com_types, dtype=object)
    block_years = np.array(com_years, dtype=object)

    def function_only():
        FUNCTIONS["VNG_RAMING"].impl(block_amounts, block_types, block_years)

    results.append(
        ("the function alone, inputs already numpy (no COM conversion)", timed(function_only), args.lines * 4)
    )

    n = args.cell_lines

    def per_cell():
        for a, t in zip(com_amounts[:n], com_types[:n]):
            for y in YEARS:
                call_like_excel(udf, a[0], t[0], float(y), MISSING, MISSING)

    seconds = timed(per_cell, repeat=1) * args.lines / n
    results.append((f"one call per cell (measured on {n:,} lines, scaled)", seconds, args.lines * len(YEARS)))

    try:
        from vng_xl.recalc.engine import evaluate
    except ImportError:
        evaluate = None
    if evaluate is not None:
        column_amounts = ";".join(repr(float(a)) for a in amounts)
        column_types = ";".join(f'"{t}"' for t in types)
        row_years = ",".join(str(y) for y in YEARS)
        formula = f"=VNG_RAMING({{{column_amounts}}},{{{column_types}}},{{{row_years}}})"

        def through_eval():
            out = np.asarray(evaluate(formula).block)
            assert out.shape == (args.lines, len(YEARS))

        results.append(("`vng-xl eval` evaluator (formulas), array constants", timed(through_eval), args.lines * 4))

    print(f"VNG_RAMING, {args.lines:,} cost lines × {len(YEARS)} years")
    print(f"Python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, {platform.system()}")
    print()
    print("| way | seconds | cells per second |")
    print("|---|---:|---:|")
    for name, seconds, cells in results:
        print(f"| {name} | {seconds:.3f} | {cells / seconds:,.0f} |")


if __name__ == "__main__":
    main()
