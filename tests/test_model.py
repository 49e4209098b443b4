"""The model against every figure of chapter 9 that the stated rules produce, plus properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import kadernota_figures as doc
from vng_xl.data import gepubliceerd, kadernota_2026
from vng_xl.model import Indexen, excel_round, gewogen_index, raming
from vng_xl.model.indexen import index_types
from vng_xl.model.kadernota import bereken

U = bereken(kadernota_2026())
KN = kadernota_2026()


def test_inputs_are_the_documents():
    assert dict(zip(KN.indexen.years.tolist(), zip(*KN.indexen.rates.tolist()))) == doc.INDEXATIES
    assert KN.regels == tuple(doc.KERNORGANISATIE)
    assert KN.types == tuple(v[0] for v in doc.KERNORGANISATIE.values())
    assert KN.begroting.tolist() == [v[1] for v in doc.KERNORGANISATIE.values()]
    assert KN.ggu.hoofdstukken == {nr: v[0] + v[1] for nr, v in doc.GGU_HOOFDSTUKKEN.items()}


LINE_CELLS = [
    (name, year) for name in doc.KERNORGANISATIE for year in doc.YEARS if (name, year) not in doc.NOT_REPRODUCED_LINES
]


@pytest.mark.parametrize(("name", "year"), LINE_CELLS)
def test_kernorganisatie_line_to_the_euro(name, year):
    row = KN.regels.index(name)
    col = doc.YEARS.index(year)
    assert excel_round(U.raming[row, col], 0) == doc.KERNORGANISATIE[name][1 + col]


def test_activiteitskosten_follow_the_rule_not_the_print():
    # Stated rule: type B every year. Hand arithmetic, independent of the model.
    expected = 1081337 * 1.024 * 1.022
    assert U.raming[KN.regels.index("Activiteitskosten"), 2] == pytest.approx(expected, abs=1e-6)
    assert round(expected) == 1131649 != doc.KERNORGANISATIE["Activiteitskosten"][3]


def test_doorbelasting_salarissen_is_not_rounded_between_years():
    expected = -852016 * 1.020 * 1.039
    assert U.raming[KN.regels.index("Doorbelasting Salarissen Gelieerde instellingen"), 2] == pytest.approx(expected)
    assert round(expected) == -902950  # the document prints -902.949 (= round(-869.056 × 1,039))


@pytest.mark.parametrize("col", range(5))
def test_totals(col):
    year = doc.YEARS[col]
    assert excel_round(U.totaal_doorbelasting[col], 0) == doc.TOTAAL_DOORBELASTING[col]
    if year not in doc.NOT_REPRODUCED_TOTALS:
        assert excel_round(U.totaal_kosten[col], 0) == doc.TOTAAL[col]
        assert excel_round(U.kosten_kernorganisatie[col], 0) == doc.KOSTEN_KERNORGANISATIE[col]


@pytest.mark.parametrize("col", range(1, 5))
def test_ontwikkeling_and_contributie(col):
    assert excel_round(U.ontwikkeling[col], 3) == pytest.approx(doc.ONTWIKKELING[col])
    assert U.contributie[col] == pytest.approx(doc.CONTRIBUTIESTIJGING[col])


def test_weighted_index_2026_is_2_07_percent():
    assert U.ontwikkeling[1] == pytest.approx(0.0207, abs=5e-5)
    # It equals the A and B shares of the 2025 cost base times their indexes.
    a = sum(v[1] for v in doc.KERNORGANISATIE.values() if v[0] == "A")
    b = sum(v[1] for v in doc.KERNORGANISATIE.values() if v[0] == "B")
    assert U.ontwikkeling[1] == pytest.approx((a * 0.020 + b * 0.024) / (a + b))


@pytest.mark.parametrize("post", list(doc.GGU))
def test_ggu_posts(post):
    assert excel_round(U.ggu.post(post), 0).tolist() == list(doc.GGU[post])


@pytest.mark.parametrize("nr", list(doc.GGU_HOOFDSTUKKEN))
def test_ggu_chapters(nr):
    assert excel_round(U.ggu.hoofdstukken[nr], 0).tolist() == list(doc.GGU_HOOFDSTUKKEN[nr][2:])


def test_ggu_indexatie_uses_the_rounded_rate():
    assert U.ggu.indexatie_pct.tolist() == pytest.approx([0.021, 0.036, 0.036, 0.036])
    assert round(82055 * 0.021) == 1723  # the document's own check, not the unrounded 2.07%
    assert excel_round(U.ggu.indexatie[0], 0) == 1723


def _printed(tabel: str, label: str) -> list[float]:
    """The published figures of the post shown as `label` in table `tabel`, in year order."""
    pub = gepubliceerd()
    [key] = [s for s in pub.waarden if s[0] == tabel and pub.label(s) == label]
    return list(pub.waarden[key].values())


def test_published_data_matches_the_document():
    pub = gepubliceerd()
    for name, values in doc.KERNORGANISATIE.items():
        assert _printed("kern", name) == list(values[1:])
    assert _printed("kern", "Totaal") == list(doc.TOTAAL)
    assert _printed("kern", "Kosten 'Kernorganisatie'") == list(doc.KOSTEN_KERNORGANISATIE)
    assert list(pub.waarden[("contributie", "stijging")].values()) == list(doc.CONTRIBUTIESTIJGING)
    assert list(pub.waarden[("contributie", "ontwikkeling")].values()) == list(doc.ONTWIKKELING)
    assert dict(pub.waarden[("contributie", "voorstel")]) == {2026: doc.VOORSTEL_2026}
    for post, values in doc.GGU.items():
        tabel = "ggu_begroting" if post in ("basisbegroting", "herprioritering", "begroting") else "ggu_dekking"
        assert list(pub.waarden[(tabel, post)].values()) == list(values)
    for nr, values in doc.GGU_HOOFDSTUKKEN.items():
        assert list(pub.waarden[("ggu_begroting", f"hoofdstuk_{nr}")].values()) == list(values[2:])
    assert dict(pub.waarden[("per_inwoner", "bijdrage")]) == doc.PER_INWONER


def test_cost_lines_have_the_keys_of_their_published_posts():
    # The model's lines and the published lines meet on their keys; the labels agree with the document.
    pub = gepubliceerd()
    assert {("kern", i) for i in KN.ids} <= set(pub.waarden)
    assert [pub.label(("kern", i)) for i in KN.ids] == list(doc.KERNORGANISATIE)


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (0.0205, 3, 0.021),
        (-0.0205, 3, -0.021),
        (2.5, 0, 3.0),
        (-2.5, 0, -3.0),
        (1723.155, 0, 1723.0),
        (0.03587771, 3, 0.036),
        (1.005, 2, 1.01),
    ],
)
def test_excel_round_is_half_away_from_zero(value, digits, expected):
    assert excel_round(value, digits) == expected


# --- properties -------------------------------------------------------------------------------

rates = st.floats(min_value=-0.5, max_value=0.5, allow_nan=False)


@st.composite
def series(draw):
    n = draw(st.integers(min_value=2, max_value=12))
    first = draw(st.integers(min_value=2000, max_value=2040))
    values = draw(st.lists(st.tuples(rates, rates), min_size=n, max_size=n))
    return Indexen(np.arange(first, first + n), np.array(values).T)


@settings(max_examples=200, deadline=None)
@given(series(), st.data())
def test_indexing_in_steps_equals_indexing_at_once(idx, data):
    a, b, c = sorted(data.draw(st.lists(st.integers(idx.first, idx.last), min_size=3, max_size=3)))
    types = np.array([0, 1])
    step = idx.factor(types, a, b) * idx.factor(types, b, c)
    assert np.allclose(step, idx.factor(types, a, c), rtol=1e-12)


@settings(max_examples=200, deadline=None)
@given(series(), st.lists(st.floats(-1e9, 1e9, allow_nan=False), min_size=1, max_size=20), st.data())
def test_raming_is_linear_and_vectorised(idx, amounts, data):
    amounts = np.array(amounts)
    types = np.array(data.draw(st.lists(st.sampled_from([0, 1]), min_size=len(amounts), max_size=len(amounts))))
    years = np.arange(idx.first, idx.last + 1)
    table = raming(amounts, types, years, idx.first, idx)
    one_by_one = np.array(
        [
            [raming(np.array([x]), np.array([t]), np.array([y]), idx.first, idx)[0, 0] for y in years]
            for x, t in zip(amounts, types)
        ]
    )
    assert np.allclose(table, one_by_one, rtol=1e-12, atol=1e-6)
    assert np.allclose(raming(-amounts, types, years, idx.first, idx), -table, rtol=1e-12, atol=1e-6)
    assert np.array_equal(table[:, 0], amounts)  # the base year is the amount itself


@settings(max_examples=100, deadline=None)
@given(st.floats(-0.2, 0.2), st.lists(st.floats(1, 1e8), min_size=2, max_size=10), st.data())
def test_weighted_index_of_equal_indexes_is_that_index(rate, amounts, data):
    idx = Indexen(np.arange(2025, 2030), np.full((2, 5), rate))
    types = np.array(data.draw(st.lists(st.sampled_from([0, 1]), min_size=len(amounts), max_size=len(amounts))))
    got = gewogen_index(np.array(amounts), types, np.array([2026, 2027]), 2025, idx)
    assert np.allclose(got, rate, atol=1e-12)


@pytest.mark.parametrize("spelling", ["A", "a", " loon ", "Loonontwikkeling", "B", "prijs", "PRIJS"])
def test_index_type_spellings(spelling):
    assert index_types([spelling]).tolist() == [0 if spelling.strip().lower().startswith(("a", "l")) else 1]
