"""`vng-xl build` and `vng-xl refresh`: the official workbook from source, and its refresh without Excel."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from vng_xl.cli.paths import input_file, macro_workbook
from vng_xl.errors import EXIT_NOT_CLEAN, EXIT_OK, FileProblem


def default_output() -> Path:
    """Where `build` writes without a PATH: workbooks/ of a checkout, else the current folder."""
    from vng_xl.workbook.layout import IN_CHECKOUT, WORKBOOKS, read_layout

    name = read_layout().bestand
    return WORKBOOKS / name if IN_CHECKOUT else Path(name)


def cmd_build(args: argparse.Namespace) -> int:
    from vng_xl.cli.controle import telling
    from vng_xl.workbook.build import build
    from vng_xl.workbook.verklaring import blad_verschil, controle_van

    layout = input_file(args.layout) if args.layout else None
    path = macro_workbook(args.path if args.path else default_output())
    ctx = build(path, layout)
    c = controle_van(ctx)
    extra, missing = blad_verschil(ctx, c)
    print(f"Built {path.resolve()}")
    print(f"  {telling(c)}")
    if extra or missing:
        rows = len(c.bevindingen) + len(extra) - len(missing)
        also = f"; it also compares {', '.join(extra)}" if extra else ""
        left = ", ".join(f"{b.post} {b.jaar}" for b in missing)
        without = f"; it has no row for {left}, which the sheets do not compute" if missing else ""
        print(f"  Sheet Controle: {rows} rows{also}{without}.")
    print(
        "  Open it in Excel with Python, xlwings and vng_xl installed (see docs/workbook.md); "
        "LibreOffice and other readers show the stored figures."
    )
    return EXIT_OK


def _parse_set(items: list[str]) -> dict[str, dict[str, object]]:
    """'Parameters!C7=0.03' -> {"Parameters": {"C7": 0.03}}; numbers where they parse."""
    updates: dict[str, dict[str, object]] = {}
    for item in items:
        ref, _, text = item.partition("=")
        sheet, _, cell = ref.rpartition("!")
        if not sheet or not cell or not _:
            raise SystemExit(f"vng-xl refresh: --set expects SHEET!CELL=VALUE, got {item!r}")
        try:
            value: object = float(text.replace(",", "."))
        except ValueError:
            value = text
        updates.setdefault(sheet.strip("'"), {})[cell.upper()] = value
    return updates


def cmd_refresh(args: argparse.Namespace) -> int:
    from vng_xl.cli.controle import telling
    from vng_xl.ooxml.package import write_cells
    from vng_xl.workbook.headless import HeadlessTarget
    from vng_xl.workbook.refresh import refresh

    src = input_file(args.path)
    dst = macro_workbook(args.output) if args.output else src
    if dst.resolve() != src.resolve() and dst.exists() and not args.force:
        raise FileProblem(
            file=str(dst),
            reason_nl="bestaat al; geef --force om het te vervangen",
            reason_en="exists; give --force to replace it",
        )
    with tempfile.TemporaryDirectory(dir=dst.resolve().parent, prefix=".vng-xl-refresh-") as work:
        staged = src
        if args.set:  # the changed inputs go into a staged copy; dst is written once, atomically
            staged = Path(work) / src.name
            write_cells(src, staged, _parse_set(args.set))
        result = refresh(HeadlessTarget(staged, dst), report_failure=False)
    if result.error is not None:
        raise result.error
    print(f"Written: {dst.resolve()}")
    print(f"  Checked against the Kadernota: {telling(result.controle)}")
    return EXIT_OK if result.ok else EXIT_NOT_CLEAN


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("build", help="build the official budget workbook from workbooks/ and macros/")
    p.add_argument(
        "path",
        nargs="?",
        help="output file, .xlsm (default: the name the layout gives, in workbooks/ of a checkout, "
        "else in the current folder)",
    )
    p.add_argument("--layout", help="layout file (default: workbooks/vng_begroting_2026.toml, as packaged)")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("refresh", help="refresh a built workbook without Excel: figures, Controle, herkomst")
    p.add_argument("path", help="the workbook (.xlsm) to refresh")
    p.add_argument("-o", "--output", help="write the refreshed workbook here instead of in place")
    p.add_argument("--force", action="store_true", help="replace an existing --output file")
    p.add_argument(
        "--set",
        action="append",
        metavar="SHEET!CELL=VALUE",
        help="change an input first, e.g. --set Parameters!C7=0.03 (repeatable)",
    )
    p.set_defaults(func=cmd_refresh)
