"""Refresh of the official workbook: read the parameters, recompute every VNG figure, stamp the herkomst.

The same code runs in Excel (the Vernieuwen button, through xlwings) and headless (`vng-xl refresh`),
against the small WorkbookTarget interface. Everything is computed before anything is written, and
written in one step; a problem becomes a Dutch message in the status cell, never a half-written sheet.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

import numpy as np

from vng_xl.controle.bevindingen import Controle
from vng_xl.errors import BadParameter, MissingSheet, VngError
from vng_xl.functions import arguments as inputs
from vng_xl.model import GguParameters, Indexen
from vng_xl.model.indexen import index_types
from vng_xl.workbook import sheets as pos
from vng_xl.workbook.build import herkomst, workbook_content
from vng_xl.workbook.content import CellValue, a1
from vng_xl.workbook.controle import AFWIJKING, COLUMNS, FIRST_ROW
from vng_xl.workbook.layout import Invoer, Layout, layout_from_text, standaard_invoer
from vng_xl.workbook.scenario_sheet import indexsets_uit_parameters
from vng_xl.workbook.verklaring import controle_van

Updates = Mapping[str, Mapping[str, CellValue]]
READ_AREA = "A1:I60"


class WorkbookTarget(Protocol):
    """Where the refresh reads and writes: an open workbook in Excel, or a file on disk."""

    user: str  # who runs the refresh
    how: str  # with what, for the herkomst

    def read(self, sheet: str, ref: str) -> list[list[CellValue]]:
        """The values of a block of cells, row by row (empty cells as None)."""
        ...

    def write(self, values: Updates, results: Updates) -> None:
        """Set plain cells (`values`) and show formula results (`results`), all in one step.

        Excel recalculates the formulas itself; the headless target writes `results` as cached values.
        """
        ...


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh did: whether it succeeded, the status text it wrote, and the Controle's counts."""

    ok: bool
    status: str
    vergeleken: int = 0
    afwijkingen: int = 0
    fingerprint: str = ""
    error: VngError | None = None  # why it failed (its .en is for the command line)
    controle: Controle | None = None  # the check on the refreshed inputs, which the Controle sheet explains


class WorkbookLayoutMissing(VngError):
    """The workbook carries no definition of its own layout (not a workbook built by vng-xl build)."""

    nl_template = "dit is geen werkmap van vng-xl build (blad {sheet} ontbreekt of is leeg)"
    en_template = "not a workbook made by vng-xl build (sheet {sheet} missing or empty)"


def layout_of(target: WorkbookTarget, conf_sheet: str = "xlwings.conf") -> Layout:
    """The layout the workbook was built with, read from its hidden conf sheet."""
    try:
        rows = target.read(conf_sheet, "A1:B40")
    except MissingSheet as exc:
        raise WorkbookLayoutMissing(sheet=conf_sheet) from exc
    except VngError:  # the file itself is unusable (damaged, unreadable): say that, not "no layout"
        raise
    except Exception as exc:  # noqa: BLE001 - a missing sheet surfaces differently per target
        raise WorkbookLayoutMissing(sheet=conf_sheet) from exc
    for row in rows:
        if len(row) > 1 and row[0] == pos.LAYOUT_KEY and isinstance(row[1], str):
            try:
                return layout_from_text(row[1])
            except tomllib.TOMLDecodeError as exc:
                raise WorkbookLayoutMissing(sheet=conf_sheet) from exc
    raise WorkbookLayoutMissing(sheet=conf_sheet)


def _cell(block: list[list[CellValue]], row: int, col: int) -> CellValue:
    try:
        return block[row][col]
    except IndexError:
        return None


def _row(block: list[list[CellValue]], row: int, first: int, count: int) -> list[CellValue]:
    return [_cell(block, row, first + i) for i in range(count)]


