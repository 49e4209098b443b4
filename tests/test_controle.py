"""The Controle: published figures against the model, and the slips that explain the differences."""

from __future__ import annotations

import pytest

from tests import kadernota_figures as doc
from vng_xl.cli import main
from vng_xl.controle.bevindingen import Status, controleer, inwoners_bereik
from vng_xl.controle.rekenketen import GGU_BEGROTING, KERN, PER_INWONER, keten
from vng_xl.data import gepubliceerd, kadernota_2026

JAREN = [2025, 2026, 2027, 2028, 2029]
#: The document's line names -> the posts' keys (the names are labels; the check joins on keys).
POST = {
    **dict(zip(kadernota_2026().regels, kadernota_2026().ids)),
    "Totaal": "totaal",
    "Totaal doorbelasting van kosten en overige baten": "totaal_doorbelasting",
    "Kosten 'Kernorganisatie'": "kosten_kernorganisatie",
}


def _pub_with(line: str, year: int, value: float, pub=None):
    return (pub or gepubliceerd()).met({(KERN, POST[line], year): value})


def _check(pub: dict | None = None, **kw):
    return controleer(keten(pub=pub) if pub is not None else None, **kw)


def test_discrepancies_in_the_kadernota_are_the_known_ones():
    c = _check()
    afwijkingen = {(b.post, b.jaar) for b in c.afwijkingen}
    assert afwijkingen == {
        (POST[post], jaar)
        for post in ("Activiteitskosten", "Totaal", "Kosten 'Kernorganisatie'")
        for jaar in (2027, 2028, 2029)
    }
    afronding = {(b.post, b.jaar) for b in c.bevindingen if b.status is Status.AFRONDING}
    assert afronding == {
        (POST["Doorbelasting Salarissen Gelieerde instellingen"], 2027),
        (POST["Doorbelasting Salarissen Gelieerde instellingen"], 2028),
    }
    assert not c.in_orde


def test_every_published_figure_is_checked_once():
    c = _check()
    # Counted from the document: 13 lines of the kernorganisatie over 5 years; ontwikkeling, ingroei and
    # stijging over 5 years and the voorstel 2026; 7 chapters and 9 posts of the fund over 4 years (with the
    # Totaal inclusief indexatie); the 16 figures of the second Fonds GGU table (2026); 2 per inwoner.
    fonds = 4 * (len(doc.GGU_HOOFDSTUKKEN) + len(doc.GGU) + 1) + len(doc.GGU_OMVANG_2026)
    expected = 5 * (len(doc.KERNORGANISATIE) + 3) + 3 * 5 + 1 + fonds + 2
    assert expected == 163
    keys = [b.sleutel for b in c.bevindingen]
    assert len(keys) == expected
    assert set(keys) == set(gepubliceerd().cijfers()) and len(set(keys)) == expected
    assert all(b.status is Status.GELIJK for b in c.bevindingen if b.tabel.startswith("ggu_"))


@pytest.mark.parametrize("jaar", [2027, 2028, 2029])
def test_activiteitskosten_is_explained_by_index_a_in_2027(jaar):
    b = _check().vind(KERN, "activiteitskosten", jaar)
    assert [(v.soort, v.jaar) for v in b.vergissingen] == [("ander_indextype", 2027)]
    assert "index A" in b.verklaring_nl and "in plaats van B" in b.verklaring_nl
    # 1,081,337 × 1.024 × 1.039 (× 1.022 × 1.022): the published figures, by hand.
    assert round(b.vergissingen[0].waarden[jaar]) == {2027: 1150473, 2028: 1175784, 2029: 1201651}[jaar]


@pytest.mark.parametrize("jaar", [2027, 2028])
def test_doorbelasting_salarissen_is_rounding_between_years(jaar):
    b = _check().vind(KERN, "doorbelasting_gelieerd", jaar)
    assert [v.soort for v in b.vergissingen] == ["afronding"]
    # round(-869,056 × 1.039) = -902,949; round(-902,949 × 1.039) = -938,164.
    assert b.vergissingen[0].waarden[jaar] == {2027: -902949, 2028: -938164}[jaar]


@pytest.mark.parametrize("post", ["Totaal", "Kosten 'Kernorganisatie'"])
@pytest.mark.parametrize("jaar", [2027, 2028, 2029])
def test_totals_follow_from_the_explained_line(post, jaar):
    b = _check().vind(KERN, POST[post], jaar)
    assert "Activiteitskosten de verklaarde waarde" in b.verklaring_nl
    assert b.verklaard


