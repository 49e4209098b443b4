"""The CBS list of municipalities and the Fonds GGU bill per municipality."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vng_xl.cli import main
from vng_xl.sources.gemeenten import (
    BadGemeenten,
    Gemeente,
    bijdrage_leden,
    gemeentecode,
    lees_gemeenten,
    rekening,
)

# A made-up list: three municipalities with round counts (not real population figures).
LIJST = "Gemeentecode;Gemeentenaam;Inwoners\nGM0001;Aastad;10.000\nGM0002;Beedorp;20000\nGM0003;Ceeveen;30000,0\n"
VERWACHT = [
    Gemeente("GM0001", "Aastad", 10000),
    Gemeente("GM0002", "Beedorp", 20000),
    Gemeente("GM0003", "Ceeveen", 30000),
]


def _read(text: str, name: str = "gemeenten.csv"):
    return lees_gemeenten(name, text)


@pytest.mark.parametrize(
    "text",
    [
        LIJST,
        "\ufeff" + LIJST,  # BOM
        LIJST.replace(";", ",").replace("30000,0", '"30000,0"'),  # comma separated, quoted decimal comma
        LIJST.replace(";", "\t"),
        '"Regionale kerncijfers Nederland"\n' + LIJST + '"Bron: CBS"\n',  # StatLine title and source lines
        LIJST.replace("Gemeentecode;Gemeentenaam;Inwoners", "RegioS;Regio's;Perioden;Totale bevolking (aantal)")
        .replace("Aastad;", "Aastad;2025JJ00;")
        .replace("Beedorp;", "Beedorp;2025JJ00;")
        .replace("Ceeveen;", "Ceeveen;2025JJ00;"),
        LIJST.replace("GM0001", "0001").replace("GM0002", "2").replace("Aastad", "  Aastad  "),
        "Code;Naam;Aantal inwoners\nGM0001;Aastad;10000\nGM0002;Beedorp;20.000\nGM0003;Ceeveen;30.000,0\n",
    ],
)
def test_cbs_variants_are_read(text):
    assert _read(text) == VERWACHT


def test_cp1252_names(tmp_path):
    path = tmp_path / "g.csv"
    path.write_bytes("Gemeentecode;Gemeentenaam;Inwoners\nGM1900;Súdwest-Fryslân;1000\n".encode("cp1252"))
    assert lees_gemeenten(path)[0].naam == "Súdwest-Fryslân"


HEADER = "Gemeentecode;Gemeentenaam;Inwoners\n"
BAD = [
    ("", "the file is empty"),
    ('"Alleen een titel"\n', "no header row"),
    ("Gemeentecode;Gemeentenaam;Inwoners;Oppervlakte\nGM0001;A;1;2\n", 'unknown column "Oppervlakte"'),
    ("Gemeentecode;Gemeentenaam\nGM0001;A\n", "the column inwoners is missing"),
    ("Gemeentecode;Code;Gemeentenaam;Inwoners\n", "two columns for code"),
    (HEADER, "no municipalities below the header"),
    (HEADER + "GM0001;A;1\nGM0001;B;2\n", "line 3: municipality code GM0001 already on line 2"),
    (HEADER + "GM0001;A;1\n1;B;2\n", "line 3: municipality code GM0001 already on line 2"),
    (HEADER + "GM0001;Aa;1\nGM0002;aa;2\n", 'line 3: municipality "aa" already on line 2'),
    (HEADER + "GM0001;A;-5\n", 'line 2 (A): inhabitants: "-5" must be above 0'),
    (HEADER + "GM0001;A;veel\n", 'line 2 (A): inhabitants: "veel" is not a number'),
    (HEADER + "GM0001;A;\n", "line 2 (A): inhabitants: empty"),
    (HEADER + "GM0001;;10\n", "line 2: the municipality name is empty"),
    (HEADER + "NL01;Nederland;18000000\n", '"NL01" is not a municipality code'),
    (HEADER + "PV20;Groningen;600000\n", '"PV20" is not a municipality code'),
    (HEADER + "GM0001;A\n", "line 2: 2 fields, the header has 3"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_lists_are_refused_with_a_clear_message(text, message):
    with pytest.raises(BadGemeenten) as info:
        _read(text)
    assert message in info.value.en
    assert info.value.en.startswith("gemeenten.csv: ") and info.value.nl.startswith("gemeenten.csv: ")


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        ("1.234.567", 1234567),
        ("1234567", 1234567),
        ("12.345", 12345),
        ("12345,0", 12345),
        (" 17 ", 17),
        ("931.298", 931298),
    ],
)
def test_counts_are_read_in_dutch_notation(count, expected):
    (g,) = _read(HEADER + f"GM0363;Amsterdam;{count}\n")
    assert g.inwoners == expected


@pytest.mark.parametrize(
    ("count", "message"),
    [
        # 931,298 in Dutch notation is 931 point 298: no whole count, refused (it was read as 931).
        ('"931,298"', 'line 2 (Amsterdam): inhabitants: "931,298" is not a whole number'),
        ("1.234,5", '"1.234,5" is not a whole number'),
        ('"1,234,567"', '"1,234,567" is ambiguous'),  # English notation
        ("1.2.3", '"1.2.3" is not a number'),
        ("12.34", '"12.34" is ambiguous'),
        ("0", '"0" must be above 0'),
        ("--1", '"--1" is not a number'),
        ("12a", '"12a" is not a number'),
    ],
)
def test_counts_that_are_not_whole_dutch_numbers_above_0_are_refused(count, message):
    with pytest.raises(BadGemeenten) as info:
        _read(HEADER + f"GM0363;Amsterdam;{count}\n")
    assert message in info.value.en


def test_a_comma_separated_list_with_a_quoted_decimal_count_is_refused_not_truncated(capsys):
    """The reported case: the list's reconciliation looked fine while Amsterdam counted 931 inhabitants."""
    text = 'Gemeentecode,Gemeentenaam,Inwoners\nGM0363,Amsterdam,"931,298"\n'
    with pytest.raises(BadGemeenten, match="not a whole number"):
        _read(text)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("GM0363", "GM0363"),
        ("gm0363", "GM0363"),
        ("363", "GM0363"),
        ("0014", "GM0014"),
        ("NL01", None),
        ("GM12345", None),
        ("", None),
    ],
)
def test_gemeentecode(value, code):
    assert gemeentecode(value) == code


