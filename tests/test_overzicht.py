"""The Overzicht: the sheet the workbook opens on, with key figures that are formulas on the computed sheets."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from tests import kadernota_figures as kf
from tests.workbook_fixtures import built_workbook, cached_values, copy_of
from vng_xl.cli import main

KEY_ROWS = {  # label on the Overzicht -> the Kadernota's figures 2026-2029, typed from the document
    "Contributiestijging incl. loon- en prijsontwikkeling": kf.CONTRIBUTIESTIJGING[1:],
    "Fonds GGU: totaal begroting (€ 1.000)": kf.GGU["begroting"],
    "Fonds GGU: totaal dekking (€ 1.000)": kf.GGU["dekking"],
    "Fonds GGU: herprioritering (€ 1.000)": kf.GGU["herprioritering"],
}


def rows_by_label(ws) -> dict[str, tuple]:
    return {r[0].value: r for r in ws.iter_rows(min_col=1, max_col=5) if isinstance(r[0].value, str)}


def test_the_workbook_opens_on_the_overzicht() -> None:
    wb = openpyxl.load_workbook(built_workbook())
    assert wb.sheetnames[0] == "Overzicht" and wb.active.title == "Overzicht"


def test_key_figures_are_the_kadernotas_and_formulas_on_the_computed_sheets() -> None:
    values = rows_by_label(cached_values(built_workbook())["Overzicht"])
    formulas = rows_by_label(openpyxl.load_workbook(built_workbook())["Overzicht"])
    for label, published in KEY_ROWS.items():
        unit = 0.0005 if "Contributie" in label else 1
        got = [c.value for c in values[label][1:5]]
        assert got == pytest.approx(list(published), abs=unit), label
        for cell in formulas[label][1:5]:
            assert re.fullmatch(r"=IF\(ISNUMBER\((.+!\$[A-Z]+\$\d+)\),\1,\"\"\)", cell.value), cell.value
    kosten = [c.value for c in values["Kosten 'Kernorganisatie' (€)"][1:5]]
    assert kosten[0] == pytest.approx(kf.KOSTEN_KERNORGANISATIE[1], abs=1)  # 2026; later years differ (Controle)


def test_controle_outcome_contents_and_legend() -> None:
    ws = cached_values(built_workbook())["Overzicht"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    controle = cached_values(built_workbook())["Controle"]
    line = f"{controle['C3'].value} cijfers vergeleken met de Kadernota: {controle['C5'].value} afwijkingen"
    assert any(t.startswith(line) for t in texts)
    assert "Kadernota 2026" in texts  # the parameter set
    links = {c.value: c.hyperlink.location for row in ws.iter_rows() for c in row if c.hyperlink}
    for name in ("Parameters", "Kernorganisatie", "Fonds GGU", "Gepubliceerd", "Scenario", "Gemeenten", "Controle"):
        assert links[name].split("!")[0].strip("'") == name
    assert sum(t.startswith("Invoer, ") for t in texts) == 4 and any(t.startswith("Wijkt af") for t in texts)


def test_refresh_keeps_the_overzicht_right(tmp_path: Path) -> None:
    src = copy_of(built_workbook(), tmp_path)
    out = tmp_path / "uit.xlsm"
    assert main(["refresh", str(src), "-o", str(out), "--set", "Parameters!C7=0,03"]) == 0
    wb = cached_values(out)
    values = rows_by_label(wb["Overzicht"])
    kern = wb["Kernorganisatie"]
    assert [c.value for c in values["Kosten 'Kernorganisatie' (€)"][1:5]] == [kern[f"{col}18"].value for col in "DEFG"]
    assert values["Kosten 'Kernorganisatie' (€)"][1].value != pytest.approx(kf.KOSTEN_KERNORGANISATIE[1], abs=1)
    assert "gewijzigd" in values["Parameterset"][1].value
    assert values["Stand van de cijfers (vernieuwd op)"][1].value == wb["Parameters"]["B24"].value
    assert re.match(r"\d{4}-\d{2}-\d{2}", values["Stand van de cijfers (vernieuwd op)"][1].value)
