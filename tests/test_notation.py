"""Reading typed numbers: the notation rules as a table, one row per case, and round trips with the writer."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vng_xl.errors import (
    AmbiguousNumber,
    BadNumber,
    BadYear,
    CurrencySign,
    EmptyNumber,
    ExponentNotation,
    LooksLikePercentage,
    MisplacedSeparator,
    NotAWholeCount,
    NotPositive,
    PercentNotAllowed,
)
from vng_xl.notation import bedrag, parse_count, parse_number, parse_rate, parse_year

# (text, notation, value): what a typed number is read as.
READ = [
    ("82.055", "nl", 82055),  # "." groups thousands in Dutch notation
    ("1.000", "nl", 1000),
    ("18.044.027", "nl", 18044027),
    ("1.234,5", "nl", 1234.5),
    ("1,5", "nl", 1.5),
    ("0,039", "nl", 0.039),
    (",5", "nl", 0.5),
    ("12345,0", "nl", 12345),
    ("1234567", "nl", 1234567),
    ("007", "nl", 7),
    ("0", "nl", 0),
    ("-10.345.280", "nl", -10345280),
    ("+3", "nl", 3),
    ("\u22122,5", "nl", -2.5),  # the typographic minus sign
    ("(465)", "nl", -465),  # a deduction as bedrag(..., brackets=True) writes it
    ("  17 ", "nl", 17),  # surrounding spaces
    ("1 000 000", "nl", 1000000),  # a space groups like "."
    ("1\u00a0000", "nl", 1000),  # non-breaking space
    ("1\u202f000,5", "nl", 1000.5),  # narrow no-break space
    ("1\u2009000", "nl", 1000),  # thin space
    ("1,000", "en", 1000),  # English notation: "," groups, "." is the decimal sign
    ("1,234,567.25", "en", 1234567.25),
    ("0.039", "en", 0.039),
    ("1.000", "en", 1),
    ("1 000.5", "en", 1000.5),
]


@pytest.mark.parametrize(("text", "notation", "value"), READ)
def test_a_number_is_read(text, notation, value):
    assert parse_number(text, notation, "x") == value


# (text, notation, error, words in the English message): what is refused, and how it is said.
REFUSED = [
    ("1.5", "nl", AmbiguousNumber, '"1.5" is ambiguous'),  # a dot not followed by exactly three digits
    ("1.50", "nl", AmbiguousNumber, '"1.50" is ambiguous'),
    ("1.0000", "nl", AmbiguousNumber, "is ambiguous"),
    ("0.039", "nl", AmbiguousNumber, '"0.039" is ambiguous'),  # a group never starts with 0
    ("1,234,567", "nl", AmbiguousNumber, "is ambiguous"),
    ("1,234.5", "nl", AmbiguousNumber, "is ambiguous"),
    (".5", "nl", AmbiguousNumber, "is ambiguous"),
    ("1,5", "en", AmbiguousNumber, 'in English notation "," groups'),
    ("1.234,5", "en", AmbiguousNumber, "is ambiguous"),
    ("1,2,3", "nl", MisplacedSeparator, '"1,2,3" is not a number'),
    ("1..000", "nl", MisplacedSeparator, '"1..000" is not a number'),
    ("1.000.0", "nl", MisplacedSeparator, "is not a number"),
    ("1000.000", "nl", AmbiguousNumber, "is ambiguous"),  # a first group of four digits; English 1000.0
    ("1000.000,5", "nl", MisplacedSeparator, "is not a number"),
    ("1.000 000", "nl", MisplacedSeparator, "is not a number"),  # two kinds of group sign
    ("1,", "nl", MisplacedSeparator, "is not a number"),
    ("- 5", "nl", MisplacedSeparator, "is not a number"),
    ("1.000,5,0", "nl", MisplacedSeparator, "is not a number"),
    ("", "nl", EmptyNumber, "x: empty"),
    ("   ", "nl", EmptyNumber, "x: empty"),
    ("veel", "nl", BadNumber, 'x: "veel" is not a number'),
    ("12a", "nl", BadNumber, "is not a number"),
    ("--1", "nl", BadNumber, "is not a number"),
    ("+-1", "nl", BadNumber, "is not a number"),
    ("-(5)", "nl", BadNumber, "is not a number"),
    ("nan", "nl", BadNumber, "is not a number"),
    ("inf", "en", BadNumber, "is not a number"),
    ("\u0661\u0662", "nl", BadNumber, "is not a number"),  # digits of another script
    ("5-", "nl", BadNumber, "is not a number"),
    ("€ 82.055", "nl", CurrencySign, "without the € sign"),  # the unit is the field's
    ("82.055 €", "nl", CurrencySign, "without the € sign"),
    ("1,5E3", "nl", ExponentNotation, "no exponent notation"),
    ("1e3", "en", ExponentNotation, "no exponent notation"),
    ("3,9%", "nl", PercentNotAllowed, "a number without % belongs here"),
]


@pytest.mark.parametrize(("text", "notation", "error", "message"), REFUSED)
def test_a_number_that_breaks_the_notation_is_refused(text, notation, error, message):
    with pytest.raises(error) as info:
        parse_number(text, notation, "x")
    assert type(info.value) is error
    assert message in info.value.en
    assert info.value.nl and info.value.nl != info.value.en  # a Dutch message too, not the English one


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3,9%", 0.039),
        ("3,9 %", 0.039),
        ("-0,5%", -0.005),
        ("0,039", 0.039),
        ("0", 0.0),
        ("-150%", -1.5),  # the range is the caller's rule
        (0.039, 0.039),  # a number as a number (a TOML value)
    ],
)
def test_a_rate(text, value):
    assert parse_rate(text, "nl", "x") == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3", '"3" looks like a percentage; write 3% or the fraction 0,03'),
        ("1,5", "write 1,5% or the fraction 0,015"),
        (2, '"2" looks like a percentage'),
        ("-1", "looks like a percentage"),
    ],
)
def test_a_rate_of_1_or_more_without_a_percent_sign_is_refused(text, message):
    with pytest.raises(LooksLikePercentage) as info:
        parse_rate(text, "nl", "x")
    assert message in info.value.en


@pytest.mark.parametrize(("text", "value"), [("18.044.027", 18044027), ("931.298", 931298), ("12345,0", 12345), (7, 7)])
def test_a_count(text, value):
    count = parse_count(text, "nl", "x")
    assert count == value and isinstance(count, int)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("931,298", NotAWholeCount),  # 931 point 298 in Dutch notation: refused, never truncated to 931
        ("1,5", NotAWholeCount),
        (2.5, NotAWholeCount),
        ("0", NotPositive),
        ("-5", NotPositive),
        ("(465)", NotPositive),
        ("3%", PercentNotAllowed),
        (True, BadNumber),
        (math.nan, BadNumber),
    ],
)
def test_a_count_that_is_not_whole_or_not_above_0_is_refused(text, error):
    with pytest.raises(error):
        parse_count(text, "nl", "x")


@pytest.mark.parametrize(("text", "value"), [("2026", 2026), (" 2025 ", 2025), (2029, 2029), (2027.0, 2027)])
def test_a_year(text, value):
    assert parse_year(text, "x") == value


@pytest.mark.parametrize("text", ["2.026", "2026,0", "twintig", "", "1899", "2201", "20266", True, 2026.5])
def test_not_a_year(text):
    with pytest.raises(BadYear):
        parse_year(text, "x")


def test_messages_name_where_in_each_language():
    with pytest.raises(BadNumber) as info:
        parse_number("veel", "nl", ("regel 3, index A", "line 3, index A"))
    assert info.value.nl == 'regel 3, index A: "veel" is geen getal'
    assert info.value.en == 'line 3, index A: "veel" is not a number'


@given(st.integers(-(10**15), 10**15), st.integers(0, 3), st.booleans())
def test_what_bedrag_writes_reads_back(cents, decimals, brackets):
    """bedrag(x) read back is x as rounded to the decimals written (an exact decimal, so no rounding tie)."""
    value = cents / 10**decimals
    assert parse_number(bedrag(value, decimals, brackets), "nl", "x") == value


@given(st.integers(-(10**18), 10**18), st.sampled_from([".", " ", "\u00a0", "\u202f"]))
def test_any_integer_with_dutch_grouping_reads_back(n, group):
    text = f"{abs(n):,}".replace(",", group)
    signed = f"-{text}" if n < 0 else text
    assert parse_number(signed, "nl", "x") == float(n)
    if n > 0:
        assert parse_count(signed, "nl", "x") == n


@given(st.integers(0, 10**12), st.integers(1, 10**6))
def test_a_dutch_decimal_reads_as_its_english_twin(whole, fraction):
    dutch = f"{whole:,}".replace(",", ".") + f",{fraction}"
    english = f"{whole:,}.{fraction}"
    assert parse_number(dutch, "nl", "x") == parse_number(english, "en", "x") == float(f"{whole}.{fraction}")
