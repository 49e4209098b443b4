"""TEXT(value, format_text): a value shown with an Excel number format code, en-US, 1900 dates.

Sections `positive;negative;zero;text` (or conditions such as `[<=9999999]`), digit placeholders
`0 # ?`, `.`, `,` (thousands, or /1000 at the end), `%`, `E+00`, fractions `# ?/?`, literals
(`"..."`, `\\x`, `$-+/():` and space), `_x` as a space, colours and locales in brackets dropped;
dates and times `y m d h s AM/PM A/P [h] [m] [s]` and fractions of seconds, in the 1900 date
system (a workbook in the 1904 system is not told apart, as in every date function of `formulas`).
Other codes (unquoted letters, several points, times typed as text, negative elapsed times) go
to formulas' own TEXT.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
from formulas.functions import text as _ff_text

from vng_xl.recalc.excel_values import EMPTY, Fail, Unsupported, check, elementwise, is_number

_SECTION_SPLIT = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|;|[^"\\\[;]+', re.S)
_CONDITION = re.compile(r"^\[(<=|>=|<>|<|>|=)(-?[\d.]+)\]")
_DATE_CODES = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|(am/pm|a/p|[ymdhs])', re.I)
_MONTHS = [_dt.date(2000, m, 1).strftime("%B") for m in range(1, 13)]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _sections(fmt: str) -> list[str]:
    out, cur = [], ""
    for m in _SECTION_SPLIT.finditer(fmt):
        if m.group(0) == ";":
            out.append(cur)
            cur = ""
        else:
            cur += m.group(0)
    out.append(cur)
    return out


def _condition(section: str) -> tuple[str, float, str] | None:
    m = _CONDITION.match(section)
    return (m.group(1), float(m.group(2)), section[m.end() :]) if m else None


_TESTS = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
}


def _pick(sections: list[str], x: float) -> tuple[str, float, bool]:
    """The section that shows x, the value it shows, and whether a minus sign goes in front."""
    numeric = sections[:3]
    conds = [_condition(s) for s in numeric]
    if any(conds):
        for c, s in zip(conds, numeric):
            if c is None:
                return s, abs(x), x < 0 and s is numeric[0]
            if _TESTS[c[0]](x, c[1]):
                return c[2], abs(x), x < 0 and s is numeric[0]
        return numeric[-1], abs(x), x < 0
    if len(numeric) == 1 or (x > 0) or (x == 0 and len(numeric) == 2):
        return numeric[0], abs(x), x < 0
    if x < 0:
        return numeric[1], abs(x), False
    return numeric[2], x, False


def _strip_brackets(section: str) -> str:
    """Colours and locales out; a currency `[$€-413]` as its symbol; elapsed-time codes kept."""
    out = []
    for m in re.finditer(r'"[^"]*"|\\.|\[([^\]]*)\]|[^"\\\[]+', section, re.S):
        inner = m.group(1)
        if inner is None:
            out.append(m.group(0))
        elif re.fullmatch(r"h+|m+|s+", inner, re.I):
            out.append(m.group(0))
        elif inner.startswith("$"):
            symbol = inner[1:].split("-", 1)[0]
            if symbol:
                out.append('"' + symbol + '"')
    return "".join(out)


def _is_date(section: str) -> bool:
    return any(m.group(1) for m in _DATE_CODES.finditer(section)) or bool(re.search(r"\[[hms]+\]", section, re.I))


# ---------------------------------------------------------------- numbers


def _tokens(section: str) -> list[tuple[str, str]]:
    """('digit', '0'|'#'|'?'), ('dot'|'comma'|'percent'|'slash'|'exp'|'at', code), ('lit', text)."""
    out, i = [], 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            j = section.index('"', i + 1) if '"' in section[i + 1 :] else len(section)
            out.append(("lit", section[i + 1 : j]))
            i = j + 1
        elif ch == "\\" and i + 1 < len(section):
            out.append(("lit", section[i + 1]))
            i += 2
        elif ch == "_" and i + 1 < len(section):
            out.append(("lit", " "))
            i += 2
        elif ch == "*":
            raise Unsupported("TEXT with a fill character (*)")
        elif ch in "0#?":
            out.append(("digit", ch))
            i += 1
        elif ch in "Ee" and section[i + 1 : i + 2] in ("+", "-"):
            out.append(("exp", section[i + 1]))
            i += 2
        elif ch in ".,%/@":
            out.append(({".": "dot", ",": "comma", "%": "percent", "/": "slash", "@": "at"}[ch], ch))
            i += 1
        else:
            out.append(("lit", ch))
            i += 1
    return out


def _round(x: float, places: int) -> Decimal:
    return Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _fill_integer(digits: str, codes: list[tuple[str, str]], group: bool) -> str:
    """Integer digits into the integer part's placeholders and literals, right to left."""
    slots = sum(1 for k, _ in codes if k == "digit")
    if slots == 0:  # `.#`: the integer digits are shown all the same
        codes = [*codes, ("digit", "#")]
        slots = 1
    out, di, seen = [], len(digits) - 1, 0
    for k, c in reversed(codes):
        if k == "lit":
            out.append(c)
            continue
        seen += 1
        if di >= 0:
            take = digits[: di + 1] if seen == slots else digits[di]
            out.append(take)
            di -= len(take)
        else:
            out.append({"0": "0", "?": " ", "#": ""}[c])
    text = "".join(reversed(out))
    if group:
        m = re.search(r"\d+", text)
        if m:
            run = m.group(0)
            head = len(run) % 3 or 3
            grouped = ",".join([run[:head]] + [run[i : i + 3] for i in range(head, len(run), 3)])
            text = text[: m.start()] + grouped + text[m.end() :]
    return text


