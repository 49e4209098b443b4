"""The built workbook compared part by part with the reviewed reference parts in tests/reference/.

An intended change to the builder: run `python -m tests.reference_parts` and review the diff.
"""

from __future__ import annotations

import difflib

import pytest

from tests.reference_parts import REFERENCE, canonical_xml, parts_as_text
from tests.workbook_fixtures import built_workbook

FRESH = parts_as_text(built_workbook())
REVIEWED = {p.name: p.read_text(encoding="utf-8") for p in REFERENCE.glob("*.txt")}


def test_the_same_parts() -> None:
    assert sorted(FRESH) == sorted(REVIEWED), "parts added or dropped: run python -m tests.reference_parts"


@pytest.mark.parametrize("name", sorted(REVIEWED))
def test_part_equals_reference(name: str) -> None:
    fresh = FRESH.get(name, "")
    if fresh != REVIEWED[name]:
        diff = difflib.unified_diff(REVIEWED[name].splitlines(), fresh.splitlines(), "reference", "built", lineterm="")
        pytest.fail(
            f"{name} differs from tests/reference (python -m tests.reference_parts):\n" + "\n".join(list(diff)[:40])
        )


def test_canonical_form_ignores_serialisation_only() -> None:
    a = b'<?xml version="1.0"?><x xmlns="urn:a"><y b="2" a="1"/></x>'
    b = b'<x xmlns="urn:a">\n  <y a="1" b="2"></y>\n</x>'
    assert canonical_xml(a) == canonical_xml(b)
    assert canonical_xml(a) != canonical_xml(b'<x xmlns="urn:a"><y a="1" b="3"/></x>')


def _shifted(method: str, change):
    """An xlsxwriter method wrapped so that it is called with one argument changed: a one-line builder slip."""
    import xlsxwriter.chart
    import xlsxwriter.worksheet

    owner = xlsxwriter.chart.Chart if method == "set_legend" else xlsxwriter.worksheet.Worksheet
    original = getattr(owner, method)

    def slipped(self, *args, **kwargs):
        args, kwargs = change(args, kwargs)
        return original(self, *args, **kwargs)

    return owner, method, slipped


SLIPS = {
    "paper size": ("set_paper", lambda a, k: ((8,), k)),
    "protection options": ("protect", lambda a, k: ((a[0], {**a[1], "format_rows": False}), k)),
    "freeze panes": ("freeze_panes", lambda a, k: ((a[0] + 1, *a[1:]), k)),
    "chart legend": ("set_legend", lambda a, k: (({"position": "top"},), k)),
    "conditional format target": ("conditional_format", lambda a, k: (("A1:A2", *a[1:]), k)),
    "a label": ("write_string", lambda a, k: ((*a[:2], a[2] + " ", *a[3:]) if len(a) >= 3 else a, k)),
}


@pytest.mark.parametrize("slip", sorted(SLIPS))
def test_a_one_line_builder_slip_shows_in_the_parts(slip: str, tmp_path, monkeypatch) -> None:
    """Each slip that passed every other test once must change at least one reference part."""
    from vng_xl.workbook.build import build

    owner, method, slipped = _shifted(*SLIPS[slip])
    monkeypatch.setattr(owner, method, slipped)
    path = tmp_path / "slip.xlsm"
    build(path)
    changed = [n for n, text in parts_as_text(path).items() if REVIEWED.get(n) != text]
    assert changed, f"the slip '{slip}' changed no part"
