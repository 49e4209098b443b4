"""Index-set files (CSV, TOML), their validation, and the key outcomes per set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vng_xl.cli import main
from vng_xl.sources.indexsets import BadIndexFile, kadernota_set, kerncijfers, kies, lees_indexen

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

CSV_OK = "jaar;A;B\n2025;4,4%;2,5%\n2026;3,0%;2,4%\n2027;3,9%;2,2%\n2028;3,9%;2,2%\n2029;3,9%;2,2%\n"


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("cao.csv", CSV_OK),
        ("cao.csv", "\ufeff" + CSV_OK),  # BOM, as Excel writes it
        (
            "cao.csv",
            CSV_OK.replace(";", ",")
            .replace(",%", "%")
            .replace("4,4%", "0.044")
            .replace("3,0%", "0.03")
            .replace("3,9%", "0.039")
            .replace("2,5%", "0.025")
            .replace("2,4%", "0.024")
            .replace("2,2%", "0.022"),
        ),
        ("cao.csv", CSV_OK.replace("jaar;A;B", "Jaar;Loon;Prijs")),
        # columns and years in another order
        (
            "cao.csv",
            "jaar;B;A\n2029;2,2%;3,9%\n2028;2,2%;3,9%\n2027;2,2%;3,9%\n2026;2,4%;3,0%\n2025;2,5%;4,4%\n",
        ),
        (
            "cao.toml",
            (
                'jaren = [2025, 2026, 2027, 2028, 2029]\nA = ["4,4%", "3,0%", "3,9%", "3,9%", "3,9%"]\n'
                "B = [0.025, 0.024, 0.022, 0.022, 0.022]\n"
            ),
        ),
    ],
)
def test_the_same_set_in_every_accepted_spelling(tmp_path, name, text):
    (s,) = lees_indexen(_write(tmp_path, name, text))
    assert s.indexen.years.tolist() == [2025, 2026, 2027, 2028, 2029]
    np.testing.assert_allclose(s.indexen.rates[0], [0.044, 0.030, 0.039, 0.039, 0.039])
    np.testing.assert_allclose(s.indexen.rates[1], [0.025, 0.024, 0.022, 0.022, 0.022])


def test_cp1252_file_is_read(tmp_path):
    path = tmp_path / "cao.csv"
    path.write_bytes(("# bron: CAO-akkoord, geschat door de afdeling Financiën\n" + CSV_OK).encode("cp1252"))
    (s,) = lees_indexen(path)
    assert s.bron == "CAO-akkoord, geschat door de afdeling Financiën"


def test_csv_name_and_source_from_comments_or_file_name(tmp_path):
    (s,) = lees_indexen(_write(tmp_path, "hoog.csv", "# naam: CAO hoog\n# bron: eigen aanname\n" + CSV_OK))
    assert (s.naam, s.bron) == ("CAO hoog", "eigen aanname")
    (s,) = lees_indexen(_write(tmp_path, "laag.csv", CSV_OK))
    assert (s.naam, s.bron) == ("laag", "")


def test_toml_with_several_named_sets():
    sets = lees_indexen(EXAMPLES / "indexen_cao.toml")
    assert [s.naam for s in sets] == ["CAO 2026 +1 procentpunt", "CAO 2026 +2 procentpunt"]
    assert kies(sets, "cao 2026 +2 procentpunt") is sets[1]
    assert kies(sets, None) is sets[0]
    with pytest.raises(BadIndexFile, match="no set"):
        kies(sets, "onbekend")


YEARS = "jaar;A;B\n"
BAD_CSV = [
    ("", "is empty"),
    ("# alleen commentaar\n", "is empty"),
    ("jaar;A;C\n2026;2%;2%\n", 'unknown column "C"'),
    ("jaar;A;A\n2026;2%;2%\n", 'column "A" appears twice'),
    ("jaar;loon;A\n2026;2%;2%\n", 'column "A" appears twice'),
    ("jaar;A\n2026;2%\n", "column B is missing"),
    (YEARS + "2026;2%\n", "line 2: 2 fields, the header has 3"),
    (YEARS + "twintig;2%;2%\n", 'line 2: "twintig" is not a year'),
    (YEARS + "2026,5;2%;2%\n", "is not a year"),
    (YEARS + "2026;twee;2%\n", 'line 2, index A: "twee" is not a number'),
    (YEARS + "2026;2%;\n", "line 2, index B: empty"),
    (YEARS + "2026;3,9;2%\n", "looks like a percentage"),
    # A `;` file is in Dutch notation: a decimal point is refused, never read as either.
    (YEARS + "2026;0.039;2%\n", 'line 2, index A: "0.039" is ambiguous'),
    (YEARS + "2026;3.9%;2%\n", 'line 2, index A: "3.9%" is ambiguous'),
    (YEARS + "2026;2,5,1%;2%\n", 'line 2, index A: "2,5,1%" is not a number'),
    (YEARS + "2.026;2%;2%\n", 'line 2: "2.026" is not a year'),
    (YEARS + "2026;-120%;2%\n", "line 2, index A: an index of -100% or lower"),
    (YEARS + "2026;2%;2%\n2026;2%;2%\n", "year 2026 appears twice"),
    (YEARS + "2026;2%;2%\n2028;2%;2%\n2029;2%;2%\n", "2027 is missing"),
    (YEARS + "2026;2%;2%\n2027;2%;2%\n2028;2%;2%\n", "do not cover the projection 2026-2029"),
    (YEARS + "2027;2%;2%\n2028;2%;2%\n2029;2%;2%\n", "do not cover the projection 2026-2029"),
]


@pytest.mark.parametrize(("text", "message"), BAD_CSV)
def test_malformed_csv_is_refused_with_a_clear_message(tmp_path, text, message):
    with pytest.raises(BadIndexFile) as info:
        lees_indexen(_write(tmp_path, "fout.csv", text))
    assert message in info.value.en
    assert info.value.en.startswith("fout.csv: ")
    assert info.value.nl.startswith("fout.csv: ") and info.value.nl != info.value.en


TOML_YEARS = "jaren = [2026, 2027, 2028, 2029]\n"
BAD_TOML = [
    ("jaren = [2026", "not valid TOML"),
    ("A = [0.02]\nB = [0.02]\n", "jaren is missing or not a list"),
    (TOML_YEARS + "A = [0.02, 0.02, 0.02, 0.02]\n", "B is missing"),
    (TOML_YEARS + "A = [0.02, 0.02, 0.02]\nB = [0.02, 0.02, 0.02, 0.02]\n", "differ in length"),
    (TOML_YEARS + "A = [0.02, 0.02, 0.02, 2]\nB = [0.02, 0.02, 0.02, 0.02]\n", "looks like a percentage"),
    (
        TOML_YEARS + "A = [0.02, 0.02, 0.02, true]\nB = [0.02, 0.02, 0.02, 0.02]\n",
        'A 2029: "True" is not a number',
    ),
    (TOML_YEARS + "A = [0.02, 0.02, 0.02, 0.02]\nB = [0.02, 0.02, 0.02, 0.02]\nC = 1\n", 'unknown key "C"'),
    (
        "[[indexen]]\nnaam = 'x'\n" + TOML_YEARS + "A = [0.02, 0.02, 0.02, 0.02]\nB = [0.02, 0.02, 0.02, 0.02]\n"
        "[[indexen]]\nnaam = 'x'\n" + TOML_YEARS + "A = [0.03, 0.02, 0.02, 0.02]\nB = [0.02, 0.02, 0.02, 0.02]\n",
        'the name "x" appears twice',
    ),
    ("indexen = 3\n", "must be an array of tables"),
]


@pytest.mark.parametrize(("text", "message"), BAD_TOML)
def test_malformed_toml_is_refused_with_a_clear_message(tmp_path, text, message):
    with pytest.raises(BadIndexFile) as info:
        lees_indexen(_write(tmp_path, "fout.toml", text))
    assert message in info.value.en


def test_other_extensions_and_missing_files_are_refused(tmp_path):
    with pytest.raises(BadIndexFile, match="expected a .csv or .toml file"):
        lees_indexen(_write(tmp_path, "cao.xlsx", "x"))
    with pytest.raises(BadIndexFile, match="cannot be read"):
        lees_indexen(tmp_path / "weg.csv")


def test_kadernota_set_reproduces_the_published_key_outcomes():
    k = kerncijfers(kadernota_set())
    assert k.jaren.tolist() == [2026, 2027, 2028, 2029]
    np.testing.assert_allclose(k.ontwikkeling, [0.021, 0.036, 0.036, 0.036])
    np.testing.assert_allclose(k.contributie, [0.031, 0.046, 0.046, 0.046])
    assert np.round(k.salarissen).tolist() == [39840918, 41394714, 43009108, 44686463]
    assert np.round(k.ggu_indexatie).tolist() == [1723, 3016, 3125, 3237]
    assert np.round(k.herprioritering).tolist() == [-465, -916, -1399, -1449]


def test_a_faster_cao_raises_the_salary_line_and_the_contribution(tmp_path):
    (s,) = lees_indexen(_write(tmp_path, "cao.csv", CSV_OK))
    k = kerncijfers(s)
    # 39,059,724 × 1.030 = 40,231,515.72; then × 1.039 = 41,800,544.83
    assert np.round(k.salarissen[:2]).tolist() == [40231516, 41800545]
    # Weighted 2026: the A lines (Salarissen, Dekking Uren, Doorbelasting Salarissen) are 27,862,428
    # of 34,106,607: 0.8169 × 3.0% + 0.1831 × 2.4% = 2.89% -> 2.9%.
    assert k.ontwikkeling[0] == pytest.approx(0.029)
    assert k.contributie[0] == pytest.approx(0.039)
    # Fonds GGU indexatie 2026: 82,055 × 2.9% = 2,379.6 (€ 1,000).
    assert k.ggu_indexatie[0] == pytest.approx(82055 * 0.029)


def test_raming_with_indexen_prints_the_tables_and_the_comparison(capsys):
    assert main(["raming", "--indexen", str(EXAMPLES / "indexen_cao.csv")]) == 0
    out = capsys.readouterr().out
    assert "Loonontwikkeling                   A  4,40%  3,00%" in out
    assert "40.231.516" in out  # Salarissen 2026 with the higher CAO
    assert "Kadernota (CPB CEP 2025)" in out and "CAO 2026 +1 procentpunt" in out


def test_raming_with_a_malformed_file_exits_1_with_the_message(tmp_path, capsys):
    path = _write(tmp_path, "fout.csv", "jaar;A;C\n")
    assert main(["raming", "--indexen", str(path)]) == 1
    err = capsys.readouterr().err
    assert 'fout.csv: unknown column "C"' in err