def _fill_decimals(digits: str, codes: list[tuple[str, str]]) -> str:
    """Decimal digits into the placeholders after the point: `#` drops trailing zeros, `?` pads."""
    out, di = [], 0
    keep = len(digits.rstrip("0"))
    for k, c in codes:
        if k == "lit":
            out.append(c)
            continue
        d = digits[di] if di < len(digits) else "0"
        if di >= keep and c != "0":
            d = " " if c == "?" else ""
        out.append(d)
        di += 1
    return "".join(out)


class _Unusual(Exception):
    """A format code outside the plain forms this module shows; formulas' own TEXT takes it."""


def _plain(section: str, toks: list[tuple[str, str]]) -> None:
    """Raise _Unusual unless the number format is a plain one (letters quoted, one point, commas
    between integer placeholders or right after the last one, no literal inside a grouped run)."""
    bare = re.sub(r'"[^"]*"|\\.|_.', "", section)
    if re.search(r"[A-DF-Za-df-z]", bare) or [k for k, _ in toks].count("dot") > 1:
        raise _Unusual
    digits = [i for i, (k, _) in enumerate(toks) if k == "digit"]
    if not digits:
        return
    first, last = digits[0], digits[-1]
    dot = next((i for i, (k, _) in enumerate(toks) if k == "dot"), len(toks))
    for i, (k, _) in enumerate(toks):
        if k == "comma" and not (first < i < min(dot, last) or i > last):
            raise _Unusual
    if any(k == "comma" for k, _ in toks[first:dot]) and any(k == "lit" for k, _ in toks[first:dot]):
        raise _Unusual


def _number(section: str, x: float) -> str:
    toks = _tokens(section)
    _plain(section, toks)
    kinds = [k for k, _ in toks]
    if "slash" in kinds:
        return _fraction(toks, x)
    if "digit" not in kinds and "at" in kinds:  # a text format shows a number as General does
        return "".join(_general(x) if k == "at" else c for k, c in toks)
    x *= 100 ** kinds.count("percent")
    if "exp" in kinds:
        return _scientific(toks, x)
    digit_at = [i for i, (k, _) in enumerate(toks) if k == "digit"]
    scale, i = 0, (digit_at[-1] if digit_at else -1) + 1
    while i < len(toks) and toks[i][0] == "comma":  # commas after the last placeholder: /1000 each
        scale += 1
        i += 1
    if scale:
        toks = toks[: i - scale] + toks[i:]
        kinds = [k for k, _ in toks]
    x /= 1000**scale
    dot = kinds.index("dot") if "dot" in kinds else len(toks)
    int_toks = toks[:dot]
    group = any(k == "comma" for k, _ in int_toks)
    places = sum(1 for k, _ in toks[dot + 1 :] if k == "digit")
    whole, _, frac = f"{_round(x, places):f}".partition(".")
    text = _fill_integer(whole.lstrip("0"), _with_percent(int_toks), group)
    if dot < len(toks):
        text += "." + _fill_decimals(frac.ljust(places, "0"), _with_percent(toks[dot + 1 :]))
    return text


def _with_percent(toks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("lit", "%") if k == "percent" else (k, c) for k, c in toks if k not in ("comma", "at")]


