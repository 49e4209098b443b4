"""LibreOffice, headless: converting workbooks (to PDF, CSV, xlsx) in a private profile per run.

A private profile keeps runs from colliding and lets a caller set options (the locale, whether to
recalculate on load) without touching the user's own LibreOffice.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from vng_xl.errors import VngError


class LibreOfficeError(VngError):
    """LibreOffice is missing, did not finish, or made no output."""

    nl_template = "{reason_nl}"
    en_template = "{reason_en}"


#: Names the LibreOffice to run (its soffice), when it is not the one on the PATH.
SOFFICE_VARIABLE = "VNG_XL_SOFFICE"


def soffice() -> str | None:
    """The LibreOffice command: the one VNG_XL_SOFFICE names, else the one on the PATH."""
    chosen = os.environ.get(SOFFICE_VARIABLE)
    if chosen:
        return shutil.which(chosen)  # None when it names no program: treated as not installed
    return shutil.which("soffice") or shutil.which("libreoffice")


def not_found() -> LibreOfficeError:
    """The refusal when there is no LibreOffice to run (none installed, or VNG_XL_SOFFICE names no program)."""
    chosen = os.environ.get(SOFFICE_VARIABLE)
    if chosen:
        return LibreOfficeError(
            reason_nl=f"{SOFFICE_VARIABLE}={chosen} is geen programma",
            reason_en=f"{SOFFICE_VARIABLE}={chosen} is no program",
        )
    return LibreOfficeError(
        reason_nl="LibreOffice (soffice) is niet geïnstalleerd", reason_en="LibreOffice (soffice) is not installed"
    )


def convert(
    sources: Path | list[Path],
    fmt: str,
    outdir: Path,
    *,
    settings: str | None = None,
    timeout: float = 180,
) -> list[Path]:
    """Convert workbooks to `fmt` ("pdf", "csv", "xlsx") into `outdir`; returns the files made, in order.

    `settings` is a registrymodifications.xcu text for the private profile (e.g. the nl-NL locale).
    The profile always has linked content off (OFFLINE): nothing a workbook links to is fetched.
    """
    office = soffice()
    if office is None:
        raise not_found()
    files = [sources] if isinstance(sources, Path) else list(sources)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vng-xl-lo-") as work:
        profile = Path(work, "profile")
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(offline(settings), encoding="utf-8")
        cmd = [office, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
        cmd += ["--convert-to", fmt, "--outdir", str(outdir), *(str(f.resolve()) for f in files)]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise LibreOfficeError(
                reason_nl=f"LibreOffice reageerde niet binnen {timeout:.0f} s",
                reason_en=f"LibreOffice did not finish within {timeout:.0f} s",
            ) from None
    made = [outdir / f"{f.stem}.{fmt.split(':')[0]}" for f in files]
    missing = [m for m in made if not m.exists()]
    if done.returncode != 0 or missing:
        detail = ((done.stderr or done.stdout).strip().splitlines() or ["no output"])[-1]
        raise LibreOfficeError(
            reason_nl=f"LibreOffice maakte geen {fmt} ({detail})", reason_en=f"LibreOffice made no {fmt} ({detail})"
        )
    return made


#: Profile items that keep LibreOffice from fetching what a document links to: images and other
#: content by URL (untrusted referer links blocked) and external data (links never updated).
OFFLINE = """
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
<prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Content/Update">
<prop oor:name="Link" oor:op="fuse"><value>1</value></prop></item>
"""

_ITEMS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
</oor:items>
"""


def offline(settings: str | None) -> str:
    """A registrymodifications.xcu text with the OFFLINE items added (to `settings`, or alone)."""
    text = settings if settings is not None else _ITEMS
    end = text.rindex("</oor:items>")
    return text[:end] + OFFLINE + text[end:]


#: Profile settings: the Dutch locale, so amounts print as the Kadernota prints them.
DUTCH_LOCALE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse">
<value>nl-NL</value></prop></item>
</oor:items>
"""
