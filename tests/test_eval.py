"""`vng-xl eval`: one formula in, its value out; Dutch notation; errors on standard error."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from vng_xl.cli import main
from vng_xl.recalc.dutch import from_dutch

# Salarissen 39,059,724 (index A): 2026 x 1.020, 2027 x 1.039 (DOMAIN.md); 2.345 rounds to 2.35.
CASES = [
    ("=1+1", "2.0"),
    ("=ROUND(2.345,2)", "2.35"),
    ('=ROUND(VNG_RAMING(39059724,"A",2027),0)', "41394714.0"),
    ('=VNG_INDEX("B",2026)', "0.024"),
    ("={1,2;3,4}*2", "2.0\t4.0\n6.0\t8.0"),
    ('="a"&"b"', "ab"),
    ("=1>2", "FALSE"),
    ("=SUM({1,2,3})/3", "2.0"),
]


@pytest.mark.parametrize(("formula", "expected"), CASES)
def test_eval_prints_value(formula, expected, capsys):
    assert main(["eval", formula]) == 0
    assert capsys.readouterr().out == expected + "\n"


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("=0.1+0.2", 0.30000000000000004),  # full precision, not rounded for display
        ("={1,2;3,4}/2", [[0.5, 1.0], [1.5, 2.0]]),
        ('="x"', "x"),
        ("=TRUE", True),
    ],
)
def test_eval_json(formula, expected, capsys):
    assert main(["eval", "--json", formula]) == 0
    assert json.loads(capsys.readouterr().out) == expected


DUTCH = [
    ("=SOM(1,5;2)", "=SUM(1.5,2)", "3.5"),
    ("={1\\2;3\\4}*2", "={1,2;3,4}*2", "2.0\t4.0\n6.0\t8.0"),
    ("=1.000*2", "=1000*2", "2000.0"),  # "." groups thousands in Dutch notation
    ("=1.000.000,25-1.000.000", "=1000000.25-1000000", "0.25"),
    ("=,5+1", "=0.5+1", "1.5"),
    ('=SOM("1.5";A1:B2)', '=SUM("1.5",A1:B2)', None),  # text and references keep their dots and digits
    ('=ALS(WAAR;"a;b";"c,d")', '=IF(TRUE,"a;b","c,d")', "a;b"),
    ('=AFRONDEN(VNG_RAMING(39059724;"A";2027)/1000;1)', '=ROUND(VNG_RAMING(39059724,"A",2027)/1000,1)', "41394.7"),
    ("='Blad; 1'!A1", "='Blad; 1'!A1", None),
]


@pytest.mark.parametrize(("dutch", "english", "printed"), DUTCH)
def test_dutch_notation(dutch, english, printed, capsys):
    assert from_dutch(dutch) == english
    if printed is not None:
        assert main(["eval", "--nl", dutch]) == 0
        assert capsys.readouterr().out == printed + "\n"


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("=1.5*2", '"1.5" is ambiguous'),  # 1,5 or 1.500: refused, never read as 2 or 3
        ("=1.50", '"1.50" is ambiguous'),
        ("={1.2;3.4}", '"1.2" is ambiguous'),  # columns are separated by \\ in Dutch notation
        ("=SOM(1,2,3)", '"1,2,3" is not a number'),
        ("=1..000", '"1..000" is not a number'),
        ("=1,5E3", "no exponent notation"),
    ],
)
def test_dutch_number_literals_that_break_the_notation_are_refused(formula, message, capsys):
    assert main(["eval", "--nl", formula]) == 2  # bad input
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("vng-xl eval: number in the formula: ") and captured.err.count("\n") == 1
    assert message in captured.err


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ('=VNG_RAMING(100,"X",2027)', 'unknown index type "X"; use A (wage) or B (price)'),
        ("=SUM(A1:A3)", "refers to cells or names (A1:A3)"),
        ("=1/0", "Excel error #DIV/0!"),
        ("=OFFSET(1,1)", "OFFSET makes references at run time"),
        ("=NOSUCHFUNCTION(1)", "function NOSUCHFUNCTION is not supported"),
        ("=1+", "cannot parse formula"),
    ],
)
def test_eval_errors_go_to_stderr_in_english(formula, message, capsys):
    assert main(["eval", formula]) == 2  # bad input
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err and captured.err.count("\n") == 1


FAST_PATH_CASES = [
    "A1*2+SUM(B1:B3)",
    'IF(A1>1,"big",ROUND(A1/3,4))',
    "SUMPRODUCT(B1:B3,B1:B3)/A1",
    'VNG_RAMING(A1*1000,"B",2028)+MAX(B1:B3)',
    "B1:B3*A1",
    "IFERROR(1/(A1-A1),-1)",
    'A1&"-"&TEXT(A1,"0.00")',
    "AVERAGE(B1:B3,{1,2})",
]


@pytest.mark.parametrize("formula", FAST_PATH_CASES)
def test_fast_path_gives_what_schedula_gives(formula):
    """The direct run of a compiled formula must equal formulas' own dispatch, value for value."""
    import numpy as np

    from vng_xl.recalc import engine

    engine.ensure_vng_functions()
    compiled = engine.compile_formula(formula)
    assert compiled.plan is not None
    inputs = {"A1": np.array([[3.0]], dtype=object), "B1:B3": np.array([[1.0], [engine.EMPTY], [5.0]], dtype=object)}
    args = [inputs[name] for name in compiled.inputs]
    assert engine.result_block(compiled(*args)) == engine.result_block(compiled.func(*args))


def test_negative_numbers_in_an_array_constant_reach_a_vng_function():
    # formulas hands "-2000" in {1000;-2000} over as a nested 0-d array; by hand: ×1,020.
    out = subprocess.run(
        [sys.executable, "-m", "vng_xl", "eval", '=VNG_RAMING({1000;-2000},"A",2026)'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.split() == ["1020.0", "-2040.0"]


LONG_ROW = ",".join(str(i) for i in range(1, 21))  # 20 elements: lifted out of the parser


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        (f"=SUM({{{LONG_ROW}}})", 210.0),  # 1 + ... + 20, by hand
        (f"=SUM({{{LONG_ROW};{LONG_ROW}}})*1", 420.0),
        (f'=COUNTA({{"a,b";"c""d";TRUE;{LONG_ROW.replace(",", ";")}}})', 23.0),
        (f"=SUM({{{LONG_ROW.replace('20', '-20')}}})", 170.0),
        (f'=VNG_RAMING({{{LONG_ROW.replace(",", ";")}}},"A",2026)*0+1', 1.0),
    ],
)
def test_large_array_constants_give_what_the_parser_gives(formula, expected):
    from vng_xl.recalc.engine import evaluate

    result = evaluate(formula)
    values = [v for row in result.block for v in row]
    assert values[-1] == pytest.approx(expected) or result.value == pytest.approx(expected)


def test_large_array_constant_of_cost_lines_spills():
    from vng_xl.recalc.engine import evaluate

    amounts = ";".join(["39059724", "-852016"] * 10)
    types_ = ";".join(['"A"', '"A"'] * 10)
    block = evaluate(f"=VNG_RAMING({{{amounts}}},{{{types_}}},{{2026,2027}})").block
    assert len(block) == 20 and round(block[0][1]) == 41394714 and round(block[1][0]) == -869056
