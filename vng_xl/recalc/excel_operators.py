"""Operators where `formulas` departs from Excel: a run of signs with minus signs in it (`--x`).

`formulas` folds the signs before an operand into one (`--x` into `+x`) and makes that unary plus
an identity, so `--TRUE` stays TRUE and SUMPRODUCT(--(A1:A4=A2), B1:B4) adds nothing; Excel applies
each minus sign, so `--TRUE` is 1 and `--"1"` is 1. A folded run that held a minus sign is computed
here as two unary minus signs; a lone unary plus stays Excel's identity (`=+TRUE` is TRUE).
"""

from __future__ import annotations

from formulas.functions.operators import OPERATORS
from formulas.tokens.operator import Operator, OperatorToken


def _negated_twice(value: object) -> object:
    minus = OPERATORS["U-"]
    return minus(minus(value))


def _compile(self: Operator):
    """The token's function: two unary minus signs for a folded `--`, else formulas' own."""
    if self.name == "u+" and "-" in self.attr.get("sum_minus", ""):
        return _negated_twice
    return _original(self)


_original = Operator.compile


def install() -> None:
    """Give the operator tokens of `formulas` Excel's meaning of `--x` (once per process)."""
    if OperatorToken.compile is not _compile:
        OperatorToken.compile = _compile
