"""`vng-xl build`: write the official budget workbook from the sources in workbooks/ and macros/.

xlsxwriter writes the sheets the builders describe, with every formula's cached value, the defined
names, charts, protection, the Vernieuwen button and a VBA project assembled at build time. The
document properties carry the layout's fixed date, so two builds give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
import xlwings

from vng_xl import __version__
from vng_xl.ooxml.writer import make_folder, write_file
from vng_xl.workbook import vba
from vng_xl.workbook.content import (
    CellValue,
    Context,
    Sheet,
    SheetBuilder,
    build_sheets,
    make_context,
    quote_sheet,
)
from vng_xl.workbook.fonds_ggu import ggu_sheet
from vng_xl.workbook.gemeenten_sheet import gemeenten_sheet
from vng_xl.workbook.layout import (
    INVOERSOORTEN,
    INVOERSTIJLEN,
    MACROS,
    Invoer,
    Invoerstijl,
    Layout,
    read_layout,
    standaard_invoer,
)
from vng_xl.workbook.overzicht import overzicht_sheet
from vng_xl.workbook.scenario_sheet import scenario_sheet
from vng_xl.workbook.sheets import conf_sheet, gepubliceerd_sheet, kernorganisatie_sheet, parameters_sheet
from vng_xl.workbook.validatie import validations
from vng_xl.workbook.verklaring import controle_met_verklaring

#: The herkomst of a workbook just built (vernieuwd, door, met) and its status line, in a controller's words.
BUILT = (
    "nog niet vernieuwd",
    "de VNG, bij het maken van de werkmap",
    "het rekenmodel van de Kadernota",
    "De cijfers zijn berekend bij het maken van de werkmap. Wijzigt u invoer, klik dan op Vernieuwen.",
)
CALC_ID = 191029  # the calculation engine of current Excel versions
#: The footer's left part: the builder's version and where the figures' date and parameter set stand
#: (a footer cannot follow a refresh, the Overzicht's formulas can).
FOOTER_LEFT = "vng_xl {versie} · stand van de cijfers: blad Overzicht"


def default_builders() -> tuple[SheetBuilder, ...]:
    """The sheets in order. Another module adds sheets by building its own tuple around these."""
    return (
        parameters_sheet,
        kernorganisatie_sheet,
        ggu_sheet,
        gepubliceerd_sheet,
        scenario_sheet,
        gemeenten_sheet,
        controle_met_verklaring,
        overzicht_sheet,  # refers to the sheets above; written first, the workbook opens on it
        conf_sheet,
    )


def herkomst(invoer: Invoer, when: str, door: str, hoe: str, status: str) -> dict[str, CellValue]:
    """The provenance block's values (and the status text) for a build or a refresh."""
    return {
        "vernieuwd": when,
        "door": door,
        "hoe": hoe,
        "vng_xl": __version__,
        "xlwings": xlwings.__version__,
        "parameterset": invoer.parameterset,
        "bron": invoer.kn.indexen.bron,
        "hash": invoer.fingerprint(),
        "status": status,
    }


def workbook_content(
    layout: Layout, invoer: Invoer, prov: dict[str, CellValue], builders: Sequence[SheetBuilder] | None = None
) -> tuple[Context, list[Sheet]]:
    """All sheets for these inputs: what build writes and what refresh takes its values from."""
    ctx = make_context(layout, invoer, prov)
    return ctx, build_sheets(ctx, builders or default_builders())


