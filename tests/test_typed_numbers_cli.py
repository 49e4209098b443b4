"""Numbers typed on the command line (--set, --inwoners): Dutch notation, and a refusal changes nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.workbook_fixtures import built_workbook, cached_values, copy_of
from vng_xl.cli import main


def _refresh(tmp_path: Path, *sets: str) -> tuple[int, Path]:
    path = copy_of(built_workbook(), tmp_path)
    code = main(["refresh", str(path), *[a for s in sets for a in ("--set", s)]])
    return code, path


def test_set_reads_dutch_thousands(tmp_path, capsys):
    """82.055 is the fund of € 82.055 thousand (DOMAIN.md), not 82."""
    code, path = _refresh(tmp_path, "Parameters!B15=82.055", "Parameters!B20=18.044.027", "Parameters!C7=3,0%")
    assert code == 0, capsys.readouterr().err
    ws = cached_values(path)["Parameters"]
    assert ws["B15"].value == 82055
    assert ws["B20"].value == 18044027
    assert ws["C7"].value == pytest.approx(0.03)


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        (["Parameters!C7=veel"], '--set Parameters!C7=veel: "veel" is not a number'),
        (["Parameters!C7="], "--set Parameters!C7=: empty; --set clears no cells"),
        (["Parameters!G7"], "--set Parameters!G7: expected SHEET!CELL=VALUE"),
        (["C7=0,03"], "expected SHEET!CELL=VALUE"),
        (["Parameters!=0,03"], "expected SHEET!CELL=VALUE"),
        (["Parameters!ZZZZ9=1"], '"ZZZZ9" is not a cell'),
        (["Parameters!A0=1"], '"A0" is not a cell'),
        (["Parameters!C7D=1"], '"C7D" is not a cell'),
        (["Nope!A1=1"], 'the workbook has no sheet "Nope" with input cells'),
        (["Parameters!A1=1"], "A1 is not an input cell of sheet Parameters"),
        (["Parameters!B3=1"], "B3 is not an input cell"),  # the status cell is the refresh's own
        (["Controle!H6=1"], "H6 is not an input cell of sheet Controle"),
        (["Parameters!C7=1.5"], '"1.5" is ambiguous'),  # 1,5 or 1.500: never guessed
        (["Parameters!C7=3"], '"3" looks like a percentage'),
        (["Parameters!B15=€ 82.055"], "without the € sign"),
        (["Parameters!B20=-5"], '"-5" must be above 0'),
        (["Parameters!B20=931,298"], '"931,298" is not a whole number'),
        (["Parameters!B6=2.025"], '"2.025" is not a year'),
        (["Kernorganisatie!B5=X"], 'unknown index type "X"'),
        (["Parameters!C7=0,03", "Parameters!c7=0,04"], "given twice"),
        # The first is right, the second wrong: nothing of either is written.
        (["Parameters!B15=90.000", "Parameters!D7=veel"], '--set Parameters!D7=veel: "veel" is not a number'),
        # A value the notation reads and the bounds allow, but the model refuses (years out of order):
        # the refresh fails, and the changed copy is discarded instead of written with a status
        # saying nothing changed.
        (["Parameters!B6=2024"], "the years must be consecutive and ascending"),
        (["Parameters!C7=-150%"], "expected a percentage from -10% to 20%"),  # the workbook's bounds
    ],
)
def test_a_refused_set_changes_nothing(tmp_path, capsys, sets, message):
    code, path = _refresh(tmp_path, *sets)
    captured = capsys.readouterr()
    assert code == 2  # bad input
    assert path.read_bytes() == built_workbook().read_bytes()
    assert captured.err.startswith("vng-xl refresh: ") and captured.err.count("\n") == 1
    assert message in captured.err and "nothing was written" in captured.err
    assert "Traceback" not in captured.err and "Vernieuwd" not in captured.out


def test_a_refused_set_leaves_another_output_unwritten(tmp_path, capsys):
    src = copy_of(built_workbook(), tmp_path)
    out = tmp_path / "uit.xlsm"
    assert main(["refresh", str(src), "-o", str(out), "--set", "Parameters!C7=veel"]) == 2
    assert not out.exists() and src.read_bytes() == built_workbook().read_bytes()
    assert not list(tmp_path.glob(".vng-xl-refresh-*"))


def test_raming_inwoners_takes_the_form_the_program_prints(capsys):
    assert main(["raming", "--inwoners", "18.040.000"]) == 0
    out = capsys.readouterr().out
    # Bijdrage leden 2026 € 83.778.155 over 18.040.000 inhabitants, by hand: 4,64402 -> € 4,644.
    assert "18.040.000 inwoners" in out and "€ 4,644" in out


def test_controle_inwoners_takes_the_form_the_program_prints(capsys):
    main(["controle", "--alles", "--inwoners", "18.040.000"])
    assert re.search(r"Bijdrage GGU per inwoner\s+2026\s+€ 4,644\s+€ 4,644\s+gelijk", capsys.readouterr().out)


GEMEENTEN = "Gemeentecode;Gemeentenaam;Inwoners\nGM0001;Aastad;10.000\nGM0002;Beedorp;20.000\n"


def test_gemeenten_inwoners_in_dutch_notation(tmp_path, capsys):
    path = tmp_path / "g.csv"
    path.write_text(GEMEENTEN, encoding="utf-8")
    assert main(["gemeenten", str(path), "--inwoners", "60.000"]) == 0
    out = capsys.readouterr().out
    # 83,778,155 / 60,000 = 1,396.30258 -> € 1.396,303 per inwoner (the same count as test_gemeenten's list)
    assert "€ 1.396,303 per inwoner" in out


@pytest.mark.parametrize("command", [["raming"], ["controle"], ["gemeenten", "GEMEENTEN"]])
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", '--inwoners: "-5" must be above 0'),
        ("0", '--inwoners: "0" must be above 0'),
        ("18.044,5", '--inwoners: "18.044,5" is not a whole number'),
        ("18.04", '--inwoners: "18.04" is ambiguous'),
        ("veel", '--inwoners: "veel" is not a number'),
    ],
)
def test_a_bad_inwoners_is_refused_in_one_english_line(tmp_path, capsys, command, value, message):
    path = tmp_path / "g.csv"
    path.write_text(GEMEENTEN, encoding="utf-8")
    argv = [str(path) if a == "GEMEENTEN" else a for a in command]
    with pytest.raises(SystemExit) as info:
        main([*argv, f"--inwoners={value}"])
    assert info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"vng-xl {command[0]}: {message}") and captured.err.count("\n") == 1


def test_a_refused_set_has_a_dutch_message_too():
    from vng_xl.workbook.headless import HeadlessTarget
    from vng_xl.workbook.inputs import BadSet, set_updates

    target = HeadlessTarget(built_workbook())
    try:
        with pytest.raises(BadSet) as info:
            set_updates(["Parameters!B15=82.055", "Parameters!C7=1.5"], target)
        assert set_updates(["parameters!b15=82.055", "'Fonds GGU'!C5=1.000"], target) == {
            "Parameters": {"B15": 82055.0},
            "Fonds GGU": {"C5": 1000.0},
        }
    finally:
        target.close()
    assert info.value.nl.startswith('--set Parameters!C7=1.5: "1.5" is dubbelzinnig: in Nederlandse notatie')
    assert info.value.nl.endswith("; er is niets geschreven")
