"""Texts holding a literal `_xHHHH_` read back as written: the escape `_x005F_` is decoded once.

OOXML writes a literal `_x0041_` as `_x005F_x0041_` (xlsxwriter and the package's writer do so); a
reader that decodes it twice turns a municipality named "a_x005F_b" into "a_b".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st

from tests.test_layout_roundtrip import _build, _read_back
from vng_xl.ooxml.package import write_cells
from vng_xl.ooxml.sheet_xml import _unescape_ooxml, escape_ooxml
from vng_xl.sources.gemeenten import Gemeente
from vng_xl.workbook.headless import HeadlessTarget
from vng_xl.workbook.layout import indexsets_of, read_layout, standaard_invoer
from vng_xl.workbook.refresh import refresh
from vng_xl.workbook.werkmap import schrijf_gemeenten

LAYOUT = read_layout()
STD = replace(standaard_invoer(LAYOUT), gemeenten_jaar=2026)
SETS = indexsets_of(STD)
ESCAPED = "a_x005F_b"  # the text, not an escape: it must read back with its _x005F_
LOOKS_ESCAPED = "c_x0041_d"  # not "cAd"
# Inputs whose texts hold such pieces: municipality, index set and cost line names, sources.
TEXTS = replace(
    STD,
    kn=replace(STD.kn, regels=(*STD.kn.regels[:-1], f"Regel {LOOKS_ESCAPED}")),
    inwoners_bron=f"bron {ESCAPED}",
    peildatum=LOOKS_ESCAPED,
    indexsets=(replace(SETS[0], naam=ESCAPED), *SETS[1:]),
    gemeenten=(Gemeente("GM0001", ESCAPED, 1000), Gemeente("GM0002", LOOKS_ESCAPED, 2000)),
    gemeenten_bron=f"CBS {LOOKS_ESCAPED}",
)


def test_a_cell_holding_an_escape_like_text_reads_as_written(tmp_path):
    path = tmp_path / "teksten.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("Blad")
        ws.write_string("A1", ESCAPED)
        ws.write_string("A2", LOOKS_ESCAPED)
        ws.write_string("A3", "f_x00e9_g")  # not "fég"
        ws.write_number("B1", 5)
        ws.write_number("B2", 2.5)
        ws.write_boolean("B3", True)
        ws.write_datetime("B4", datetime(2026, 1, 1), wb.add_format({"num_format": "d-m-yyyy"}))
        ws.write_formula("B5", "=1/0", None, "#DIV/0!")
    write_cells(path, path, {"Blad": {"C1": "e_x0041_f"}})  # an inline string, through the package's writer
    target = HeadlessTarget(path)
    try:
        assert target.read("Blad", "A1:C5") == [
            [ESCAPED, 5, "e_x0041_f"],
            [LOOKS_ESCAPED, 2.5, None],
            ["f_x00e9_g", True, None],
            [None, datetime(2026, 1, 1), None],
            [None, "#DIV/0!", None],
        ]
        assert type(target.read("Blad", "B1:B1")[0][0]) is int  # typed as before: an integral number as int
    finally:
        target.close()


def test_names_and_sources_with_escape_like_texts_read_back_after_build(tmp_path):
    wb = _build(tmp_path / "wb.xlsm", TEXTS)
    back = _read_back(wb)
    assert [g.naam for g in back.gemeenten] == [ESCAPED, LOOKS_ESCAPED]
    assert back.indexsets[0].naam == ESCAPED
    assert back.kn.regels[-1] == f"Regel {LOOKS_ESCAPED}"
    assert (back.inwoners_bron, back.peildatum, back.gemeenten_bron) == (
        f"bron {ESCAPED}",
        LOOKS_ESCAPED,
        f"CBS {LOOKS_ESCAPED}",
    )
    assert back.as_dict() == TEXTS.as_dict()


def test_a_municipality_list_with_escape_like_names_survives_gemeenten_and_refresh(tmp_path):
    wb = _build(tmp_path / "wb.xlsm", STD)
    lijst = [Gemeente("GM0001", ESCAPED, 10_000), Gemeente("GM0002", LOOKS_ESCAPED, 20_000)]
    schrijf_gemeenten(wb, lijst, bron=f"CBS {ESCAPED}")
    assert _read_back(wb).gemeenten == tuple(lijst)
    assert refresh(HeadlessTarget(wb)).ok
    back = _read_back(wb)
    assert back.gemeenten == tuple(lijst)
    assert back.gemeenten_bron == f"CBS {ESCAPED}"


@pytest.mark.parametrize(
    "text",
    [
        "a_x0041_x0042_b",
        "_x005F_x005F_",
        "_x0041__x0042_",
        "a_x005F_b",
        "plain",
        "tab\there",
        "_x00",
        "_x12345_",
        "SKU_x0041\x01",  # the control character's own escape closes the literal: read as "SKUAx0001_"
        "_x0041\r_x0042\x1f",
    ],
)
def test_the_writers_escape_reads_back_as_the_text_even_where_escapes_overlap(text):
    # "a_x0041_x0042_b" was written a_x005F_x0041_x0042_b, which reads as "a_x0041Bb"
    assert _unescape_ooxml(escape_ooxml(text)) == text


ESCAPE_PIECES = st.lists(st.sampled_from(["_", "x", "x0041", "_x005F_", "A", "\x01", "\r", "\ufffe"]), max_size=8)


@given(ESCAPE_PIECES.map("".join))
def test_any_text_of_escape_pieces_reads_back_as_written(text):
    assert _unescape_ooxml(escape_ooxml(text)) == text
