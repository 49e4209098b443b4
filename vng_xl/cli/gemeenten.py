"""`vng-xl gemeenten`: the Fonds GGU bill per municipality from a CBS list of inhabitants."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vng_xl.cli.arguments import YearAction, add_inwoners
from vng_xl.cli.text import table
from vng_xl.notation import bedrag
from vng_xl.sources.gemeenten import Rekening, bijdrage_leden, lees_gemeenten, rekening


def rekening_tekst(r: Rekening, bron: str = "") -> str:
    """The bill per municipality and its reconciliation with the bijdrage leden, as text."""
    rows = [[g.code, g.naam, bedrag(g.inwoners), bedrag(b, 2)] for g, b in zip(r.gemeenten, r.bedragen)]
    rows += [
        ["", "Totaal gemeenten", bedrag(r.totaal_inwoners), bedrag(r.totaal, 2)],
        ["", f"Bijdrage leden {r.jaar}", "", bedrag(r.bijdrage_leden, 2)],
        ["", "Verschil", "", bedrag(r.verschil, 2)],
    ]
    title = f"Bijdrage Fonds GGU per gemeente {r.jaar}: € {bedrag(r.per_inwoner, 3)} per inwoner"
    return table(title, ["Code", "Gemeente", "Inwoners", "Bijdrage (€)"], rows) + (
        f"\nBron inwoners: {bron or 'niet opgegeven'}\n"
    )


def cmd_gemeenten(args: argparse.Namespace) -> int:
    """Print the bill per municipality, or write the list into a workbook with --werkmap."""
    gemeenten = lees_gemeenten(args.csv)
    if args.werkmap:
        from vng_xl.ooxml.package import PackageError
        from vng_xl.workbook.werkmap import schrijf_gemeenten

        uit = args.output or args.werkmap
        try:
            verschil = schrijf_gemeenten(Path(args.werkmap), gemeenten, Path(uit), args.bron, force=args.force)
        except PackageError as exc:  # the writer's own refusals: locked, unwritable, not a package
            print(f"vng-xl gemeenten: {exc}", file=sys.stderr)
            return 1
        print(
            f"{uit}: {len(gemeenten)} municipalities written to the Gemeenten sheet; "
            f"difference with the bijdrage leden: EUR {verschil:,.2f}"
        )
        return 0
    r = rekening(gemeenten, bijdrage_leden(args.jaar), args.jaar, args.inwoners)
    print(rekening_tekst(r, args.bron), end="")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `vng-xl gemeenten`."""
    p = sub.add_parser(
        "gemeenten",
        help="the Fonds GGU bill per municipality from a CBS list of municipalities (CSV)",
        description="Read a CBS list of municipalities (code, name, inhabitants) and print what each pays "
        "into the Fonds GGU: bijdrage per inwoner × inwoners, with the total against the bijdrage leden.",
    )
    p.add_argument("csv", metavar="CSV", help="the CBS list: gemeentecode, gemeentenaam, inwoners")
    p.add_argument("--jaar", action=YearAction, default=2026, help="the year billed (default 2026)")
    add_inwoners(p, "divide by this count instead of the list's total")
    p.add_argument("--bron", default="", help="source of the list, e.g. CBS StatLine table and date")
    p.add_argument("--werkmap", metavar="WORKBOOK", help="write the list into this workbook's Gemeenten sheet")
    p.add_argument("-o", "--output", metavar="OUT", help="with --werkmap: write the result here instead of in place")
    p.add_argument("--force", action="store_true", help="with --werkmap -o: replace an existing OUT file")
    p.set_defaults(func=cmd_gemeenten)
