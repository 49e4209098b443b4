"""Which inputs differ from the Kadernota's own: the comparison with the published figures holds for those only.

The number of inhabitants is not among them: the Kadernota does not state it, so entering it
changes no published figure's basis.
"""

from __future__ import annotations

import math

from vng_xl.notation import bedrag, procent
from vng_xl.workbook.layout import Invoer

#: How many differing inputs a one-line summary names before "en N andere".
KORT = 4


def _same(a: float, b: float) -> bool:
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)


def afwijkende_invoer(invoer: Invoer, kadernota: Invoer) -> list[str]:
    """The inputs of `invoer` that differ from the Kadernota's, each as "name: value (Kadernota: value)"."""
    kn, ref = invoer.kn, kadernota.kn
    out: list[str] = []
    if list(kn.indexen.years) != list(ref.indexen.years):
        out.append("de jaren van de indexen")
    else:
        for r, naam in enumerate(("A", "B")):
            for j, year in enumerate(kn.indexen.years):
                a, b = kn.indexen.rates[r][j], ref.indexen.rates[r][j]
                if not _same(a, b):
                    out.append(f"index {naam} {int(year)}: {procent(a, 2)} (Kadernota: {procent(b, 2)})")
    if not _same(kn.ingroei, ref.ingroei):
        out.append(f"ingroei: {procent(kn.ingroei)} (Kadernota: {procent(ref.ingroei)})")
    if not _same(invoer.ontwikkeling_basisjaar, kadernota.ontwikkeling_basisjaar):
        out.append(
            f"ontwikkeling {int(kn.basisjaar)}: {procent(invoer.ontwikkeling_basisjaar)} "
            f"(Kadernota: {procent(kadernota.ontwikkeling_basisjaar)})"
        )
    if kn.ids != ref.ids or kn.types != ref.types:
        out.append("de kostenregels of hun indextype")
    else:
        for naam, a, b in zip(kn.regels, kn.begroting, ref.begroting):
            if not _same(a, b):
                out.append(f"begroting {naam}: {bedrag(a)} (Kadernota: {bedrag(b)})")
    if not _same(kn.ggu.fonds, ref.ggu.fonds):
        out.append(f"huidig fonds: {bedrag(kn.ggu.fonds)} (Kadernota: {bedrag(ref.ggu.fonds)})")
    if dict(kn.ggu.overbegroting) != dict(ref.ggu.overbegroting):
        out.append("het pad van de overbegroting")
    if {k: v[1:] for k, v in invoer.hoofdstukken.items()} != {k: v[1:] for k, v in kadernota.hoofdstukken.items()}:
        out.append("de begroting per hoofdstuk van het Fonds GGU")
    return out


def voluit(verschillen: list[str]) -> str:
    """Every differing input in one line, for the herkomst; or that there are none."""
    return "; ".join(verschillen) if verschillen else "geen: de invoer is die van de Kadernota"


def kort(verschillen: list[str]) -> str:
    """A one-line summary: the first few differing inputs, then how many more."""
    shown = "; ".join(verschillen[:KORT])
    rest = len(verschillen) - KORT
    return shown + (f"; en {rest} andere" if rest > 0 else "")
