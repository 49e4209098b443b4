"""The VNG Excel functions as Excel calls them: plain Python, xlwings' decorators, bad input."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tests import kadernota_figures as doc
from tests.xlwings_stubs import MISSING, call_like_excel, load_xlwings_udfs
from vng_xl.excel import udfs
from vng_xl.functions import CATEGORY, FUNCTIONS
from vng_xl.functions.registry import HELP_LIMIT


def col(*values):
    """A column of cells as xlwings hands it over (np.array, ndim=2, object)."""
    return np.array([[v] for v in values], dtype=object)


BEDRAGEN = col(*[v[1] for v in doc.KERNORGANISATIE.values()])
TYPES = col(*[v[0] for v in doc.KERNORGANISATIE.values()])
INDEXEN = np.array(
    [list(doc.INDEXATIES), [a for a, _ in doc.INDEXATIES.values()], [b for _, b in doc.INDEXATIES.values()]],
    dtype=object,
)


def test_raming_single_cell():
    assert round(udfs.VNG_RAMING(39059724, "A", 2027)) == 41394714
    assert round(udfs.VNG_RAMING(39059724, "loon", 2029.0)) == 44686463


def test_raming_spills_the_meerjarenraming():
    result = np.array(udfs.VNG_RAMING(BEDRAGEN, TYPES))
    assert result.shape == (10, 4)
    salarissen = doc.KERNORGANISATIE["Salarissen"]
    assert np.round(result[0]).tolist() == list(salarissen[2:])


def test_raming_with_explicit_indexen_and_row_of_years():
    result = udfs.VNG_RAMING(col(2362584), "B", np.array([[2026, 2027]]), 2025, INDEXEN)
    assert np.round(np.array(result)).tolist() == [[2419286, 2472510]]


def test_raming_without_arguments_is_the_whole_table():
    table = udfs.VNG_RAMING()
    assert table[0][:3] == ["Kosten kernorganisatie", "Index", "Begroting 2025"]
    labels = [row[0] for row in table]
    assert labels[-1] == "Kosten 'Kernorganisatie'"
    assert round(table[-1][2]) == doc.KOSTEN_KERNORGANISATIE[0]
    assert round(table[-1][3]) == doc.KOSTEN_KERNORGANISATIE[1]
    assert round(table[labels.index("Totaal")][3]) == doc.TOTAAL[1]


def test_index_and_factor():
    assert udfs.VNG_INDEX("A", 2027) == pytest.approx(0.039)
    assert udfs.VNG_INDEX("b", 2026) == pytest.approx(0.024)
    assert udfs.VNG_INDEXFACTOR("A", 2025, 2027) == pytest.approx(1.020 * 1.039)
    assert udfs.VNG_INDEXFACTOR("B", 2026, 2026) == 1.0


def test_gewogen_index_and_contributie():
    assert udfs.VNG_GEWOGEN_INDEX(BEDRAGEN, TYPES, 2026) == pytest.approx(0.0207, abs=5e-5)
    assert udfs.VNG_CONTRIBUTIE(2026) == pytest.approx(doc.CONTRIBUTIESTIJGING[1])
    assert udfs.VNG_CONTRIBUTIE(2026, 0) == pytest.approx(doc.VOORSTEL_2026)
    assert udfs.VNG_CONTRIBUTIE(2028, 0.01, BEDRAGEN, TYPES, INDEXEN) == pytest.approx(doc.CONTRIBUTIESTIJGING[3])


@pytest.mark.parametrize(
    ("post", "key"), [(p, p) for p in doc.GGU] + [("Bijdrage leden", "bijdrage"), ("totaal begroting", "begroting")]
)
def test_ggu_posts(post, key):
    got = [round(udfs.VNG_GGU(post, year)) for year in doc.GGU_YEARS]
    assert got == list(doc.GGU[key])


def test_ggu_chapter_by_number_and_parameters_from_the_workbook():
    assert round(udfs.VNG_GGU(2, 2027)) == doc.GGU_HOOFDSTUKKEN[2][3]
    chapters = np.array([[nr, v[0], v[1]] for nr, v in doc.GGU_HOOFDSTUKKEN.items()], dtype=object)
    path = np.array([[2026, 2027, 2028, 2029], [0.02, 0.015, 0.01, 0.01]], dtype=object)
    got = udfs.VNG_GGU("herprioritering", 2029, 82055, path, chapters, None, INDEXEN)
    assert round(got) == doc.GGU["herprioritering"][3]
    # Another starting level moves the dekking: 80.000 × 1,021 = 81.680.
    assert udfs.VNG_GGU("bijdrage", 2026, 80000) == pytest.approx(81680)


def test_per_inwoner_rounds_to_three_decimals():
    assert udfs.VNG_PER_INWONER(83778155, 18_040_000) == 4.644  # 4.64402... by hand
    assert udfs.VNG_PER_INWONER(1000, 3) == 333.333


BAD = [
    (lambda: udfs.VNG_RAMING(100, "C", 2027), 'type: onbekend indextype "C"; kies A (loon) of B (prijs)'),
    (lambda: udfs.VNG_RAMING(100, "A", 2031), "jaar: jaar 2031 valt buiten de indexen (2025-2029)"),
    (lambda: udfs.VNG_RAMING(100, "A", 2024), "jaar: jaar 2024 ligt vóór basisjaar 2025"),
    (lambda: udfs.VNG_RAMING("honderd", "A", 2027), 'bedrag: "honderd" is geen getal'),
    (lambda: udfs.VNG_RAMING(col(1, None), "A", 2027), "bedrag: een lege cel is geen getal (rij 2)"),
    (
        lambda: udfs.VNG_RAMING(col(1, 2), col("A", "B", "A")),
        "indextype: 3 rijen, maar bedrag heeft er 2; geef even lange kolommen",
    ),
    (
        lambda: udfs.VNG_RAMING(100, "A", 2027, None, np.array([[2025, 2026], [0.1, 0.1]], dtype=object)),
        "indexen: blok van 2×2 cellen; verwacht 3 rijen (jaren, index A, index B)",
    ),
    (
        lambda: udfs.VNG_RAMING(100, "A", 2027, None, np.array([[2025, 2027], [0.1, 0.1], [0, 0]], dtype=object)),
        "indexen: de jaren moeten aaneengesloten oplopen; verwacht 3 rijen (jaren, index A, index B)",
    ),
    (
        lambda: udfs.VNG_RAMING(100, "A", 2026, None, np.array([[2025, 2026], ["x", 0.1], [0, 0]], dtype=object)),
        "indexen: index A 2025 is geen getal; verwacht 3 rijen (jaren, index A, index B)",
    ),
    (lambda: udfs.VNG_RAMING(100, "A", 2027.5), "jaar: 2027.5 is geen geldig jaartal"),
    (lambda: udfs.VNG_RAMING(100, None, 2027), "indextype: ontbreekt"),
    (lambda: udfs.VNG_RAMING(True, "A", 2027), "bedrag: True is geen getal"),
    (lambda: udfs.VNG_INDEXFACTOR("A", 2027, 2026), "tot_jaar: jaar 2026 ligt vóór van_jaar 2027"),
    (lambda: udfs.VNG_GGU("kas", 2026), 'post: onbekende post "kas"'),
    (lambda: udfs.VNG_GGU(7, 2026), 'post: onbekende post "7"; kies een hoofdstuk uit 1, 2, 3, 4, 5, 6, 8'),
    (lambda: udfs.VNG_GGU("dekking", 2030), "jaar: 2030 valt buiten 2026-2029"),
    (lambda: udfs.VNG_CONTRIBUTIE(2026, 0.01, BEDRAGEN), "indextypes: ontbreekt; geef bedragen en indextypes samen"),
    (lambda: udfs.VNG_CONTRIBUTIE(2025), "jaar: jaar 2025 ligt vóór het jaar na basisjaar 2026"),
    (lambda: udfs.VNG_PER_INWONER(1000, 0), "inwoners: moet groter dan 0 zijn"),
    (lambda: udfs.VNG_PER_INWONER(1000, "veel"), 'inwoners: "veel" is geen getal'),
]


@pytest.mark.parametrize(("call", "message"), BAD)
def test_bad_input_gives_a_dutch_message_in_the_cell(call, message):
    result = call()
    assert isinstance(result, str) and result.startswith(udfs.ERROR_PREFIX)
    assert message in result
    assert "Traceback" not in result


def test_an_unexpected_failure_is_still_a_message():
    def boom(*_):
        raise ZeroDivisionError

    fn = FUNCTIONS["VNG_INDEX"]
    result = udfs.cell_result(type(fn)(fn.name, fn.help, fn.args, fn.examples, boom), ("A", 2026))
    assert result.startswith(udfs.ERROR_PREFIX) and "ZeroDivisionError" in result


def test_descriptions_fit_excels_limit():
    for fn in FUNCTIONS.values():
        assert 0 < len(fn.help) <= HELP_LIMIT
        for a in fn.args:
            assert 0 < len(a.help) <= HELP_LIMIT
        assert fn.examples


@pytest.fixture
def xlwings_udfs(monkeypatch):
    return load_xlwings_udfs(monkeypatch)


def test_registration_through_xlwings_own_decorators(xlwings_udfs):
    for fn in FUNCTIONS.values():
        udf = udfs.make_udf(fn, func=xlwings_udfs.xlfunc, arg=xlwings_udfs.xlarg)
        meta = udf.__xlfunc__
        assert meta["name"] == fn.name
        assert meta["category"] == CATEGORY
        # xlwings' reserved `caller` last: the calling cell, where a message is kept for VNG_FOUT
        assert [a["name"] for a in meta["args"]] == [a.name for a in fn.args] + ["caller"]
        assert meta["ret"]["doc"] == fn.help
        for declared, registered in zip(fn.args, meta["args"]):
            assert registered["doc"] == declared.help
            assert ("optional" in registered) == declared.optional
            if declared.errors:
                assert registered["options"] == {"convert": "range"}
            elif declared.range:
                assert registered["options"] == {"convert": np.array, "ndim": 2, "dtype": object, "err_to_str": True}
    # The decorated function still computes.
    udf = udfs.make_udf(FUNCTIONS["VNG_RAMING"], func=xlwings_udfs.xlfunc, arg=xlwings_udfs.xlarg)
    assert round(udf(39059724, "A", 2027)) == 41394714


@pytest.fixture
def com_udfs(xlwings_udfs):
    """Our UDFs decorated by xlwings' own decorators, keyed by name."""
    return {name: udfs.make_udf(fn, func=xlwings_udfs.xlfunc, arg=xlwings_udfs.xlarg) for name, fn in FUNCTIONS.items()}


