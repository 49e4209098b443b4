"""Operations on a built workbook on disk: check it against the published figures, write a municipality list into it.

They sit above the sheet builders and the refresh, which they use, so neither needs to import the other.
"""

from __future__ import annotations

from pathlib import Path

from vng_xl.controle.bevindingen import Controle, controleer
from vng_xl.controle.rekenketen import Sleutel, keten
from vng_xl.errors import VngError
from vng_xl.ooxml.writer import same_file, writing
from vng_xl.sources.gemeenten import BadGemeenten, Gemeente, bijdrage_leden, rekening
from vng_xl.workbook.build import workbook_content
from vng_xl.workbook.content import a1
from vng_xl.workbook.gemeenten_sheet import BIJDRAGE, blad, gemeenten_updates
from vng_xl.workbook.headless import HeadlessTarget
from vng_xl.workbook.readback import layout_of, read_invoer, shape_of_workbook


class WerkmapOntbreekt(VngError):
    """A workbook path that does not exist."""

    nl_template = "{file}: bestand niet gevonden"
    en_template = "{file}: file not found"


def _split(ref: str) -> tuple[str, str]:
    """ "'Fonds GGU'!$E$5" -> ("Fonds GGU", "E5")."""
    sheet, _, cell = ref.rpartition("!")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, cell.replace("$", "")


def controle_werkmap(path: Path | str, inwoners: float | None = None) -> Controle:
    """Check a built workbook: its Gepubliceerd sheet against its computed figures (cached values).

    The explanations come from the model run on the workbook's own inputs (sheet Parameters and the
    cost lines), so a changed input is checked as the workbook now holds it.
    """

    if not Path(path).is_file():
        raise WerkmapOntbreekt(file=str(path))
    target = HeadlessTarget(Path(path))
    try:
        layout = layout_of(target)
        invoer = read_invoer(target, layout)
        ctx, _ = workbook_content(layout, invoer, {})

        def value(ref: str) -> object:
            sheet, cell = _split(ref)
            return target.read(sheet, f"{cell}:{cell}")[0][0]

        # The workbook's own published figures (sheet Gepubliceerd) and computed ones, by key.
        published = {}
        for key, (ref, _) in ctx.published.items():
            v = value(ref)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                published[key] = float(v)
        computed: dict[Sleutel, dict[int, float]] = {}
        for f in ctx.figures:
            v = value(f.ref)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                computed.setdefault(f.post, {})[f.jaar] = float(v)
    finally:
        target.close()
    k = keten(invoer.kn, ctx.gepubliceerd.met(published))
    # The per-inwoner figure is compared on the workbook's own count unless another is given.
    return controleer(k, berekend=computed, inwoners=inwoners or invoer.inwoners or None)


def schrijf_gemeenten(
    werkmap: Path, gemeenten: list[Gemeente], uit: Path | None = None, bron: str = "", force: bool = False
) -> float:
    """Write the list into a built workbook's Gemeenten sheet; returns the difference with the bijdrage leden.

    The year is the one in the sheet; the bijdrage leden is computed from the workbook's own inputs.
    The output is locked from reading to writing; another existing output file is replaced only with `force`.
    """

    werkmap = Path(werkmap)
    uit = Path(uit) if uit else werkmap
    if not werkmap.is_file():
        raise BadGemeenten(file=str(werkmap), reason_nl="bestand niet gevonden", reason_en="file not found")
    with writing(uit, overwrite=force or same_file(uit, werkmap)) as session:
        target = HeadlessTarget(werkmap, uit, data=session.read(werkmap), session=session)
        try:
            layout = layout_of(target)
            shape = shape_of_workbook(target, layout)
            invoer = read_invoer(target, layout, shape)
            sheet = blad(layout.raw)
            if not target.has_sheet(sheet):
                raise BadGemeenten(
                    file=werkmap.name,
                    reason_nl=f"de werkmap heeft geen blad {sheet}; bouw haar opnieuw met vng-xl build",
                    reason_en=f"the workbook has no sheet {sheet}; build it again with vng-xl build",
                )
        finally:
            target.close()
        jaar = invoer.gemeenten_jaar
        leden = bijdrage_leden(jaar, invoer.kn)
        cells = gemeenten_updates(gemeenten, leden, jaar, bron, room=shape.gemeenten)
        cells[a1(*BIJDRAGE)] = leden
        target.write({sheet: cells}, {})
    return rekening(gemeenten, leden, jaar).verschil
