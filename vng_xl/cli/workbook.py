"""`vng-xl build` and `vng-xl refresh`: the official workbook from source, and its refresh without Excel."""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

from vng_xl.ooxml.package import PackageError
from vng_xl.workbook.controle import AFWIJKING, BINNEN, NIET_BEREKEND
from vng_xl.workbook.layout import DEFAULT_LAYOUT, WORKBOOKS, read_layout

DEFAULT_OUTPUT = WORKBOOKS / read_layout(DEFAULT_LAYOUT).bestand if DEFAULT_LAYOUT.exists() else None


def cmd_build(args: argparse.Namespace) -> int:
    from vng_xl.workbook.build import build

    path = Path(args.path) if args.path else DEFAULT_OUTPUT
    if path is None:
        print("vng-xl build: give a PATH (no workbooks/ folder here)", file=sys.stderr)
        return 2
    ctx = build(path, Path(args.layout) if args.layout else None)
    controle = ctx.sheets["controle"]
    verdicts = Counter(c.value for (_, col), c in controle.cells.items() if col == 7 and c.formula)
    n, off, within = sum(verdicts.values()), verdicts[AFWIJKING], verdicts[BINNEN]
    missing = (
        f", {verdicts[NIET_BEREKEND]} not computed (no number of inhabitants yet)" if verdicts[NIET_BEREKEND] else ""
    )
    print(f"Built {os.path.realpath(path)}")
    print(
        f"  {n} figures checked against the Kadernota: {within} within rounding, {off} discrepancies{missing} "
        "(sheet Controle)."
    )
    print(
        "  Open it in Excel with Python, xlwings and vng_xl installed (see docs/workbook.md); "
        "LibreOffice and other readers show the stored figures."
    )
    return 0


def _set_updates(src: Path, data: bytes, items: list[str]) -> dict[str, dict[str, object]]:
    """The --set values, read and checked against the workbook's input cells (BadSet if one is wrong)."""
    from vng_xl.workbook.headless import HeadlessTarget
    from vng_xl.workbook.inputs import set_updates

    target = HeadlessTarget(src, data=data)
    try:
        return set_updates(items, target)
    finally:
        target.close()


def cmd_refresh(args: argparse.Namespace) -> int:
    from vng_xl.ooxml.package import Package, cell_replacements
    from vng_xl.ooxml.writer import same_file, writing
    from vng_xl.workbook.headless import HeadlessTarget
    from vng_xl.workbook.refresh import refresh

    src = Path(args.path)
    dst = Path(args.output) if args.output else src
    if not src.is_file():
        print(f"vng-xl refresh: no such file: {src}", file=sys.stderr)
        return 1
    try:
        # dst stays locked from reading to writing; the --set changes are applied in memory first.
        with writing(dst, overwrite=args.force or same_file(dst, src)) as session:
            data = session.read(src)
            # every --set checked against the workbook as read, before anything is written
            updates = _set_updates(src, data, args.set) if args.set else {}
            if updates:
                pkg = Package.from_bytes(src, data)
                data = pkg.to_bytes(cell_replacements(pkg, updates))
                pkg.close()
            # With changed inputs a failed refresh writes nothing: the changes are discarded with the session.
            target = HeadlessTarget(src, dst, data=data, session=session)
            result = refresh(target, status_on_failure=not updates)
    except PackageError as exc:
        print(f"vng-xl refresh: {exc}", file=sys.stderr)
        return 1
    if updates and not result.ok and result.error is not None:
        print(f"vng-xl refresh: {result.error.en}; nothing was written", file=sys.stderr)
        return 1
    print(result.status)
    if result.ok:
        print(f"Written: {os.path.realpath(dst)}")
    return 0 if result.ok else 1


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("build", help="build the official budget workbook from workbooks/ and macros/")
    p.add_argument("path", nargs="?", help=f"output file (default {DEFAULT_OUTPUT})")
    p.add_argument("--layout", help="layout file (default workbooks/vng_begroting_2026.toml)")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("refresh", help="refresh a built workbook without Excel: figures, Controle, herkomst")
    p.add_argument("path", help="the workbook (.xlsm) to refresh")
    p.add_argument("-o", "--output", help="write the refreshed workbook here instead of in place")
    p.add_argument("--force", action="store_true", help="replace an existing --output file")
    p.add_argument(
        "--set",
        action="append",
        metavar="SHEET!CELL=VALUE",
        help="change an input cell first, in Dutch notation, e.g. --set Parameters!C7=3,0%% or "
        "--set Parameters!B15=82.055 (repeatable; all are checked before anything is written)",
    )
    p.set_defaults(func=cmd_refresh)