def _styles(layout: Layout) -> dict[str, dict[str, Any]]:
    o = layout.opmaak
    base = {"font_name": o["lettertype"], "font_size": o["grootte"], "valign": "vcenter"}
    kop = {**base, "bold": True, "bg_color": o["kop_kleur"], "font_color": o["kop_tekst"]}
    invoer = {**base, "font_color": o["invoer_tekst"], "locked": False, "border": 1, "border_color": "#BFBFBF"}
    totaal = {**base, "bold": True, "top": 1, "bg_color": o["totaal_kleur"]}
    eind = {**totaal, "bottom": 6}
    return {
        "tekst": base,
        "titel": {**base, "bold": True, "font_size": o["grootte"] + 4, "font_color": o["kop_kleur"]},
        "subtitel": {**base, "italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"},
        "tekst_lang": {**base, "text_wrap": True, "valign": "top"},
        "kop": kop,
        "kop_rechts": {**kop, "align": "right"},
        "kop_midden": {**kop, "align": "center"},
        "kop_jaar": {**kop, "align": "right", "num_format": "0"},
        "kop_begroting": {**kop, "align": "right", "num_format": '"Begroting "0'},
        "kop_raming": {**kop, "align": "right", "num_format": '"Raming "0'},
        "label": base,
        "label_totaal": totaal,
        "label_eindtotaal": eind,
        "bron": {**base, "italic": True, "font_color": "#595959"},
        "status": {**base, "bold": True, "font_color": "#375623"},
        "herkomst": {**base, "font_color": "#404040"},
        "jaar": {**base, "num_format": "0", "align": "right"},
        "getal": {**base, "num_format": "#,##0"},
        "getal_totaal": {**totaal, "num_format": "#,##0"},
        "getal_midden": {**base, "num_format": "0", "align": "center"},
        "euro": {**base, "num_format": o["euro"]},
        "euro_totaal": {**totaal, "num_format": o["euro"]},
        "euro_eindtotaal": {**eind, "num_format": o["euro"]},
        "duizend": {**base, "num_format": o["duizend"]},
        "duizend_totaal": {**totaal, "num_format": o["duizend"]},
        "duizend_eindtotaal": {**eind, "num_format": o["duizend"]},
        "duizend_haakjes": {**base, "num_format": o["duizend_haakjes"]},
        "procent": {**base, "num_format": o["procent"]},
        "procent_totaal": {**totaal, "num_format": o["procent"]},
        "per_inwoner": {**base, "num_format": o["per_inwoner"]},
        "verschil": {**base, "num_format": "#,##0.00;-#,##0.00;0"},
        "verschil_procent": {**base, "num_format": "0.000%"},
        "verschil_inwoner": {**base, "num_format": "0.000"},
        "eenheid": {**base, "num_format": "#,##0.###", "font_color": "#595959"},
        "eenheid_procent": {**base, "num_format": "0.0%", "font_color": "#595959"},
        "oordeel": {**base, "bold": True},
        "afwijking": {"bg_color": o["afwijking_kleur"], "font_color": o["afwijking_tekst"]},
        "link": {**base, "font_color": "#0563C1", "underline": 1},
        "legenda_afwijking": {**base, "bg_color": o["afwijking_kleur"], "font_color": o["afwijking_tekst"]},
        # One fill per kind of input; the legends show the same fills, locked.
        **{
            f"legenda_{key}": {**invoer, "bg_color": o[soort.kleur], "locked": True, "align": "center"}
            for key, soort in INVOERSOORTEN.items()
        },
        **{key: _input_style(invoer, stijl, o) for key, stijl in INVOERSTIJLEN.items()},
    }


def _input_style(invoer: dict[str, Any], stijl: Invoerstijl, o: dict[str, Any]) -> dict[str, Any]:
    """An input style: the fill of its kind, its number format ([opmaak] key or format), a type centred."""
    props = {**invoer, "bg_color": o[INVOERSOORTEN[stijl.soort].kleur]}
    if stijl.getalnotatie:
        props["num_format"] = o.get(stijl.getalnotatie, stijl.getalnotatie)
    if stijl.grens is not None and stijl.grens.soort == "list":
        props["align"] = "center"
    return props


def _write_cell(ws, row: int, col: int, cell, fmt) -> None:
    value = cell.value
    if cell.link is not None:
        ws.write_url(row, col, f"internal:{cell.link}", fmt, str(value))
    elif cell.formula is not None:
        if cell.spill is not None:
            rows, cols = cell.spill
            ws.write_array_formula(row, col, row + rows - 1, col + cols - 1, cell.formula, fmt, value)
        else:
            ws.write_formula(row, col, cell.formula, fmt, value)
    elif value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _print_end(sheet: Sheet) -> tuple[int, int]:
    """The last printed row and column: the sheet's own, else its last cell (and the charts below it)."""
    if sheet.print_end is not None:
        return sheet.print_end
    last_row = max(row for row, _ in sheet.cells)
    for chart_spec in sheet.charts:  # a chart of ~300 px takes about 16 rows below its anchor
        anchor_row = int("".join(ch for ch in chart_spec.anchor if ch.isdigit()))
        last_row = max(last_row, anchor_row + chart_spec.size[1] // 20 + 1)
    return last_row, max(col for _, col in sheet.cells)


def _hf(text: str) -> str:
    """Text for a header or footer, its ampersands escaped."""
    return text.replace("&", "&&")


def _page_setup(ws, sheet: Sheet, layout: Layout) -> None:
    """A4, fit to the page width, print area, repeated headings, header and footer with page x of y."""
    last_row, last_col = _print_end(sheet)
    ws.print_area(0, 0, last_row, last_col)
    if sheet.print_titles:
        ws.repeat_rows(*sheet.print_titles)
    if sheet.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, sheet.pages_tall)
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    font = f'&"{layout.opmaak["lettertype"]},Regular"&8'
    ws.set_header(f"&L{font}{_hf(layout.raw['titel'])}&R{font}Blad &A", {"margin": 0.3})
    ws.set_footer(
        f"&L{font}{_hf(FOOTER_LEFT.format(versie=__version__))}&R{font}Afgedrukt op &D, pagina &P van &N",
        {"margin": 0.3},
    )