def read_invoer(target: WorkbookTarget, layout: Layout) -> Invoer:
    """The inputs as the workbook now holds them; bad values raise VngError with a Dutch message."""
    std = standaard_invoer(layout)
    kn = std.kn
    par = target.read(layout.blad("parameters"), READ_AREA)
    n_years = len(kn.indexen.years)
    jaren, a_row, b_row = pos.INDEX_ROWS
    block = [_row(par, r, 1, n_years) for r in (jaren, a_row, b_row)]
    bron = _cell(par, a_row, pos.BRON_COL)
    indexen = Indexen.from_block(np.array(block, dtype=object), bron=str(bron or kn.indexen.bron))
    ingroei = inputs.number(_cell(par, *pos.INGROEI), "ingroei")
    ontwikkeling = inputs.number(_cell(par, *pos.ONTWIKKELING_BASISJAAR), "ontwikkeling 2025")
    fonds = inputs.number(_cell(par, *pos.FONDS), "huidig fonds")
    ob_jaren, ob_pct = pos.OVERBEGROTING_ROWS
    n_ob = len(kn.ggu.overbegroting)
    overbegroting = inputs.year_values(
        np.array([_row(par, ob_jaren, 1, n_ob), _row(par, ob_pct, 1, n_ob)], dtype=object), "overbegroting"
    )
    raw_inwoners = _cell(par, *pos.INWONERS)
    inwoners = None if inputs.is_empty_cell(raw_inwoners) else inputs.number(raw_inwoners, "inwoners")
    if inwoners is not None and inwoners <= 0:
        raise BadParameter(argument="inwoners", reason_nl="moet groter dan 0 zijn", reason_en="must be above 0")

    kern = target.read(layout.blad("kernorganisatie"), READ_AREA)
    rows = pos.kern_rows(kn.groepen)
    regels = tuple(str(_cell(kern, r, 0) or kn.regels[i]) for i, r in enumerate(rows))
    types = index_types(np.array([_cell(kern, r, pos.KERN_TYPE_COL) for r in rows], dtype=object), "type")
    begroting = inputs.numbers(
        np.array([_cell(kern, r, pos.KERN_BEGROTING_COL) for r in rows], dtype=object), "begroting"
    )
    type_codes = tuple("AB"[int(t)] for t in types.tolist())

    ggu = target.read(layout.blad("ggu"), READ_AREA)
    hoofdstukken = {}
    for k, nr in enumerate(sorted(std.hoofdstukken)):
        r = pos.GGU_FIRST + k
        naam = std.hoofdstukken[nr][0]
        structureel = inputs.number(_cell(ggu, r, pos.GGU_STRUCTUREEL_COL), f"structureel hoofdstuk {nr}")
        ontw = inputs.number(_cell(ggu, r, pos.GGU_ONTWIKKELING_COL), f"ontwikkeling hoofdstuk {nr}")
        hoofdstukken[nr] = (naam, structureel, ontw)

    new_kn = replace(
        kn,
        indexen=indexen,
        regels=regels,
        types=type_codes,
        begroting=begroting,
        ingroei=ingroei,
        ggu=GguParameters(
            hoofdstukken={nr: s + o for nr, (_, s, o) in hoofdstukken.items()},
            fonds=fonds,
            overbegroting=overbegroting,
            basisjaar=kn.ggu.basisjaar,
            namen=kn.ggu.namen,
        ),
    )
    bron_inwoners = _cell(par, *pos.INWONERS_BRON)
    peildatum = _cell(par, *pos.PEILDATUM)
    return replace(
        std,
        kn=new_kn,
        hoofdstukken=hoofdstukken,
        ontwikkeling_basisjaar=ontwikkeling,
        inwoners=inwoners,
        inwoners_bron=str(bron_inwoners or ""),
        peildatum=str(peildatum or ""),
        indexsets=indexsets_uit_parameters(par, n_years),
    )


def _status_update(layout: Layout, text: str) -> dict[str, dict[str, CellValue]]:
    return {layout.blad("parameters"): {a1(*pos.STATUS): text}}


def refresh(target: WorkbookTarget, now: datetime | None = None, report_failure: bool = True) -> RefreshResult:
    """Recompute the workbook from its own parameters and write the results, herkomst and status.

    A failure is written into the status cell when `report_failure` (the button's only way to say it);
    the command line says it on standard error instead and leaves the file as it was.
    """
    when = (now or datetime.now()).strftime("%Y-%m-%d %H:%M:%S")
    try:
        layout = layout_of(target)
    except VngError as exc:
        return RefreshResult(False, f"Vernieuwen mislukt: {exc.nl}", error=exc)
    try:
        invoer = read_invoer(target, layout)
        standaard = standaard_invoer(layout)
        if invoer.fingerprint() != standaard.fingerprint():
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
        values: dict[str, dict[str, CellValue]] = {layout.blad("parameters"): {a1(*pos.STATUS): status}}
        for i, (key, _) in enumerate(pos.HERKOMST_FIELDS):
            values[layout.blad("parameters")][a1(pos.HERKOMST_ROW + i, 1)] = prov[key]
        # The explanations are text the slip search writes, not formulas: both targets write them.
        uitleg = COLUMNS.index("Verklaring")
        values[controle.name] = {
            a1(r, c): cell.value for (r, c), cell in controle.cells.items() if c == uitleg and r >= FIRST_ROW
        }
        results = {sheet.name: _finite(sheet.formula_results()) for sheet in sheets if sheet.formula_results()}
    except VngError as exc:
        status = f"Vernieuwen mislukt ({when}): {exc.nl}. Er is niets gewijzigd."
        if report_failure:
            target.write(_status_update(layout, status), {})
        return RefreshResult(False, status, error=exc)
    target.write(values, results)
    return RefreshResult(True, status, len(verdicts), n_off, invoer.fingerprint(), controle=controle_van(ctx))


def _finite(cells: dict[str, CellValue]) -> dict[str, CellValue]:
    """NaN has no cell form: an empty result instead."""
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in cells.items()}
