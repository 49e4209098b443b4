"""One identity per published figure: the Controle of the command and of the workbook hold each
published figure exactly once, joined on its key; labels are display text and change no comparison.
And the built-in data is read-only: a stray write raises instead of changing later results.
"""

from __future__ import annotations

import re
import tempfile
from operator import setitem
from pathlib import Path

import numpy as np
import pytest

import vng_xl.data as data
from tests import kadernota_figures as doc
from tests.workbook_fixtures import built_workbook, cached_values
from vng_xl.cli import main
from vng_xl.controle.bevindingen import controleer
from vng_xl.data import gepubliceerd, ggu_hoofdstukken_2026, kadernota_2026
from vng_xl.model.kadernota import bereken
from vng_xl.workbook import fonds_ggu
from vng_xl.workbook.build import build
from vng_xl.workbook.controle import COLUMNS, FIRST_ROW

#: Counted from the document, chapter 9: 13 lines of the kernorganisatie over 5 years; ontwikkeling,
#: ingroei and stijging over 5 years and the voorstel 2026; 7 chapters and 9 posts of the Fonds GGU
#: over 4 years; its second table (7 chapters and 9 posts in 2026); the bijdrage per inwoner in 2 years.
PUBLISHED = 13 * 5 + 3 * 5 + 1 + (7 + 9) * 4 + (7 + 9) + 2


def _sheet_rows(path: Path) -> list[tuple]:
    """The Controle sheet's rows as (key, computed, published, verdict), read back with openpyxl."""
    ws = cached_values(path)["Controle"]
    key_col = COLUMNS.index("Sleutel")
    header = [c.value for c in ws[FIRST_ROW]]
    assert header[: len(COLUMNS)] == list(COLUMNS)
    rows = []
    for r in ws.iter_rows(min_row=FIRST_ROW + 1, values_only=True):
        if r[0] is None:
            continue
        tabel, post, jaar = r[key_col].split(".")
        assert int(jaar) == r[2]
        rows.append(((tabel, post, int(jaar)), r[3], r[4], r[7]))
    return rows


def test_the_document_count_is_the_data_count():
    assert PUBLISHED == 163
    assert len(gepubliceerd()) == PUBLISHED == len(set(gepubliceerd().cijfers()))


def test_controle_command_has_one_finding_per_published_figure():
    keys = [b.sleutel for b in controleer().bevindingen]
    assert len(keys) == PUBLISHED
    assert set(keys) == set(gepubliceerd().cijfers())


def test_controle_sheet_has_one_row_per_published_figure():
    rows = _sheet_rows(built_workbook())
    keys = [k for k, *_ in rows]
    assert len(keys) == PUBLISHED
    assert set(keys) == set(gepubliceerd().cijfers()) == {b.sleutel for b in controleer().bevindingen}
    # Each row beside the published figure of its own key.
    pub = gepubliceerd()
    assert all(published == pytest.approx(pub.waarde(k)) for k, _, published, _ in rows)


def test_build_and_controle_report_the_same_number(tmp_path, capsys):
    assert main(["build", str(tmp_path / "w.xlsm")]) == 0
    built = int(re.search(r"(\d+) published figures", capsys.readouterr().out).group(1))
    main(["controle"])
    counted = sum(int(n) for n in re.findall(r"\((\d+) cijfers:", capsys.readouterr().out))
    assert built == counted == PUBLISHED


def _relabel(monkeypatch) -> None:
    """Every label renamed: the published posts' and tables', the cost lines' and the Fonds GGU rows'."""
    real = data._read_toml

    def relabelled(name: str) -> dict:
        raw = real(name)
        if name == "gepubliceerd.toml":
            for tabel in (v for v in raw.values() if isinstance(v, dict)):
                tabel["label"] = "Tabel " + tabel["label"][::-1]
                for post in tabel["posten"].values():
                    post["label"] = "Anders: " + post["label"][::-1]
        else:
            for regel in raw["kernorganisatie"]["regels"]:
                regel["naam"] = "Hernoemd " + regel["naam"].upper()
        return raw

    monkeypatch.setattr(data, "_read_toml", relabelled)
    for key in fonds_ggu.DEKKING_LABELS:
        monkeypatch.setitem(fonds_ggu.DEKKING_LABELS, key, f"Regel {key} hernoemd")
    data.gepubliceerd.cache_clear()
    data.kadernota_2026.cache_clear()


def _comparisons() -> list[tuple]:
    return [
        (b.sleutel, b.gepubliceerd, b.berekend, b.status, [(v.soort, v.jaar) for v in b.vergissingen])
        for b in controleer().bevindingen
    ]


def test_renaming_labels_changes_no_comparison(monkeypatch):
    before = _comparisons()
    with tempfile.TemporaryDirectory() as folder:
        sheet_before = _sheet_rows(built_workbook())
        try:
            _relabel(monkeypatch)
            assert kadernota_2026().regels[0] == "Hernoemd SALARISSEN"  # the renaming took effect
            assert gepubliceerd().label(("kern", "salarissen")) == "Anders: nessiralaS"
            after = _comparisons()
            path = Path(folder) / "hernoemd.xlsm"
            build(path)
            sheet_after = _sheet_rows(path)
            shown = cached_values(path)["Controle"].cell(FIRST_ROW + 1, 2).value
        finally:
            monkeypatch.undo()
            data.gepubliceerd.cache_clear()
            data.kadernota_2026.cache_clear()
    assert shown == "Anders: nessiralaS"  # the Controle shows the label, joins on the key
    assert after == before
    assert len(sheet_after) == PUBLISHED
    assert sheet_after == sheet_before


