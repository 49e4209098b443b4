"""Refresh of the official workbook: read the parameters, recompute every VNG figure, stamp the herkomst.

The same code runs in Excel (the Vernieuwen button, through xlwings) and headless (`vng-xl refresh`),
against the small WorkbookTarget interface. Everything is computed before anything is written, and
written in one step; a problem becomes a Dutch message in the status cell, never a half-written sheet.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from vng_xl.controle.bevindingen import Controle
from vng_xl.errors import VngError
from vng_xl.workbook.build import herkomst, workbook_content
from vng_xl.workbook.content import CellValue, a1
from vng_xl.workbook.controle import AFWIJKING, COLUMNS, FIRST_ROW
from vng_xl.workbook.layout import Layout, standaard_invoer
from vng_xl.workbook.positions import HERKOMST_FIELDS, HERKOMST_ROW, STATUS
from vng_xl.workbook.readback import WorkbookLayoutMissing, WorkbookTarget, layout_of, read_invoer
from vng_xl.workbook.vergelijking import afwijkende_invoer, kort
from vng_xl.workbook.verklaring import controle_van

__all__ = ["RefreshResult", "WorkbookLayoutMissing", "WorkbookTarget", "layout_of", "read_invoer", "refresh"]

Updates = Mapping[str, Mapping[str, CellValue]]


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh did: whether it succeeded, the status text it wrote, and the Controle's counts."""

    ok: bool
    status: str
    vergeleken: int = 0
    afwijkingen: int = 0
    fingerprint: str = ""
    error: VngError | None = None  # why it failed, for a message in the caller's language
    controle: Controle | None = None  # the check on the refreshed inputs, which the Controle sheet explains


def _status_update(layout: Layout, text: str) -> dict[str, dict[str, CellValue]]:
    return {layout.blad("parameters"): {a1(*STATUS): text}}


def refresh(target: WorkbookTarget, now: datetime | None = None, status_on_failure: bool = True) -> RefreshResult:
    """Recompute the workbook from its own parameters and write the results, herkomst and status.

    On failure only the status cell is written, or nothing with `status_on_failure=False` (the
    caller changed inputs first and discards them: the workbook must stay as it was).
    """
    when = (now or datetime.now()).strftime("%Y-%m-%d %H:%M:%S")
    try:
        layout = layout_of(target)
    except VngError as exc:
        return RefreshResult(False, f"Vernieuwen mislukt: {exc.nl}", error=exc)
    try:
        invoer = read_invoer(target, layout)
        standaard = standaard_invoer(layout)
        afwijkend = afwijkende_invoer(invoer, standaard)
        if afwijkend:
            invoer = replace(invoer, parameterset=f"{standaard.parameterset}, gewijzigd: {kort(afwijkend)}")
        elif invoer.fingerprint() != standaard.fingerprint():
            invoer = replace(invoer, parameterset=f"{standaard.parameterset}, gewijzigd in de werkmap")
        prov = herkomst(invoer, when, target.user, target.how, "")
        ctx, sheets = workbook_content(layout, invoer, prov)
        controle = ctx.sheets["controle"]
        verdicts = [c.value for (r, col), c in controle.cells.items() if col == 7 and c.formula]
        n_off = sum(v == AFWIJKING for v in verdicts)
        status = (
            f"Vernieuwd op {when}: {len(verdicts)} cijfers vergeleken met de Kadernota, "
            f"{n_off} afwijking{'en' if n_off != 1 else ''} (zie Controle)."
        )
        if afwijkend:
            status += " Andere parameters dan de Kadernota: de vergelijking geldt voor haar parameterset alleen."
        values: dict[str, dict[str, CellValue]] = {layout.blad("parameters"): {a1(*STATUS): status}}
        par = ctx.sheets["parameters"]  # the herkomst as the builder lays it out, differing inputs included
        for i in range(len(HERKOMST_FIELDS)):
            values[par.name][a1(HERKOMST_ROW + i, 1)] = par.cells[(HERKOMST_ROW + i, 1)].value
        # The explanations are text the slip search writes, not formulas: both targets write them.
        uitleg = COLUMNS.index("Verklaring")
        values[controle.name] = {
            a1(r, c): cell.value for (r, c), cell in controle.cells.items() if c == uitleg and r >= FIRST_ROW
        }
        for cell in controle.marks.values():  # whether the inputs are the Kadernota's, and which differ
            values[controle.name][a1(*cell)] = controle.cells[cell].value
        results = {sheet.name: _finite(sheet.formula_results()) for sheet in sheets if sheet.formula_results()}
    except VngError as exc:
        status = f"Vernieuwen mislukt ({when}): {exc.nl}. Er is niets gewijzigd."
        if status_on_failure:
            target.write(_status_update(layout, status), {})
        return RefreshResult(False, status, error=exc)
    target.write(values, results)
    return RefreshResult(True, status, len(verdicts), n_off, invoer.fingerprint(), controle=controle_van(ctx))


def _finite(cells: dict[str, CellValue]) -> dict[str, CellValue]:
    """NaN has no cell form: an empty result instead."""
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in cells.items()}
