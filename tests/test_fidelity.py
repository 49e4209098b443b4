"""What the workbook says about the document itself: its rounding, its swapped index prose, and the
figures of its Dekking and second Fonds GGU table that the Controle now checks.

Expected figures are typed from the Kadernota (tests/kadernota_figures.py and below).
"""

from __future__ import annotations

import pytest

from tests import kadernota_figures as doc
from tests.workbook_fixtures import built_workbook, cached_values
from vng_xl.controle.bevindingen import Status, controleer
from vng_xl.data import gepubliceerd


def _texts(ws) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


@pytest.fixture(scope="module")
def wb():
    return cached_values(built_workbook())


def test_the_rounding_of_the_document_is_noted(wb) -> None:
    # The Fonds GGU 2027 chapters add up to 89.014 against the printed Totaal 89.012.
    assert sum(v[3] for v in doc.GGU_HOOFDSTUKKEN.values()) == 89014 and doc.GGU["basisbegroting"][1] == 89012
    notes = [t for t in _texts(wb["Gepubliceerd"]) if t.startswith("Door afronding kunnen totalen afwijken")]
    assert len(notes) == 1 and "in 2027 tellen de hoofdstukken op tot 89.014, het Totaal is 89.012" in notes[0]
    assert any("Door afronding kunnen totalen afwijken" in t for t in _texts(wb["Fonds GGU"]))


def test_the_swapped_index_prose_is_noted_by_the_indexes(wb) -> None:
    # The text: "een ontwikkeling van de loonvoet sector overheid van 2,2% en een HICP van 3,9%";
    # the table: A 3,90% and B 2,20% in 2027-2029.
    for name in ("Parameters", "Gepubliceerd"):
        (note,) = [t for t in _texts(wb[name]) if "verwisselt" in t]
        assert "loonvoet van 2,2% en een HICP van 3,9%" in note and "A (loon) 3,9% en B (prijs) 2,2%" in note
    ws = wb["Parameters"]
    assert ws["A7"].value.startswith("A Loonontwikkeling") and ws["B7"].value == doc.INDEXATIES[2025][0]
    assert "verwisselt" in ws["A9"].value  # right under the index rows


def test_totaal_inclusief_indexatie_is_checked() -> None:
    pub = gepubliceerd()
    years = dict(zip(doc.GGU_YEARS, doc.GGU_TOTAAL_INCLUSIEF_INDEXATIE))
    assert dict(pub.waarden[("ggu_dekking", "subtotaal")]) == years
    assert pub.label(("ggu_dekking", "subtotaal")) == "Totaal inclusief indexatie"
    found = {b.sleutel: b for b in controleer().bevindingen}
    for year, printed in years.items():
        b = found[("ggu_dekking", "subtotaal", year)]
        assert b.status is Status.GELIJK and b.gepubliceerd == printed


def test_the_second_fonds_ggu_table_is_checked() -> None:
    pub = gepubliceerd()
    posts = pub.tabel("ggu_omvang").posten
    assert [pub.label(("ggu_omvang", p)) for p in posts] == list(doc.GGU_OMVANG_2026)
    assert [pub.waarde(("ggu_omvang", p, 2026)) for p in posts] == list(doc.GGU_OMVANG_2026.values())
    found = {b.sleutel: b for b in controleer().bevindingen}
    assert all(found[("ggu_omvang", p, 2026)].status is Status.GELIJK for p in posts)


def test_the_workbook_reproduces_the_second_table_and_its_controle(wb) -> None:
    ws = wb["Fonds GGU"]
    labels = {c.value: c.row for (c,) in ws.iter_rows(min_col=10, max_col=10) if isinstance(c.value, str)}
    assert "Begroting en omvang Fonds GGU 2026" in labels
    printed = dict(doc.GGU_OMVANG_2026)
    ours = {  # the sheet's own labels where the document's say 2025
        "Totaal Begroting": printed.pop("Totaal Begroting 2025"),
        "Huidig fonds (stand vorig boekjaar)": printed.pop("Huidig fonds (2025)"),
        "Bijdrage leden": printed.pop("Bijdrage Leden 2025"),
        "Totale Dekking": printed.pop("Totale Dekking"),
        **printed,
    }
    for label, value in ours.items():
        assert round(ws.cell(labels[label], 13).value) == value, label
    basis = labels["Basisbegroting"]
    structureel = sum(v[0] for v in doc.GGU_HOOFDSTUKKEN.values())
    ontwikkeling = sum(v[1] for v in doc.GGU_HOOFDSTUKKEN.values())
    assert (ws.cell(basis, 11).value, ws.cell(basis, 12).value) == (structureel, ontwikkeling) == (54421, 31498)
    keys = [r[9] for r in wb["Controle"].iter_rows(values_only=True) if isinstance(r[9], str)]
    assert sum(k.startswith("ggu_omvang.") for k in keys) == 16
    assert {f"ggu_dekking.subtotaal.{y}" for y in doc.GGU_YEARS} <= set(keys)
