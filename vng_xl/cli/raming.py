"""`vng-xl raming`: the Kadernota tables as computed by the model, in the document's layout."""

from __future__ import annotations

import argparse

from vng_xl.cli.arguments import add_inwoners
from vng_xl.cli.paths import input_file


def cmd_raming(args: argparse.Namespace) -> int:
    """Print the tables; with --indexen also computed with the file's index set and compared."""
    from vng_xl.cli.raming_tekst import render, vergelijking_tekst
    from vng_xl.data import kadernota_2026
    from vng_xl.sources.indexsets import kadernota_set, kies, lees_indexen

    if not args.indexen:
        print(render(inwoners=args.inwoners, bron=args.inwoners_bron), end="")
        return 0

    kn = kadernota_2026()
    sets = lees_indexen(input_file(args.indexen), kn)
    chosen = kies(sets, args.scenario, args.indexen)
    print(render(kn.with_indexen(chosen.indexen), inwoners=args.inwoners, bron=args.inwoners_bron))
    print(vergelijking_tekst([kadernota_set(kn), *sets], kn))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("raming", help="print the Kadernota 2026 tables computed by the model")
    add_inwoners(p, "number of inhabitants for the contribution per inhabitant")
    p.add_argument("--inwoners-bron", default="", help="source of the number of inhabitants")
    p.add_argument(
        "--indexen",
        metavar="FILE",
        help="compute with the index set(s) in this .csv or .toml file (see docs/trust.md) and "
        "compare their key outcomes with the Kadernota's",
    )
    p.add_argument("--scenario", metavar="NAAM", help="which set of the file the tables use (default: the first)")
    p.set_defaults(func=cmd_raming)