def _render(wb: xlsxwriter.Workbook, sheet: Sheet, formats: dict[str, Any], layout: Layout) -> None:
    ws = wb.add_worksheet(sheet.name)
    for col, width in sheet.widths.items():
        ws.set_column(col, col, width)
    # Anchors first: xlsxwriter pads an array's area with zeros, the cached results come after.
    ordered = sorted(sheet.cells.items(), key=lambda kv: (kv[1].computed, kv[0]))
    for row, height in sheet.heights.items():
        ws.set_row(row, height)
    for (row, col), cell in ordered:
        span = sheet.spans.get((row, col))
        if span:
            ws.merge_range(row, col, row, col + span, None, formats[cell.style])
        _write_cell(ws, row, col, cell, formats[cell.style])
    for (row, col), text in sheet.notes.items():
        ws.write_comment(row, col, text, {"author": layout.raw.get("auteur", ""), "x_scale": 1.6, "y_scale": 0.8})
    for name, ref in sheet.names.items():
        wb.define_name(name, f"={quote_sheet(sheet.name)}!{ref}")
    for ranges, rule in validations(sheet):
        ws.data_validation(ranges[0], {**rule, "multi_range": " ".join(ranges)})
    for rng, formula in sheet.highlight:
        ws.conditional_format(rng, {"type": "formula", "criteria": formula, "format": formats["afwijking"]})
    for chart_spec in sheet.charts:
        chart = wb.add_chart({"type": chart_spec.kind})
        for series in chart_spec.series:
            chart.add_series(series)
        chart.set_title({"name": chart_spec.title, "name_font": {"size": 12}})
        chart.set_y_axis(
            {
                "name": chart_spec.y_title,
                "num_format": chart_spec.y_format,
                "min": 0,  # from zero: a short axis makes a small gap look large
                "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
            }
        )
        chart.set_x_axis({"num_format": "0"})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": chart_spec.size[0], "height": chart_spec.size[1]})
        ws.insert_chart(chart_spec.anchor, chart)
    if sheet.button is not None:
        cell, macro, caption = sheet.button
        ws.insert_button(cell, {"macro": macro, "caption": caption, "width": 128, "height": 34})
    if sheet.freeze:
        ws.freeze_panes(*sheet.freeze)
    if not sheet.hidden:  # LibreOffice prints a hidden sheet that has a print area
        _page_setup(ws, sheet, layout)
    ws.hide_gridlines(0 if sheet.hidden else 2)
    if sheet.protect:
        ws.protect(
            "",
            {
                "format_columns": True,
                "format_rows": True,
                "select_locked_cells": True,
                "select_unlocked_cells": True,
            },
        )
    if sheet.hidden:
        ws.hide()


def write_workbook(path: Path, layout: Layout, sheets: Sequence[Sheet], macros: Path = MACROS) -> None:
    """Write the sheets, names, VBA and properties to `path`, made in memory and written by the one writer."""
    make_folder(path.parent)
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    wb.set_properties(
        {
            "title": layout.raw["titel"],
            "subject": layout.raw.get("onderwerp", ""),
            "author": layout.raw.get("auteur", ""),
            "company": layout.raw.get("auteur", ""),
            "created": layout.gemaakt,
            "comments": f"Gemaakt met het rekenmodel vng_xl {__version__}; wijzig alleen de invoercellen.",
        }
    )
    wb.set_size(1400, 900)
    # Excel (and LibreOffice) show the cached values on open instead of recalculating everything:
    # the figures are right even on a PC without Python; a change of an input recalculates as usual.
    wb.calc_on_load = False
    wb.calc_id = CALC_ID
    formats = {key: wb.add_format(props) for key, props in _styles(layout).items()}
    for sheet in sorted(sheets, key=lambda s: not s.opens):  # the front sheet first: Excel opens on it
        _render(wb, sheet, formats, layout)
    code_names = [f"Sheet{i + 1}" for i in range(len(sheets))]
    project = vba.vba_project(vba.all_modules(macros), code_names)
    wb.add_vba_project(io.BytesIO(project), is_stream=True)
    wb.set_vba_name("ThisWorkbook")
    wb.close()
    write_file(path, buffer.getvalue())


def build(
    path: Path,
    layout_path: Path | None = None,
    builders: Sequence[SheetBuilder] | None = None,
    invoer: Invoer | None = None,
) -> Context:
    """Build the workbook for the Kadernota's own inputs (or `invoer`); returns the context it used."""
    layout = read_layout(layout_path) if layout_path else read_layout()
    invoer = invoer or standaard_invoer(layout)
    prov = herkomst(invoer, *BUILT)
    ctx, sheets = workbook_content(layout, invoer, prov, builders)
    write_workbook(path, layout, sheets)
    return ctx