def test_bill_reconciles_with_the_bijdrage_leden():
    # Bijdrage leden 2026: 82,055 × 1.021 = 83,778.155 thousand euros.
    assert bijdrage_leden(2026) == pytest.approx(83_778_155)
    r = rekening(VERWACHT, 83_778_155.0, 2026)
    # 83,778,155 / 60,000 = 1,396.30258 -> € 1,396.303 per inwoner
    assert r.per_inwoner == 1396.303
    assert r.bedragen == (13_963_030.0, 27_926_060.0, 41_889_090.0)
    assert r.totaal == 83_778_180.0
    assert r.verschil == pytest.approx(25.0)


def test_bill_with_a_given_national_count():
    r = rekening(VERWACHT, 83_778_155.0, 2026, inwoners=120_000)
    # 83,778,155 / 120,000 = 698.15129 -> 698.151; the list covers half the count
    assert r.per_inwoner == 698.151
    assert r.totaal == pytest.approx(698.151 * 60_000)
    assert r.verschil == pytest.approx(698.151 * 60_000 - 83_778_155)


def test_bijdrage_leden_2025_is_the_fund_before_indexation():
    assert bijdrage_leden(2025) == pytest.approx(82_055_000)
    with pytest.raises(BadGemeenten, match="choose 2025-2029"):
        bijdrage_leden(2031)


def test_cli_prints_the_bill(tmp_path, capsys):
    path = tmp_path / "g.csv"
    path.write_text(LIJST, encoding="utf-8")
    assert main(["gemeenten", str(path), "--bron", "testlijst"]) == 0
    out = capsys.readouterr().out
    assert "€ 1.396,303 per inwoner" in out
    assert "13.963.030,00" in out and "Verschil" in out and "25,00" in out


def test_cli_refuses_a_bad_list(tmp_path, capsys):
    path = tmp_path / "g.csv"
    path.write_text(HEADER + "GM0001;A;-5\n", encoding="utf-8")
    assert main(["gemeenten", str(path)]) == 1
    assert capsys.readouterr().err == 'vng-xl gemeenten: g.csv: line 2 (A): inhabitants: "-5" must be above 0\n'


@st.composite
def _lijsten(draw):
    """Lists of municipalities with distinct codes and names, counts from 1 to a million."""
    n = draw(st.integers(1, 25))
    codes = draw(st.lists(st.integers(1, 9999), min_size=n, max_size=n, unique=True))
    names = draw(
        st.lists(
            st.text("abcdefghijklmnopqrstuvwxyzâ -'", min_size=1, max_size=20).map(str.strip).filter(bool),
            min_size=n,
            max_size=n,
            unique_by=str.lower,
        )
    )
    counts = draw(st.lists(st.integers(1, 1_000_000), min_size=n, max_size=n))
    return [Gemeente(f"GM{c:04d}", name, float(k)) for c, name, k in zip(codes, names, counts)]


def _dutch(count: float) -> str:
    return f"{int(count):,}".replace(",", ".")


@settings(max_examples=60, deadline=None)
@given(_lijsten(), st.sampled_from([";", ",", "\t"]), st.booleans(), st.booleans())
def test_any_list_written_as_cbs_does_reads_back(gemeenten, sep, bom, dots):
    lines = ["Gemeentecode" + sep + "Gemeentenaam" + sep + "Inwoners"]
    for g in gemeenten:
        count = _dutch(g.inwoners) if dots else str(int(g.inwoners))
        lines.append(sep.join([g.code, f'"{g.naam}"', f'"{count}"' if sep == "," else count]))
    text = ("\ufeff" if bom else "") + "\n".join(lines) + "\n"
    assert _read(text) == gemeenten


@settings(max_examples=40, deadline=None)
@given(_lijsten(), st.floats(1e6, 1e9))
def test_the_bill_reconciles_within_half_a_cent_per_inhabitant(gemeenten, bijdrage):
    total = sum(g.inwoners for g in gemeenten)
    if total == 0:
        return
    r = rekening(gemeenten, bijdrage, 2026)
    # per inwoner is rounded to 0.001 and each bill to cents: the total is off by at most that much.
    assert abs(r.verschil) <= 0.0005 * total + 0.005 * len(gemeenten) + 1e-6