def _scientific(toks: list[tuple[str, str]], x: float) -> str:
    e = next(i for i, (k, _) in enumerate(toks) if k == "exp")
    mant, exp_codes = toks[:e], toks[e + 1 :]
    kinds = [k for k, _ in mant]
    dot = kinds.index("dot") if "dot" in kinds else len(mant)
    ints = [c for k, c in mant[:dot] if k == "digit"]
    places = sum(1 for k, _ in mant[dot + 1 :] if k == "digit")
    n_int = max(1, len(ints))
    if x == 0:
        power = 0
    else:
        power = math.floor(math.log10(x))
        power = power - power % n_int if "#" in ints else power - (n_int - 1)
    m = _round(x / 10**power, places) if x else Decimal(0)
    if x and m >= Decimal(10) ** n_int:
        power += n_int if "#" in ints else 1
        m = _round(x / 10**power, places)
    whole, _, frac = f"{m:f}".partition(".")
    text = _fill_integer(whole.lstrip("0"), [t for t in mant[:dot] if t[0] in ("digit", "lit")], False)
    if dot < len(mant):
        text += "." + _fill_decimals(frac.ljust(places, "0"), [t for t in mant[dot + 1 :] if t[0] in ("digit", "lit")])
    width = sum(1 for k, _ in exp_codes if k == "digit")
    sign = "-" if power < 0 else ("+" if toks[e][1] == "+" else "")
    rest = "".join(c for k, c in exp_codes if k == "lit")
    return f"{text}E{sign}{str(abs(power)).zfill(width)}{rest}"


def _fraction(toks: list[tuple[str, str]], x: float) -> str:
    """`# ?/?`, `?/8`: a whole part (when there is a placeholder for it) and a fraction."""
    s = next(i for i, (k, _) in enumerate(toks) if k == "slash")
    before, after = toks[:s], toks[s + 1 :]
    after_text = "".join(c for _, c in after).strip()
    j = len(before)
    while j > 0 and before[j - 1][0] == "digit":
        j -= 1
    num_codes, head = before[j:], before[:j]
    k = len(head)
    while k > 0 and head[k - 1][0] == "lit":
        k -= 1
    int_codes, sep = head[:k], "".join(c for _, c in head[k:])
    has_int = any(kind == "digit" for kind, _ in int_codes)
    whole = math.floor(x) if has_int else 0
    rest = x - whole
    if after_text.isdigit() and after_text[0] != "0":
        den, width = int(after_text), len(after_text)
        num = int(_round(rest * den, 0))
    else:
        width = sum(1 for ch in after_text if ch in "0#?") or 1
        f = Fraction(rest).limit_denominator(10**width - 1)
        num, den = f.numerator, f.denominator
    if has_int and num == den:
        whole, num = whole + 1, 0
    int_text = _fill_integer(str(whole) if whole else "", [t for t in int_codes if t[0] in ("digit", "lit")], False)
    if num == 0:
        return int_text + " " * (len(sep) + len(num_codes) + 1 + width) if has_int and whole else "0"
    return f"{int_text}{sep}{str(num).rjust(len(num_codes))}/{str(den).ljust(width)}"


# ---------------------------------------------------------------- dates and times