def test_through_xlwings_converters_a_range_spills(com_udfs):
    bedragen = tuple((float(v[1]),) for v in doc.KERNORGANISATIE.values())
    types_ = tuple((v[0],) for v in doc.KERNORGANISATIE.values())
    result = call_like_excel(com_udfs["VNG_RAMING"], bedragen, types_, MISSING, MISSING, MISSING)
    assert len(result) == 10 and all(len(row) == 4 for row in result)
    assert [round(x) for x in result[0]] == list(doc.KERNORGANISATIE["Salarissen"][2:])
    single = call_like_excel(com_udfs["VNG_RAMING"], 39059724.0, "A", 2027.0, MISSING, MISSING)
    assert round(single[0][0]) == doc.KERNORGANISATIE["Salarissen"][3]


def test_through_xlwings_converters_an_empty_cell_is_named(com_udfs):
    result = call_like_excel(com_udfs["VNG_RAMING"], ((1.0,), ("",)), "A", 2027.0, MISSING, MISSING)
    assert result == [["#VNG! bedrag: een lege cel is geen getal (rij 2)"]]
    result = call_like_excel(com_udfs["VNG_RAMING"], ((1.0,), (2.0,)), (("A",), ("",)), 2027.0, MISSING, MISSING)
    assert result[0][0].startswith('#VNG! indextype: onbekend indextype ""')


