"""The sheet patterns that are written with possessive quantifiers (quicker: no giving back) split
every text as the same patterns written plainly, on random runs of the pieces a sheet is made of."""

from __future__ import annotations

import random
import re

from vng_xl.ooxml import sheet_read, sheet_splice

_ATTR = r'(?: [A-Za-z][\w:.-]*="[^"<&]*")'
PLAIN_PIECE = re.compile(
    rf"(?:<row{_ATTR}*>)?"
    r'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="[0-9]+")?(?: t="(s|str|b|e|n|d|inlineStr)")?(?: cm="([0-9]+)")?'
    r'(?: vm="[0-9]+")?(?:/>|>'
    rf"(?:(<f{_ATTR}*)(?:/>|>([^<]*)</f>))?"
    r"(?:(<v)(?:>([^<]*)</v>|/>))?"
    r'(?:(<is><t(?: xml:space="preserve")?>[^<]*)</t></is>)?'
    r"</c>)(?:</row>)?"
    rf"|<row{_ATTR}*(?:/>|></row>)"
)
PLAIN_ROW_START = re.compile(rf"<row({_ATTR}*)")
PLAIN_CACHED = re.compile(
    rb'(<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"(?: s="[0-9]+")?)( t="[A-Za-z]+")?'
    rb"(><f(?: [^<>]*)?(?:/>|>[^<]*</f>))((?:<v>[^<]*</v>)?</c>)"
)
ATOMS = [
    '<c r="A1"', '<c r="B12"', '<c r="AB0"', ' s="3"', ' t="str"', ' t="n"', ' t="inlineStr"', ' cm="1"', ' vm="1"',
    "><f>", "<f", ' a="x"', ' x:b="1"', "/>", ">", "A1+1", "</f>", "<v>", "1.5", "</v>", "<v/>", "</c>",
    '<row r="1">', '<row r="2" spans="1:2">', "</row>", '<row r="2"/>', "<is><t>", "x", "</t></is>",
    '<f t="shared" ref="A1:A3" si="0"/>', '"', "<", "/", " ", "=", "a:b", "&",
]  # fmt: skip
# The slots of a cell, each filled from its choices ("" for none): mostly cells of a sheet's forms.
SLOTS = [
    ["", '<row r="1">', '<row r="2" a="b"/>'],
    ['<c r="A1"', '<c r="AB12"', '<c r="ABCD1"', '<c r="A1234567"', '<c r="A12345678"', "<c"],
    ["", ' s="3"', ' s="3a"'],
    ["", ' t="str"', ' t="inlineStr"', ' t="e"'],
    ["", ' cm="1"'],
    [">", "/>"],
    ["", "<f>", '<f t="shared" si="0"', "<f a='x'", '<f ref="A1/B"'],
    ["", "/>", ">A1/2</f>", ">"],
    ["", "<v>1.5</v>", "<v/>", "<v>", "<is><t>x</t></is>"],
    ["</c>", ""],
    ["", "</row>"],
]


def _sheet_like(rng: random.Random) -> str:
    cells = ["".join(rng.choice(slot) for slot in SLOTS) for _ in range(rng.randint(1, 4))]
    for _ in range(rng.randint(0, 2)):  # a piece of something else put in anywhere
        at = rng.randrange(len(cells) + 1)
        cells.insert(at, rng.choice(ATOMS))
    return "".join(cells)


def test_the_quick_patterns_split_as_the_plain_ones():
    rng = random.Random(12)
    for k in range(20000):
        if k % 2:
            text = _sheet_like(rng)
        else:
            text = "".join(rng.choice(ATOMS) for _ in range(rng.randint(1, 16)))
        assert sheet_read._PIECE.split(text) == PLAIN_PIECE.split(text), text
        assert sheet_read._ROW_START.findall(text) == PLAIN_ROW_START.findall(text), text
        data = text.encode()
        assert sheet_splice.CACHED.split(data) == PLAIN_CACHED.split(data), text