def test_a_total_equal_to_its_published_parts_says_so():
    b = _check().vind(KERN, "kosten_kernorganisatie", 2027)
    # 43,968,046 + -7,886,470 = 36,081,576, as published.
    assert b.verklaring_nl.startswith("gelijk aan Totaal plus Totaal doorbelasting")


# Planted slips, each published figure computed by hand from the Begroting 2025 and the indexes
# (A: 2026 2.0%, 2027-29 3.9%; B: 2026 2.4%, 2027-29 2.2%).
PLANTED = [
    ("Overige bedrijfskosten", 2028, round(1370031 * 1.024 * 1.022), "index_overgeslagen", 2027),
    ("Overige bedrijfskosten", 2028, round(1370031 * 1.024 * 1.022 * 1.022 * 1.022), "index_dubbel", 2028),
    ("Afschrijvingen", 2027, round(1778619 * 1.024 * (1 - 0.022)), "index_afgetrokken", 2027),
    ("Salarissen", 2029, round(39059724 * 1.020 * 1.039 * 1.039 * 1.022), "ander_indextype", 2029),
    ("Overige baten", 2026, 621568, "teken", None),
    # round(round(round(2,362,584 × 1.024) × 1.022) × 1.022) = 2,526,905 (unrounded: 2,526,905.54)
    (
        "Overige Personeelskosten",
        2028,
        round(round(round(2362584 * 1.024) * 1.022) * 1.022),
        "afronding",
        None,
    ),
]


@pytest.mark.parametrize(("line", "year", "value", "soort", "slip_year"), PLANTED)
def test_a_planted_slip_is_found(line, year, value, soort, slip_year):
    b = _check(_pub_with(line, year, value)).vind(KERN, POST[line], year)
    assert b.status is not Status.GELIJK
    assert (soort, slip_year) in [(v.soort, v.jaar) for v in b.vergissingen]


def test_rounding_chain_planted_differs_from_the_model():
    # Guard for the table above: the planted rounding chain must not equal the unrounded model's figure.
    value = PLANTED[-1][2]
    assert value != round(2362584 * 1.024 * 1.022 * 1.022)


def test_a_figure_no_slip_explains_is_reported_as_such():
    c = _check(_pub_with("Afschrijvingen", 2028, 1902325 + 5000))
    b = c.vind(KERN, "afschrijvingen", 2028)
    assert b.status is Status.AFWIJKING
    assert not b.vergissingen and not b.verklaard
    assert b.verklaring_nl.startswith("geen van de onderzochte vergissingen")


def test_a_total_off_by_the_lines_rounding_is_within_rounding():
    pub = _pub_with("Totaal", 2026, 42515962 + 1)
    b = _check(pub).vind(KERN, "totaal", 2026)
    assert b.status is Status.AFRONDING


def _corrected():
    """The published tables with the figures the rules give (computed by hand, see the comments)."""
    figures = {
        # 1,081,337 × 1.024 × 1.022^n
        "activiteitskosten": [1131649, 1156546, 1181990],
        # Sums of the unrounded lines, rounded: the published totals minus the 18,824 / 19,238 / 19,661
        # that the Activiteitskosten slip added.
        "totaal": [43949222, 45433431, 46970470],
        "kosten_kernorganisatie": [36062752, 37358109, 38701542],
    }
    return gepubliceerd().met(
        {(KERN, post, jaar): v for post, values in figures.items() for jaar, v in zip(JAREN[2:], values)}
    )


def test_exit_code_zero_when_every_figure_is_reproduced_or_within_rounding():
    c = _check(_corrected())
    assert c.in_orde
    assert not c.afwijkingen


def test_workbook_values_are_compared_instead_of_the_model():
    shown = {(KERN, "salarissen"): {2026: 39840918.0, 2027: 41_000_000.0}}
    c = _check(berekend=shown)
    assert c.vind(KERN, "salarissen", 2027).status is Status.AFWIJKING
    assert c.vind(KERN, "salarissen", 2026).status is Status.GELIJK


