"""What makes a values-only copy a publication copy: marked as such, nothing to fill in or click.

The package XML is edited in place: every sheet is protected and says "Publicatieversie" in its
printed header; the cells a workbook lists under its local name Aanwijzingen (how to refresh, which
cells are input) get the publication line instead; the input colours and unlocked cells go, and
so do buttons and data validation. Everything else keeps its bytes.
"""

from __future__ import annotations

import re

from lxml import etree

from vng_xl.workbook.content import AANWIJZINGEN

S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#: The line the copy shows where the live workbook tells a user what to do.
PUBLICATIE = "Publicatieversie: alleen waarden (geen formules, geen invoer, geen knoppen)."
KORT = "Publicatieversie: alleen waarden."
#: The printed header's centre on every page of the copy.
KOPTEKST = "&C&8Publicatieversie: alleen waarden"
#: Children of <worksheet> that come before <sheetProtection>, in schema order.
_BEFORE_PROTECTION = ("sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr")
_RIGHT = re.compile(r"(?<!&)(?:&&)*&R")
_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def aanwijzingen(book: etree._Element) -> dict[int, list[str]]:
    """Sheet index -> the instruction cells ("A2") its local name Aanwijzingen lists; the names are removed."""
    out: dict[int, list[str]] = {}
    names = book.find(f"{{{S}}}definedNames")
    if names is None:
        return out
    for dn in list(names):
        if dn.get("name") != AANWIJZINGEN or dn.get("localSheetId") is None:
            continue
        cells = []
        for part in (dn.text or "").split(","):
            m = _CELL.match(part.rsplit("!", 1)[-1].strip())
            if m:
                cells.append(f"{m.group(1)}{m.group(2)}")
        out[int(dn.get("localSheetId"))] = cells
        names.remove(dn)
    if len(names) == 0:
        book.remove(names)
    return out


def publication_sheet(root: etree._Element, cells: list[str]) -> None:
    """Protect a (values-only) sheet, mark its header, put the publication line in its instruction cells."""
    wanted = {ref: i for i, ref in enumerate(cells)}
    for c in root.iter(f"{{{S}}}c"):
        i = wanted.get(c.get("r", ""))
        if i is None:
            continue
        for child in list(c):
            c.remove(child)
        c.set("t", "inlineStr")
        etree.SubElement(etree.SubElement(c, f"{{{S}}}is"), f"{{{S}}}t").text = PUBLICATIE if i == 0 else KORT
    for tag in ("dataValidations", "protectedRanges"):
        for el in root.findall(f"{{{S}}}{tag}"):
            root.remove(el)
    _protect(root)
    for header in root.iter(f"{{{S}}}oddHeader", f"{{{S}}}evenHeader", f"{{{S}}}firstHeader"):
        text = header.text or ""
        if "Publicatieversie" not in text:
            at = _RIGHT.search(text)  # the centre section before the right one, as Excel orders them
            pos = at.end() - 2 if at else len(text)
            header.text = text[:pos] + KOPTEKST + text[pos:]


def _protect(root: etree._Element) -> None:
    """Sheet protection on, with the cells still selectable (to copy a figure)."""
    prot = root.find(f"{{{S}}}sheetProtection")
    if prot is None:
        prot = etree.Element(f"{{{S}}}sheetProtection")
        at = 0
        for i, child in enumerate(root):
            if etree.QName(child).localname in _BEFORE_PROTECTION:
                at = i + 1
        root.insert(at, prot)
    for key in [k for k in prot.attrib if k.endswith("Value") or k in ("password", "spinCount", "saltValue")]:
        del prot.attrib[key]  # no password: the copy is protected against slips, not locked away
    prot.set("sheet", "1")
    prot.set("objects", "1")
    prot.set("scenarios", "1")


def without_inputs(styles: etree._Element) -> bool:
    """Lock every cell format and take the input colours (fill and font of unlocked cells) away.

    A format that shares its fill with an input format (a legend's sample cell) loses it too.
    Returns whether anything changed.
    """
    xfs = styles.find(f"{{{S}}}cellXfs")
    if xfs is None:
        return False
    unlocked = [xf for xf in xfs if _unlocked(xf)]
    if not unlocked:
        return False
    fills = {xf.get("fillId") for xf in unlocked} - {"0", "1", None}
    fonts = {xf.get("fontId", "0") for xf in unlocked}
    plain = _plain_fonts(styles, fonts)
    for xf in xfs:
        if xf in unlocked or xf.get("fillId") in fills:
            if xf.get("fillId") in fills:
                xf.set("fillId", "0")
            font = xf.get("fontId", "0")
            if font in plain:
                xf.set("fontId", plain[font])
        prot = xf.find(f"{{{S}}}protection")
        if prot is not None and prot.get("locked") in ("0", "false"):
            xf.remove(prot)
    return True


def _unlocked(xf: etree._Element) -> bool:
    prot = xf.find(f"{{{S}}}protection")
    return prot is not None and prot.get("locked") in ("0", "false")


def _plain_fonts(styles: etree._Element, ids: set[str]) -> dict[str, str]:
    """Copies of the input fonts without their colour, appended to <fonts>: old id -> new id."""
    fonts = styles.find(f"{{{S}}}fonts")
    if fonts is None:
        return {}
    out = {}
    items = list(fonts)
    for font_id in sorted(ids, key=int):
        if int(font_id) >= len(items) or items[int(font_id)].find(f"{{{S}}}color") is None:
            continue
        copy = etree.fromstring(etree.tostring(items[int(font_id)]))
        for color in copy.findall(f"{{{S}}}color"):
            copy.remove(color)
        fonts.append(copy)
        out[font_id] = str(len(fonts) - 1)
    fonts.set("count", str(len(fonts)))
    return out


_BUTTON_SHAPE = re.compile(r"<v:shape\b(?:(?!</v:shape>).)*?ObjectType=\"Button\".*?</v:shape>", re.S)


def without_buttons(vml: str) -> tuple[str, int]:
    """A VML drawing without its form buttons; returns the text and how many went."""
    return _BUTTON_SHAPE.subn("", vml)


def has_shapes(vml: str) -> bool:
    """Whether a VML drawing still draws something (a comment's box, another control)."""
    return "<v:shape " in vml or "<v:shape>" in vml
