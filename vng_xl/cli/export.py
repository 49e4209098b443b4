"""`vng-xl export`: a values-only copy of a workbook, optionally as PDF."""

from __future__ import annotations

import argparse
from pathlib import Path

from vng_xl.cli.paths import input_file, output_file


def cmd_export(args: argparse.Namespace) -> int:
    """Write the values-only copy (and the PDF with --pdf) and say what was done."""
    from vng_xl.export.values import export_values, render_pdf

    report = export_values(input_file(args.workbook), output_file(args.out), allow_missing=args.allow_missing)
    print(
        f"{args.out}: {report.formules} formulas replaced by their values"
        + (f", removed {', '.join(report.verwijderd)}" if report.verwijderd else "")
        + (f", {report.macroknoppen} buttons or macros removed" if report.macroknoppen else "")
        + (f", dropped {len(report.extern)} external links ({', '.join(report.extern[:3])})" if report.extern else "")
    )
    if report.zonder_waarde:
        print(f"warning: {len(report.zonder_waarde)} formulas had no computed value and are left empty")
    if args.pdf:
        pdf = Path(args.out).with_suffix(".pdf")
        render_pdf(args.out, pdf)
        print(f"{pdf}: rendered with LibreOffice")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `vng-xl export`."""
    p = sub.add_parser(
        "export",
        help="write a values-only .xlsx copy (no formulas, no VBA), optionally also as PDF",
        description="Write a copy of WORKBOOK for people without Python and for publication: the same "
        "sheets, layout, formats, charts and names, every formula replaced by its computed value, no VBA.",
    )
    p.add_argument("workbook", metavar="WORKBOOK", help="the workbook (.xlsm or .xlsx)")
    p.add_argument("out", metavar="OUT.xlsx", help="the copy to write")
    p.add_argument("--pdf", action="store_true", help="also render OUT.pdf with LibreOffice")
    p.add_argument(
        "--allow-missing",
        action="store_true",
        help="write the copy even if a formula has no computed value (its cell stays empty)",
    )
    p.set_defaults(func=cmd_export)