def test_ggu_chapter_slip_is_found():
    # Hoofdstuk 2: 28,695 with the 2028 index (3.6%) skipped: 28,695 × 1.036 = 29,728 in 2028.
    pub = gepubliceerd().met({(GGU_BEGROTING, "hoofdstuk_2", 2028): round(28695 * 1.036)})
    b = _check(pub).vind(GGU_BEGROTING, "hoofdstuk_2", 2028)
    assert ("index_overgeslagen", 2028) in [(v.soort, v.jaar) for v in b.vergissingen]


# Per inwoner: the bijdrage leden 2026 is 82,055 × 1.021 = 83,778.155 thousand euros.
BIJDRAGE_2026 = 83_778_155.0


@pytest.mark.parametrize(("bijdrage", "per_inwoner"), [(BIJDRAGE_2026, 4.644), (82_055_000.0, 4.574), (1000.0, 3.003)])
def test_inwoners_range_is_exact(bijdrage, per_inwoner):
    low, high = inwoners_bereik(bijdrage, per_inwoner)
    assert low <= high
    assert round(bijdrage / low, 3) == per_inwoner and round(bijdrage / high, 3) == per_inwoner
    assert round(bijdrage / (low - 1), 3) != per_inwoner
    assert round(bijdrage / (high + 1), 3) != per_inwoner


def test_inwoners_range_is_empty_when_no_count_fits():
    low, high = inwoners_bereik(1000.0, 3.0)  # 1000 / 333 = 3.003, 1000 / 334 = 2.994
    assert low > high


def test_per_inwoner_without_a_count_gives_the_range():
    b = _check().vind(PER_INWONER, "bijdrage", 2026)
    assert b.status is Status.ONBEKEND
    low, high = inwoners_bereik(BIJDRAGE_2026, 4.644)
    assert f"{low:,}".replace(",", ".") in b.verklaring_nl and f"{high:,}".replace(",", ".") in b.verklaring_nl


def test_per_inwoner_with_a_count_is_checked():
    c = _check(inwoners=18_040_000)  # 83,778,155 / 18,040,000 = 4.64402
    assert c.vind(PER_INWONER, "bijdrage", 2026).status is Status.GELIJK
    # The count serves the fund's years; 2025's figure (the fund before indexation) keeps its range.
    assert c.vind(PER_INWONER, "bijdrage", 2025).status is Status.ONBEKEND


@pytest.mark.parametrize("count", [None, 0, -5, float("nan")])
def test_no_usable_count_leaves_the_range(count):
    b = _check(inwoners=count).vind(PER_INWONER, "bijdrage", 2026)
    assert b.status is Status.ONBEKEND and "18.038.143 tot en met 18.042.027" in b.verklaring_nl


def test_per_inwoner_with_a_count_that_does_not_fit():
    b = _check(inwoners=18_000_000).vind(PER_INWONER, "bijdrage", 2026)  # 4.65434
    assert b.status is Status.AFWIJKING
    assert "18.038.143 tot en met 18.042.027 inwoners" in b.verklaring_nl


def test_cli_prints_the_explanations_and_exits_1(capsys):
    assert main(["controle"]) == 1
    out = capsys.readouterr().out
    assert "Activiteitskosten" in out and "index A (loonontwikkeling, 3,9%)" in out
    assert "9 afwijkingen, waarvan 9 verklaard." in out
    assert "\nSalarissen " not in out  # reproduced figures are left out unless --alles


def test_cli_in_english(capsys):
    assert main(["controle", "--english"]) == 1
    out = capsys.readouterr().out
    assert "reproduced if in 2027 index A (3.9%) was used instead of B (2.2%)" in out


# Every kind of slip on every cost line, planted in 2029's published figure and computed here with a
# plain loop (independent of the code under test); the check must name the planted slip.
INDEX = {
    "A": {2026: 0.020, 2027: 0.039, 2028: 0.039, 2029: 0.039},
    "B": {2026: 0.024, 2027: 0.022, 2028: 0.022, 2029: 0.022},
}
REGELS = [
    ("Salarissen", "A", 39059724),
    ("Overige Personeelskosten", "B", 2362584),
    ("Afschrijvingen", "B", 1778619),
    ("Kantoor- en huisvestingskosten", "B", 6324645),
    ("Overige bedrijfskosten", "B", 1370031),
    ("Dekking Uren", "A", -10345280),
    ("Activiteitskosten", "B", 1081337),
    ("Doorbelasting Kosten Bedrijven", "B", -6066037),
    ("Doorbelasting Salarissen Gelieerde instellingen", "A", -852016),
    ("Overige baten", "B", -607000),
]
SOORTEN = ["ander_indextype", "index_overgeslagen", "index_dubbel", "index_afgetrokken", "afronding", "teken"]