# --- read-only data ----------------------------------------------------------------------------


def _writes():
    kn = kadernota_2026()
    pub = gepubliceerd()
    return {
        "begroting": lambda: setitem(kn.begroting, 0, 0.0),
        "indexen.rates": lambda: setitem(kn.indexen.rates, (0, 1), 0.5),
        "indexen.years": lambda: setitem(kn.indexen.years, 0, 1999),
        "ggu.hoofdstukken": lambda: setitem(kn.ggu.hoofdstukken, 1, 0.0),
        "ggu.overbegroting": lambda: setitem(kn.ggu.overbegroting, 2026, 0.5),
        "ggu.namen": lambda: setitem(kn.ggu.namen, 1, "x"),
        "regels": lambda: setitem(kn.regels, 0, "x"),
        "ggu_hoofdstukken_2026": lambda: setitem(ggu_hoofdstukken_2026(), 1, ("x", 0.0, 0.0)),
        "gepubliceerd.waarden": lambda: setitem(pub.waarden, ("kern", "salarissen"), {}),
        "gepubliceerd.post": lambda: setitem(pub.waarden[("kern", "salarissen")], 2027, 0.0),
        "gepubliceerd.labels": lambda: setitem(pub.labels, ("kern", "salarissen"), "x"),
    }


@pytest.mark.parametrize("what", list(_writes()))
def test_a_write_into_the_built_in_data_raises(what):
    with pytest.raises((TypeError, ValueError)):
        _writes()[what]()


def test_results_stay_right_after_attempted_writes():
    for write in _writes().values():
        try:
            write()
        except (TypeError, ValueError):
            pass
    u = bereken(kadernota_2026())
    assert np.round(u.kosten_kernorganisatie).tolist()[:2] == list(doc.KOSTEN_KERNORGANISATIE[:2])
    assert np.round(u.ggu.bijdrage).tolist() == list(doc.GGU["bijdrage"])
    assert gepubliceerd().waarde(("kern", "salarissen", 2027)) == doc.KERNORGANISATIE["Salarissen"][3]


def test_a_scenario_cannot_write_through_to_the_built_in_indexen():
    kn = kadernota_2026()
    rates = np.array(kn.indexen.rates)
    rates[0, 1] = 0.5
    scenario = kn.with_indexen(type(kn.indexen)(kn.indexen.years, rates))
    rates[0, 1] = 0.9  # the caller's array stays the caller's: the scenario took a copy
    assert scenario.indexen.rates[0, 1] == 0.5
    assert kn.indexen.rates[0, 1] == doc.INDEXATIES[2026][0]


@pytest.mark.parametrize("line", ["Salarissen", "Afschrijvingen"])
def test_a_line_renamed_in_the_workbook_is_still_checked(line, tmp_path, capsys):
    # A user renames a cost line on the Kernorganisatie sheet and refreshes: the line keeps its key,
    # so its five figures stay in the Controle, and the salary line stays found for the Scenario.
    from tests.workbook_fixtures import copy_of
    from vng_xl.ooxml.package import write_cells

    path = copy_of(built_workbook(), tmp_path)
    ws = cached_values(path)["Kernorganisatie"]
    [row] = [c.row for c in ws["A"] if c.value == line]
    write_cells(path, path, {"Kernorganisatie": {f"A{row}": f"{line} (hernoemd)"}})
    assert main(["refresh", str(path)]) == 0
    assert f"{PUBLISHED} published figures" in capsys.readouterr().out
    assert cached_values(path)["Kernorganisatie"][f"A{row}"].value == f"{line} (hernoemd)"
    assert _sheet_rows(path) == _sheet_rows(built_workbook())
    main(["controle", str(path)])
    assert sum(int(n) for n in re.findall(r"\((\d+) cijfers:", capsys.readouterr().out)) == PUBLISHED


def test_other_cost_lines_get_keys_of_their_own_and_the_workbook_keeps_them():
    from dataclasses import replace

    from vng_xl.workbook.layout import read_layout, standaard_invoer
    from vng_xl.workbook.positions import Shape, shape_of

    kn = replace(
        kadernota_2026(),
        regels=("Salarissen", "Huur en ICT", "Huur en ICT", "Baten"),
        types=("A", "B", "B", "B"),
        groepen=("kosten", "kosten", "kosten", "doorbelasting"),
        begroting=np.array([1.0, 2.0, 3.0, -1.0]),
    )
    assert kn.ids == ("salarissen", "huur_en_ict", "huur_en_ict_2", "baten")
    invoer = replace(standaard_invoer(read_layout()), kn=kn)
    assert Shape.from_text(shape_of(invoer).to_text()).regels == kn.ids
