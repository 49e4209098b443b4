"""`vng-xl build` and `vng-xl refresh`: the official workbook from source, and its refresh without Excel."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from vng_xl.cli.paths import input_file, macro_workbook
from vng_xl.errors import EXIT_OK


def default_output() -> Path:
    """Where `build` writes without a PATH: workbooks/ of a checkout, else the current folder."""
    from vng_xl.workbook.layout import IN_CHECKOUT, WORKBOOKS, read_layout

    name = read_layout().bestand
    return WORKBOOKS / name if IN_CHECKOUT else Path(name)


def cmd_build(args: argparse.Namespace) -> int:
    from vng_xl.cli.controle import telling
    from vng_xl.workbook.build import build
    from vng_xl.workbook.verklaring import controle_van

    layout = input_file(args.layout) if args.layout else None
    path = macro_workbook(args.path if args.path else default_output())
    ctx = build(path, layout)
    print(f"Built {os.path.realpath(path)}")
    print(f"  {telling(controle_van(ctx))} (sheet Controle)")
    print(
        "  Open it in Excel with Python, xlwings and vng_xl installed (see docs/workbook.md); "
        "LibreOffice computes it after `vng-xl libreoffice install`; other readers show the stored figures."
    )
    return EXIT_OK


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
    from vng_xl.cli.controle import telling
    from vng_xl.ooxml.package import Package, cell_replacements
    from vng_xl.ooxml.writer import same_file, writing
    from vng_xl.workbook.headless import HeadlessTarget
    from vng_xl.workbook.refresh import refresh

    src = input_file(args.path)
    dst = macro_workbook(args.output) if args.output else src
    # dst stays locked from reading to writing; the --set changes are applied in memory first.
    with writing(dst, overwrite=args.force or same_file(dst, src)) as session:
        data = session.read(src)
        # every --set checked against the workbook as read, before anything is written
        updates = _set_updates(src, data, args.set) if args.set else {}
        if updates:
            pkg = Package.from_bytes(src, data)
            data = pkg.to_bytes(cell_replacements(pkg, updates))
            pkg.close()
        # The command line says a failure on standard error and writes nothing (the button writes the status).
        result = refresh(HeadlessTarget(src, dst, data=data, session=session), status_on_failure=False)
    if result.error is not None:  # refused before anything was written: the message says so
        exc = result.error
        exc.en, exc.nl = f"{exc.en}; nothing was written", f"{exc.nl}; er is niets geschreven"
        raise exc
    print(f"Written: {os.path.realpath(dst)}")
    print(f"  Checked against the Kadernota: {telling(result.controle)}")
    return EXIT_OK


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
        help="change an input cell first, in Dutch notation, e.g. --set Parameters!C7=3,0%% or "
        "--set Parameters!B15=82.055 (repeatable; all are checked before anything is written)",
    )
    p.set_defaults(func=cmd_refresh)
