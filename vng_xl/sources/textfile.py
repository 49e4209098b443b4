"""Reading a user's text file (CSV, TOML): the bytes, the character set, and a clear refusal of what is no text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vng_xl.errors import VngError, file_problem

#: Leading bytes of files people pick by mistake, with what they are (Dutch, English).
NOT_TEXT = (
    (b"PK\x03\x04", "een werkmap of ander zip-bestand, geen tekst", "a workbook or other zip file, not text"),
    (b"\xd0\xcf\x11\xe0", "een oud Excel-bestand (.xls), geen tekst", "a legacy Excel file (.xls), not text"),
    (b"%PDF", "een PDF, geen tekst", "a PDF, not text"),
)


def read_text(path: Path | str, bad: Callable[[str, str], VngError], what: str = "CSV") -> str:
    """The file's text (UTF-8, else Windows-1252, as Excel saves a CSV); `bad(nl, en)` makes the refusal."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise file_problem(exc, path) from None
    for magic, nl, en in NOT_TEXT:
        if data.startswith(magic):
            raise bad(f"{nl}; sla de lijst op als {what}", f"{en}; save the list as {what}")
    if b"\x00" in data[:4096]:
        raise bad(f"binaire gegevens, geen {what}-tekst", f"binary data, not {what} text")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise bad(f"onbekende tekenset, geen {what}-tekst", f"unknown character set, not {what} text")
