"""The limits of the evaluator: Excel's own (formula length, nesting, text length) and the caps on
array areas and ranges that keep one workbook's work bounded. README "Limits" lists them."""

from __future__ import annotations

import re

from vng_xl.ooxml.package import PackageError
from vng_xl.ooxml.sheet_xml import MAX_ROW

#: Excel's own limits: characters in a formula, levels of nested functions, characters in a text value.
MAX_FORMULA_CHARS = 8_192
MAX_NESTING = 64
MAX_TEXT_CHARS = 32_767
#: Array and spill areas of one workbook together, and one formula's result, at most (cells).
MAX_ARRAY_CELLS = 1_000_000
#: One range a formula reads, at most: sixteen whole columns.
MAX_RANGE_CELLS = 16 * MAX_ROW


class OverLimit(PackageError):
    """Work beyond the limits this tool sets (array areas), refused before it is done."""

    reason = "refused: beyond this tool's limits"


_PREFIXES = re.compile(r"_xlfn\.|_xlws\.|_xludf\.", re.I)


def formula_over_limits(text: str) -> str | None:
    """Why a formula is past Excel's limits (8,192 characters, 64 nested functions), or None.

    Prefixes the file format adds (_xlfn. and the like) do not count, as Excel does not show them.
    """
    shown = _PREFIXES.sub("", text.strip().removeprefix("="))
    if len(shown) > MAX_FORMULA_CHARS:
        return f"formula of {len(shown):,} characters; Excel allows {MAX_FORMULA_CHARS:,}"
    depth = deepest = 0
    stack: list[bool] = []
    quote = prev = ""
    for ch in shown:
        if quote:
            quote = "" if ch == quote else quote  # a doubled quote closes and reopens: same effect
        elif ch in "\"'":
            quote = ch
        elif ch == "(":
            is_function = prev != "" and (prev.isalnum() or prev in "._")
            stack.append(is_function)
            depth += is_function
            deepest = max(deepest, depth)
        elif ch == ")" and stack:
            depth -= stack.pop()
        prev = ch
    if deepest > MAX_NESTING:
        return f"{deepest} levels of nested functions; Excel allows {MAX_NESTING}"
    return None


def _capped(text: str) -> object:
    import formulas.functions as _ff  # here, not above: reading and planning need no `formulas`

    return text if len(text) <= MAX_TEXT_CHARS else _ff.Error.errors["#VALUE!"]


# The `formulas` parts below are imported where they are used: the limits themselves are read by
# modules (vng_xl.recalc.groups, vector) that must not load `formulas` (seconds, with scipy).


def xrept(text: object, number_times: object) -> object:
    """REPT with Excel's cap: #VALUE! for a negative count or a result past 32,767 characters,
    decided before the text is built."""
    import formulas.functions as _ff
    import formulas.functions.text as _ff_text

    text, times = _ff_text._str(text), int(float(_ff.replace_empty(number_times)))
    if times < 0 or len(text) * times > MAX_TEXT_CHARS:
        return _ff.Error.errors["#VALUE!"]
    return text * times


def xsubstitute(text: object, old: object, new: object, instance_num: object = None) -> object:
    """SUBSTITUTE with Excel's cap on the result's length, checked before replacing."""
    import formulas.functions as _ff
    import formulas.functions.text as _ff_text

    t, o, n = (_ff_text._str(v) for v in (text, old, new))
    if instance_num is None and o and len(t) + t.count(o) * (len(n) - len(o)) > MAX_TEXT_CHARS:
        return _ff.Error.errors["#VALUE!"]
    result = _ff_text.xsubstitute(text, old, new, instance_num)
    return _capped(result) if isinstance(result, str) else result


def install_text_caps(functions: dict) -> None:
    """Put the capped REPT, SUBSTITUTE and `&` in place of the `formulas` ones."""
    import formulas.functions as _ff
    import formulas.functions.text as _ff_text
    from formulas.functions.operators import OPERATORS as _OPERATORS

    functions["REPT"] = _ff.wrap_ufunc(xrept, **_ff_text._kw0)
    functions["SUBSTITUTE"] = _ff.wrap_ufunc(
        xsubstitute, input_parser=lambda *a: a, args_parser=lambda *a: (_ff.replace_empty(v, "") for v in a)
    )
    _OPERATORS["&"] = _ff.wrap_ufunc(
        lambda x, y: _capped(x + y),
        input_parser=lambda *a: map(_ff_text._str, a),
        args_parser=lambda *a: (_ff.replace_empty(v, "") for v in a),
    )
