"""`vng-xl controle`: print, per table, the published figures that differ from the model and why."""

from __future__ import annotations

import argparse
import math

from vng_xl.cli.arguments import add_inwoners
from vng_xl.cli.text import table
from vng_xl.controle.bevindingen import Bevinding, Controle, Status, controleer
from vng_xl.controle.rekenketen import CONTRIBUTIE, PER_INWONER, keten
from vng_xl.notation import bedrag, procent


def waarde(b: Bevinding, value: float) -> str:
    """A figure in the document's notation: euros, € 1.000, a percentage or euros per inwoner."""
    if math.isnan(value):
        return "-"
    if b.tabel == CONTRIBUTIE:
        return procent(value, 1)
    if b.tabel == PER_INWONER:
        return f"€ {bedrag(value, 3)}"
    return bedrag(value)


def _aantal(n: int, s: Status, english: bool) -> str:
    label = s.en if english else s.value
    if n != 1 and s is Status.AFWIJKING:
        label = "discrepancies" if english else "afwijkingen"
    return f"{n} {label}"


def render(c: Controle, english: bool = False, alles: bool = False) -> str:
    """The check as text: per table a count, then each figure that differs with its explanation below it."""
    parts = []
    for tabel in dict.fromkeys(b.tabel for b in c.bevindingen):
        rows = c.tabel(tabel)
        counts = {s: sum(b.status is s for b in rows) for s in Status}
        summary = ", ".join(_aantal(n, s, english) for s, n in counts.items() if n)
        title = f"{rows[0].tabel_label or tabel} ({len(rows)} {'figures' if english else 'cijfers'}: {summary})"
        shown = rows if alles else [b for b in rows if b.status is not Status.GELIJK]
        if not shown:
            parts.append(f"{title}\n{'=' * len(title)}")
            continue
        header = (
            ["Post", "Year", "Published", "Computed", "Status"]
            if english
            else ["Post", "Jaar", "Gepubliceerd", "Berekend", "Status"]
        )
        body = [
            [
                b.label or b.post,
                str(b.jaar),
                waarde(b, b.gepubliceerd),
                waarde(b, b.berekend),
                b.status.en if english else b.status.value,
            ]
            for b in shown
        ]
        lines = table(title, header, body).split("\n")
        out = lines[:4]
        for line, b in zip(lines[4:], shown):
            out.append(line)
            verklaring = b.verklaring_en if english else b.verklaring_nl
            if verklaring:
                out.append(f"    -> {verklaring}")
        parts.append("\n".join(out))
    n = len(c.afwijkingen)
    verklaard = sum(b.verklaard for b in c.afwijkingen)
    if english:
        slot = (
            "Every figure is reproduced or within rounding."
            if not n
            else (f"{n} discrepancies, {verklaard} of them explained.")
        )
    else:
        slot = (
            "Elk cijfer is gereproduceerd of valt binnen de afronding."
            if not n
            else (f"{n} afwijkingen, waarvan {verklaard} verklaard.")
        )
    return "\n\n".join(parts) + "\n\n" + slot + "\n"


def cmd_controle(args: argparse.Namespace) -> int:
    """Run the check on the built-in data or a workbook and print it; exit 1 on a real discrepancy."""
    if args.workbook:
        from vng_xl.workbook.werkmap import controle_werkmap

        c = controle_werkmap(args.workbook, inwoners=args.inwoners)
    else:
        c = controleer(keten(), inwoners=args.inwoners)
    print(render(c, english=args.english, alles=args.alles), end="")
    return 0 if c.in_orde else 1


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `vng-xl controle`."""
    p = sub.add_parser(
        "controle",
        help="compare every published figure with the model and explain the differences",
        description="Compare every published figure of chapter 9 with the computed one. Exit 0 when every "
        "figure is reproduced or within the document's rounding, 1 when there is a real discrepancy.",
    )
    p.add_argument(
        "workbook", nargs="?", metavar="WORKBOOK", help="a workbook built by vng-xl build (default: the built-in data)"
    )
    add_inwoners(p, "number of inhabitants, to check the bijdrage per inwoner")
    p.add_argument("--english", action="store_true", help="statuses and explanations in English")
    p.add_argument("--alles", action="store_true", help="list every figure, also those reproduced exactly")
    p.set_defaults(func=cmd_controle)