def _date(section: str, x: float) -> str:
    if x < 0 or x >= 2958466:
        raise Fail("#VALUE!")
    frac_digits = 0
    m = re.search(r"s+\.(0+)", section, re.I)
    if m:
        frac_digits = len(m.group(1))
    ticks = round(x * 86400 * 10**frac_digits)
    day, rem = divmod(ticks, 86400 * 10**frac_digits)
    secs, sub = divmod(rem, 10**frac_digits)
    if day == 60:  # Excel's 29 February 1900, a Wednesday
        y, mo, d, wd = 1900, 2, 29, 2
    elif day == 0:  # Excel's 0 January 1900, a Saturday
        y, mo, d, wd = 1900, 1, 0, 5
    else:
        base = _dt.date(1899, 12, 31) if day < 60 else _dt.date(1899, 12, 30)
        date = base + _dt.timedelta(days=day)
        y, mo, d, wd = date.year, date.month, date.day, date.weekday()
    hh, mm, ss = secs // 3600, secs // 60 % 60, secs % 60
    twelve = bool(re.search(r"am/pm|a/p", re.sub(r'"[^"]*"', "", section), re.I))
    codes = [
        m for m in re.finditer(r'"[^"]*"|\\.|\[[hms]+\]|am/pm|a/p|y+|m+|d+|h+|s+(?:\.0+)?|.', section, re.I | re.S)
    ]
    out, prev = [], ""
    for idx, tok in enumerate(codes):
        t = tok.group(0)
        low = t.lower()
        if t.startswith('"'):
            out.append(t[1:-1])
        elif t.startswith("\\"):
            out.append(t[1:])
        elif low.startswith("[h"):
            out.append(str(int(day * 24 + hh)).zfill(len(t) - 2))
        elif low.startswith("[m"):
            out.append(str(int((day * 24 + hh) * 60 + mm)).zfill(len(t) - 2))
        elif low.startswith("[s"):
            out.append(str(int(((day * 24 + hh) * 60 + mm) * 60 + ss)).zfill(len(t) - 2))
        elif low in ("am/pm", "a/p"):
            word = ("AM" if hh < 12 else "PM") if low == "am/pm" else ("A" if hh < 12 else "P")
            out.append(word if t[0].isupper() else word.lower())
        elif low[0] == "y":
            out.append(str(y)[-2:] if len(t) <= 2 else str(y))
        elif low[0] == "d":
            out.append([str(d), f"{d:02}", _DAYS[wd][:3], _DAYS[wd]][min(len(t), 4) - 1])
        elif low[0] == "h":
            h = (hh % 12 or 12) if twelve else hh
            out.append(f"{h:02}" if len(t) >= 2 else str(h))
        elif low[0] == "m":
            later = next((c.group(0).lower() for c in codes[idx + 1 :] if c.group(0).lower()[0] in "ymdhs["), "")
            if prev in ("h", "[") or later.startswith("s") and len(t) <= 2:
                out.append(f"{mm:02}" if len(t) >= 2 else str(mm))
            else:
                out.append(
                    [str(mo), f"{mo:02}", _MONTHS[mo - 1][:3], _MONTHS[mo - 1], _MONTHS[mo - 1][0]][min(len(t), 5) - 1]
                )
        elif low[0] == "s":
            whole, _, fr = t.partition(".")
            out.append(f"{ss:02}" if len(whole) >= 2 else str(ss))
            if fr:
                out.append("." + str(sub).zfill(len(fr)))
        elif t == "_":
            continue
        else:
            out.append(t)
        if low[:1] in "ymdhs[":
            prev = "[" if low.startswith("[h") else low[0]
    return "".join(out)


# ---------------------------------------------------------------- TEXT


def _general(x: float) -> str:
    if x == 0:
        return "0"
    if x.is_integer() and abs(x) < 1e11:
        return str(int(x))
    if not 1e-9 <= abs(x) < 1e11:
        m, e = f"{x:.5E}".split("E")
        return f"{m.rstrip('0').rstrip('.')}E{int(e):+03d}"
    digits = max(0, 10 - len(str(int(abs(x)))))
    return f"{_round(x, digits):f}".rstrip("0").rstrip(".")


def xtext(value: object, format_text: object) -> str:
    """TEXT: the value shown with the format code."""
    v = check(value)
    fmt = check(format_text)
    fmt = "" if fmt is EMPTY else fmt if isinstance(fmt, str) else _general(float(fmt)) if is_number(fmt) else str(fmt)
    if v is EMPTY or v is None:
        v = 0.0
    if isinstance(v, (bool, np.bool_)):
        return "TRUE" if v else "FALSE"
    if isinstance(v, str):  # text, or a number or date typed as text: formulas' TEXT reads those
        raise _Unusual
    x = float(v)
    sections = _sections(fmt)
    section, shown, minus = _pick(sections, x)
    section = _strip_brackets(section)
    if section.strip().lower() == "general" or section == "":
        text = _general(shown) if section else ""
    elif _is_date(section):
        bare = re.sub(r'"[^"]*"|\\.|[sS]+\.0+', "", section)
        if minus or shown >= 2958466 or re.search(r"[#?0]", bare):
            raise _Unusual  # times below zero, past 9999, or date codes among digits: formulas' TEXT
        return _date(section, shown)
    else:
        text = _number(section, shown)
    return "-" + text if minus else text


_FORMULAS_TEXT = _ff_text.FUNCTIONS["TEXT"]


def _text(value: object, format_text: object) -> object:
    try:
        return xtext(value, format_text)
    except _Unusual:
        cell = np.asarray([[value]], dtype=object)
        return np.asarray(_FORMULAS_TEXT(cell, np.asarray([[format_text]], dtype=object)), dtype=object).reshape(-1)[0]


TEXT_FUNCTIONS = {"TEXT": elementwise(_text)}
