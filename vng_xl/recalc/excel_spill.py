"""The spill reference A1# (in a file _xlfn.ANCHORARRAY(A1)): the whole area a dynamic-array formula
anchored at A1 spills into, as it stands once that formula has been computed.

The area is known only after the anchor runs (its result may be larger or smaller than the ref= the
file recorded), so A1# is not an area of the dependency graph but a node of its own that depends on
the anchor and reads the anchor's spilled cells when it runs. An anchor that is not a dynamic-array
formula is reported rather than guessed; an anchor whose spill is blocked (#SPILL!) gives #REF!.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from vng_xl.ooxml.sheet_xml import ExcelError, parse_ref
from vng_xl.recalc import engine

#: An input as `formulas` names a spill reference: A1#, SHEET2!A1#, 'MY S'!B2# (upper case).
_SPILL = re.compile(r"^(?:(?P<sheet>'(?:[^']|'')+'|[^!']+)!)?\$?(?P<col>[A-Z]{1,3})\$?(?P<row>\d+)#$", re.I)
#: Functions that may read a spill reference's values in place of the reference itself.
_ON_VALUES = frozenset({"ROWS", "COLUMNS"})


def is_spill_reference(name: str) -> bool:
    return bool(_SPILL.match(name))


@dataclass(frozen=True)
class SpillRead:
    """The node's program: the anchor's spilled values, read when the node runs (no inputs)."""

    evaluation: object
    anchor: tuple  # the anchor's node key
    text: str
    inputs: tuple = ()
    functions: frozenset = frozenset()
    needs_ranges: bool = False
    plan: None = None
    let_names: frozenset = frozenset()

    def __call__(self) -> np.ndarray:
        ev = self.evaluation
        node = ev.nodes[self.anchor]
        values = ev.values[node.sheet]
        if values.get((node.row, node.col)) == ExcelError("#SPILL!"):
            return np.array([[engine.to_formulas(ExcelError("#REF!"))]], dtype=object)
        out = node.output
        block = np.empty(out.shape, dtype=object)
        for r, c in out.cells():
            block[r - out.r1, c - out.c1] = engine.to_formulas(values.get((r, c)))
        return block


def source(ev, name: str, node, stack: tuple = ()) -> object:
    """What an input of `node` reads: for a spill reference the key of its node, else what the
    workbook makes of a name (WorkbookEvaluation._name_source)."""
    m = _SPILL.match(name)
    if m is None:
        return ev._name_source(name, node.sheet, stack)
    sheet = node.sheet
    if m["sheet"]:
        raw = m["sheet"][1:-1].replace("''", "'") if m["sheet"].startswith("'") else m["sheet"]
        info = ev.by_upper.get(raw.upper())
        if info is None:
            raise engine.FormulaUnsupported(f"spill reference to a sheet that is not a worksheet here: {raw}")
        sheet = info.name
    row, col = parse_ref(f"{m['col'].upper()}{m['row']}")
    compiled = node.compiled
    if (
        compiled is not None
        and compiled.needs_ranges
        and not (compiled.functions & engine.REFERENCE_FUNCTIONS) <= _ON_VALUES
    ):
        raise engine.FormulaUnsupported("a spill reference (A1#) given to a function that reads the reference itself")
    anchor = ("cell", sheet, row, col)
    target = ev.nodes.get(anchor)
    if target is None or not target.dynamic:
        raise engine.FormulaUnsupported(f"spill reference {name}: that cell holds no dynamic-array formula")
    key = ("spill", sheet, f"{m['col'].upper()}{m['row']}#")
    if key not in ev.nodes:
        spill = type(target)(key, sheet, 0, 0, name, None)
        spill.compiled = SpillRead(ev, anchor, name)
        spill.deps.add(anchor)
        ev.nodes[key] = spill
    return key
