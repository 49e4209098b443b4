"""Formulas of one form share one compiled function (vng_xl.recalc.formula_forms): each gives the
value its own compilation gives, its inputs in the positions its own references take, and what
cannot be shared safely is compiled on its own."""

from __future__ import annotations

import numpy as np
import pytest

from vng_xl.recalc import engine, formula_forms

# (first formula of the form, a later one): the later one must reuse the first one's function
SHARED = [
    ("A8-A9*2", "A9-A10*2"),  # `formulas` sorts its inputs by name: A10 sorts before A9
    ("A8-A9*2", "A10-A9*2"),
    ('IF(C5="","",ROUND($B$7*C5,2))', 'IF(C600="","",ROUND($B$7*C600,2))'),
    ("Blad1!B7/C3+'Blad 2'!$D$1", "Blad1!B80/C76+'Blad 2'!$D$1"),
    ("SUM($B$7:B9)+Tarief*B2", "SUM($B$7:B10)+Tarief*B3"),
    ('Z1&"A1"&LOG10(Y1)', 'Z2&"A1"&LOG10(A2)'),  # a reference in a string, a function like a cell
    ("B2+B2*C2", "B9+B9*C9"),
]


def _value(compiled: engine.Compiled, values: dict[str, float]) -> object:
    args = []
    for name in compiled.inputs:
        if ":" in name:  # a range: its cells as a column
            args.append(np.array([[values.get(name, 1.0)], [2.0], [3.0]], dtype=object))
        else:
            args.append(np.array([[values.get(name, 0.5)]], dtype=object))
    return engine.result_block(compiled(*args))


def _inputs(compiled: engine.Compiled) -> dict[str, float]:
    return {name: float(7 + 3 * i) for i, name in enumerate(sorted(compiled.inputs))}


@pytest.mark.parametrize("first, later", SHARED)
def test_a_later_formula_of_a_form_reuses_the_function_and_gives_its_own_value(first, later):
    engine.ensure_vng_functions()
    formula_forms.clear()
    template = formula_forms.compiled(first, ("test",), engine._compile_text, first)
    own = engine._compile_text(later)  # `formulas` itself, on the later text
    shared = formula_forms.compiled(later, ("test",), lambda _: pytest.fail("compiled again"), later)
    assert shared.func is template.func
    assert shared.text == later
    assert sorted(shared.inputs) == sorted(own.inputs)  # the same names, in the first formula's order
    values = _inputs(own)
    assert _value(shared, values) == _value(own, values)


@pytest.mark.parametrize(
    "first, later",
    [
        ("Blad1!A1+Blad2!A1", "Blad1!A2+Blad2!A2"),  # two inputs that one name cannot tell apart
        ("SUM(A1:A1)+A1", "SUM(A2:A2)+A2"),  # formulas names both A1
        ("SUM(A1:B2)", "SUM(B2:A1)"),  # written backwards
        ("A1+[1]Blad!A1", "A2+[1]Blad!A2"),  # an external link
        ("A1048576+1", "A1048577+1"),  # past Excel's last row: a name, not a cell
        ("A1+B1", "A01+B1"),  # a row with a leading zero
    ],
)
def test_what_cannot_be_shared_is_compiled_on_its_own(first, later):
    engine.ensure_vng_functions()
    formula_forms.clear()
    calls = []

    def compile_text(text):
        calls.append(text)
        try:
            return engine._compile_text(text)
        except engine.FormulaUnsupported:
            return engine.Compiled(text, None, (), frozenset(), False)

    formula_forms.compiled(first, ("test",), compile_text, first)
    formula_forms.compiled(later, ("test",), compile_text, later)
    assert calls == [first, later]


def test_the_form_tells_references_from_strings_sheets_and_names():
    form, refs = formula_forms.split("'x A1'!B2+'x A1'!Tarief+\"C3\"&LOG10(A1)+E5*1E5+AB1!C2")
    assert refs == (("'x A1'!", "B2"), ("", "A1"), ("", "E5"), ("AB1!", "C2"))
    assert "'x A1'!Tarief" in form and '"C3"' in form and "LOG10(" in form and "1E5" in form


def test_compile_formula_reuses_the_form_across_a_column():
    engine.ensure_vng_functions()
    first = engine.compile_formula('IF(K5="","",ROUND($B$7*K5,2))+0')
    later = engine.compile_formula('IF(K6="","",ROUND($B$7*K6,2))+0')
    assert later.func is first.func and later.inputs == ("B7", "K6")