def _half_up(x: float) -> int:
    from decimal import ROUND_HALF_UP, Decimal

    return int(Decimal(repr(x)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _planted(begroting: float, typ: str, soort: str, slip_year: int, target: int = 2029) -> int:
    other = "B" if typ == "A" else "A"
    value = float(begroting)
    for year in range(2026, target + 1):
        rate = INDEX[typ][year]
        if year == slip_year:
            rate = {
                "ander_indextype": INDEX[other][year],
                "index_overgeslagen": 0.0,
                "index_dubbel": (1 + rate) ** 2 - 1,
                "index_afgetrokken": -rate,
            }.get(soort, rate)
        value *= 1 + rate
        if soort == "afronding":
            value = _half_up(value)
    return _half_up(-value if soort == "teken" else value)


@pytest.mark.parametrize("soort", SOORTEN)
@pytest.mark.parametrize(("line", "typ", "begroting"), REGELS)
def test_every_slip_on_every_line_is_found(line, typ, begroting, soort):
    value = _planted(begroting, typ, soort, slip_year=2028)
    unplanted = _planted(begroting, typ, "geen", slip_year=0)
    if value == unplanted:
        pytest.skip("this slip leaves this line's figure unchanged")
    # Without the document's own Activiteitskosten slip, which would explain 2029 too.
    pub = _pub_with(line, 2029, value, _corrected())
    b = _check(pub).vind(KERN, POST[line], 2029)
    assert b.status is not Status.GELIJK
    expected_year = None if soort in ("afronding", "teken") else 2028
    assert (soort, expected_year) in [(v.soort, v.jaar) for v in b.vergissingen], b.verklaring_nl


def test_the_chain_computes_what_the_model_computes():
    # The chain lays the model out post by post for the slip search; it must not become a second model.
    import numpy as np

    from vng_xl.controle.rekenketen import CONTRIBUTIE, GGU_DEKKING
    from vng_xl.data import kadernota_2026
    from vng_xl.model.kadernota import bereken

    kn = kadernota_2026()
    u, w = bereken(kn), keten(kn).bereken()
    for i, regel in enumerate(kn.ids):
        np.testing.assert_allclose([w[(KERN, regel)][int(y)] for y in u.jaren], u.raming[i], rtol=1e-12)
    np.testing.assert_allclose(
        [w[(KERN, "kosten_kernorganisatie")][int(y)] for y in u.jaren], u.kosten_kernorganisatie, rtol=1e-12
    )
    np.testing.assert_allclose([w[(CONTRIBUTIE, "stijging")][int(y)] for y in u.jaren[1:]], u.contributie[1:])
    g = u.ggu
    for name, values in [
        ("bijdrage", g.bijdrage),
        ("fonds", g.fonds),
        ("indexatie", g.indexatie),
        ("overbegroting", g.overbegroting),
        ("dekking", g.dekking),
    ]:
        np.testing.assert_allclose([w[(GGU_DEKKING, name)][int(y)] for y in g.jaren], values, rtol=1e-12)
    for name, values in [("basisbegroting", g.basisbegroting), ("herprioritering", g.herprioritering)]:
        np.testing.assert_allclose([w[(GGU_BEGROTING, name)][int(y)] for y in g.jaren], values, rtol=1e-12)


def test_a_slip_is_the_model_run_with_that_one_input_changed():
    # "Index A instead of B for Activiteitskosten in 2027" is the model's raming of that line with
    # index B of 2027 replaced by index A of 2027; nothing else differs.
    import numpy as np

    from vng_xl.model import Indexen, index_types, raming

    kn = kadernota_2026()
    i = kn.ids.index("activiteitskosten")
    rates = np.array(kn.indexen.rates)
    rates[1, 2027 - 2025] = rates[0, 2027 - 2025]
    jaren = np.arange(2025, 2030)
    expected = raming(kn.begroting[i : i + 1], index_types(["B"]), jaren, 2025, Indexen(kn.indexen.years, rates))[0]
    [slip] = [v for v in _check().vind(KERN, "activiteitskosten", 2027).vergissingen]
    np.testing.assert_allclose([slip.waarden[int(j)] for j in jaren], expected, rtol=1e-15)
