"""The built workbook as reviewable text: every part canonicalised, the way XlsxWriter's comparison tests see files.

`python -m tests.reference_parts` rebuilds the official workbook and rewrites tests/reference/ from it,
so an intended change to the builder shows as a diff of these files in review; test_reference_parts.py
compares a fresh build with them part by part.
"""

from __future__ import annotations

import re
import sys
import tempfile
import zipfile
from pathlib import Path

import xlwings
from lxml import etree

import vng_xl

REFERENCE = Path(__file__).parent / "reference" / "workbook"

#: What changes between machines and releases but not with the builder: masked before comparing.
MASKS = (
    (re.escape(xlwings.__version__), "{xlwings-version}"),
    (re.escape(vng_xl.__version__), "{vng_xl-version}"),
)

#: VBA modules that come from the installed xlwings package, compared with it by test_vba.py instead.
FOREIGN_MODULES = frozenset({"xlwings", "Dictionary"})


def _mask(text: str) -> str:
    for pattern, placeholder in MASKS:
        text = re.sub(rf"(?<![\d.]){pattern}(?![\d])", placeholder, text)
    return text


def canonical_xml(data: bytes) -> str:
    """One element per line in canonical form (C14N 2.0): the same XML always gives the same text."""
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    root = etree.fromstring(data, parser)
    c14n = etree.tostring(root, method="c14n2")
    pretty = etree.tostring(etree.fromstring(c14n, parser), pretty_print=True, encoding="unicode")
    return _mask(pretty)


def vba_sources(path: Path) -> dict[str, str]:
    """The VBA module sources in the workbook's vbaProject.bin, read back with oletools."""
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        modules = {}
        for _, stream, _, code in parser.extract_macros():
            name = stream.rsplit("/", 1)[-1]
            if name not in FOREIGN_MODULES:
                modules[name] = _mask(code.replace("\r\n", "\n"))
        return modules
    finally:
        parser.close()


def reference_name(part: str) -> str:
    """A flat file name for a part: xl/worksheets/sheet1.xml -> xl--worksheets--sheet1.xml.txt."""
    return part.replace("/", "--") + ".txt"


def parts_as_text(path: Path) -> dict[str, str]:
    """Every part of the package as the text reviewed in tests/reference/ (binary VBA as its module sources)."""
    out: dict[str, str] = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name == "xl/vbaProject.bin":
                continue
            out[reference_name(name)] = canonical_xml(z.read(name))
    for module, code in vba_sources(path).items():
        out[f"vba--{module}.bas.txt"] = code
    return out


def regenerate() -> list[str]:
    """Build the workbook and rewrite every reference file; returns the names that changed."""
    from vng_xl.workbook.build import build

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vng_begroting_2026.xlsm"
        build(path)
        fresh = parts_as_text(path)
    REFERENCE.mkdir(parents=True, exist_ok=True)
    old = {p.name: p.read_text(encoding="utf-8") for p in REFERENCE.glob("*.txt")}
    for name in set(old) - set(fresh):
        (REFERENCE / name).unlink()
    for name, text in fresh.items():
        (REFERENCE / name).write_text(text, encoding="utf-8", newline="\n")
    return sorted(n for n in set(old) | set(fresh) if old.get(n) != fresh.get(n))


if __name__ == "__main__":
    changed = regenerate()
    print("\n".join(changed) if changed else "reference parts unchanged", file=sys.stderr)
