"""The Controle in the workbook: the explanation column from the same check as `vng-xl controle`.

The workbook's figures and the check's findings carry the same key (vng_xl.data.cijfers), so the
sheet shows the command's explanation for each figure, whatever the labels say.
"""

from __future__ import annotations

from dataclasses import replace

from vng_xl.controle.bevindingen import Controle, Status, controleer
from vng_xl.controle.rekenketen import keten
from vng_xl.data.cijfers import Cijfer
from vng_xl.workbook.content import Context, Sheet
from vng_xl.workbook.controle import controle_rijen, controle_sheet_from_rows


def verklaring(c: Controle, sleutel: Cijfer) -> str:
    """The Dutch explanation of a figure that is not reproduced exactly; empty otherwise."""
    try:
        b = c.vind(*sleutel)
    except KeyError:
        return ""
    return "" if b.status is Status.GELIJK else b.verklaring_nl


def controle_van(ctx: Context) -> Controle:
    """The check on the workbook's own inputs: what the Controle sheet explains and the commands count.

    Made once per context: the Controle sheet, the refresh's result and `build`'s summary share it.
    """
    if ctx.controle is None:
        ctx.controle = controleer(keten(ctx.invoer.kn, ctx.gepubliceerd), inwoners=ctx.invoer.inwoners or None)
    return ctx.controle


def controle_met_verklaring(ctx: Context) -> Sheet:
    """The Controle sheet with the explanation column filled by the slip search."""
    if ctx.afwijkend:  # other inputs: a difference is no slip of the document, so nothing to explain
        return controle_sheet_from_rows(ctx, controle_rijen(ctx))
    c = controle_van(ctx)
    rows = [replace(r, verklaring=verklaring(c, r.sleutel)) for r in controle_rijen(ctx)]
    return controle_sheet_from_rows(ctx, rows)