def test_through_xlwings_converters_scalars_and_defaults(com_udfs):
    assert call_like_excel(com_udfs["VNG_CONTRIBUTIE"], 2026.0, 0.0, MISSING, MISSING, MISSING)[0][0] == pytest.approx(
        doc.VOORSTEL_2026
    )
    got = call_like_excel(com_udfs["VNG_GGU"], "overbegroting", 2027.0, *[MISSING] * 5)
    assert round(got[0][0]) == doc.GGU["overbegroting"][1]


def _dutch_number(text: str) -> tuple[float, float]:
    """The number a Dutch result text starts with, and half a unit of its last digit."""
    token = re.match(r"-?[\d.]+(?:,\d+)?", text).group(0)
    decimals = len(token.split(",")[1]) if "," in token else 0
    return float(token.replace(".", "").replace(",", ".")), 0.5 * 10.0**-decimals


EXAMPLES = [
    (fn.name, formula, result)
    for fn in FUNCTIONS.values()
    for formula, result in fn.examples
    if (result[:1].isdigit() or result[:1] == "-") and not re.search(r"\b[A-Z]{1,3}\d+\b", formula)
]


@pytest.mark.parametrize(("name", "formula", "result"), EXAMPLES, ids=[e[1] for e in EXAMPLES])
def test_documented_examples_give_what_they_say(name, formula, result):
    """Each example in the function reference, evaluated in Dutch notation by the headless evaluator."""
    from vng_xl.recalc.engine import evaluate

    expected, half_unit = _dutch_number(result)
    got = evaluate(formula, dutch=True).value
    assert abs(got - expected) <= half_unit, (formula, got)


def test_examples_cover_every_function():
    assert {name for name, _, _ in EXAMPLES} >= set(FUNCTIONS) - {"VNG_INDEXEN", "VNG_FOUT"}


def test_through_xlwings_converters_an_error_cell_is_named(com_udfs):
    result = call_like_excel(com_udfs["VNG_RAMING"], ((1.0,), (-2146826246,)), "A", 2027.0, MISSING, MISSING)
    assert result == [['#VNG! bedrag: "#N/A" is geen getal (rij 2)']]
