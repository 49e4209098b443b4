"""Driving LibreOffice through UNO from vng-xl: install the add-in, compute formulas with it.

UNO is only importable in LibreOffice's own Python, so the work runs in vng_xl/libreoffice/driver.py
under that Python, one headless soffice per job, with the job and its answer as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

from vng_xl.libreoffice.addin import IDENTIFIER, build_oxt
from vng_xl.libreoffice.names import restore_excel_names
from vng_xl.libreoffice.runner import LibreOfficeError, not_found, soffice

DRIVER = Path(__file__).with_name("driver.py")


def office_python() -> str:
    """The Python LibreOffice runs macros and add-ins in: its own (Windows, macOS) or the system's (Linux)."""
    office = soffice()
    if office is None:
        raise not_found()
    bundled = Path(os.path.realpath(office)).with_name("python")
    for candidate in (str(bundled), "/usr/bin/python3"):  # a venv's python3 has no uno
        if Path(candidate).is_file():
            probe = subprocess.run([candidate, "-c", "import uno"], capture_output=True, check=False)
            if probe.returncode == 0:
                return candidate
    raise LibreOfficeError(
        reason_nl="de Python van LibreOffice (met uno) is niet gevonden; installeer python3-uno",
        reason_en="LibreOffice's Python (with uno) was not found; install python3-uno",
    )


def office_environment() -> dict[str, str]:
    """The environment for LibreOffice's Python: without a virtualenv's bin on PATH.

    LibreOffice's embedded Python finds its standard library through the first `python3` on PATH;
    a venv's python3 there points it at another Python's library and the add-in fails to load.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH")}
    paths = env.get("PATH", "").split(os.pathsep)
    env["PATH"] = os.pathsep.join(p for p in paths if p and not Path(p).parent.joinpath("pyvenv.cfg").is_file())
    return env


def profile_url(profile: Path | None) -> str | None:
    """A profile folder as -env:UserInstallation takes it; None for the user's own profile."""
    return None if profile is None else Path(profile).resolve().as_uri()


def run(job: dict[str, object], profile: Path | None = None, timeout: float = 300) -> dict[str, object]:
    """Run one job in a headless soffice on `profile` (None: the user's own LibreOffice profile)."""
    python = office_python()
    job = {**job, "soffice": soffice(), "profile": profile_url(profile)}
    try:
        done = subprocess.run(
            [python, str(DRIVER)],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env=office_environment(),
        )
    except subprocess.TimeoutExpired:
        raise LibreOfficeError(
            reason_nl=f"LibreOffice reageerde niet binnen {timeout:.0f} s",
            reason_en=f"LibreOffice did not finish within {timeout:.0f} s",
        ) from None
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise LibreOfficeError(reason_nl=f"LibreOffice-fout: {detail}", reason_en=f"LibreOffice failed: {detail}")
    return json.loads(done.stdout)


def install(profile: Path | None = None, env: dict[str, object] | None = None) -> list[list[str]]:
    """Build the add-in for this environment (or `env`, see addin.environment) and add it to the profile.

    An add-in installed before is removed first. Returns identifier and file of each extension there.
    """
    with tempfile.TemporaryDirectory(prefix="vng-xl-oxt-") as work:
        oxt = build_oxt(Path(work, "vng_xl.oxt"), env)
        answer = run({"remove": IDENTIFIER, "install": str(oxt)}, profile)
    return answer["installed"]  # type: ignore[return-value]


def uninstall(profile: Path | None = None) -> bool:
    """Remove the add-in from the profile; whether it was there."""
    answer = run({"remove": IDENTIFIER}, profile)
    return bool(answer["removed"])


def evaluate(formulas: list[object], profile: Path | None = None) -> list[list[list[dict[str, object]]]]:
    """Compute formulas (API notation) in a new sheet of LibreOffice on `profile`: per formula its block of cells."""
    return run({"evaluate": formulas}, profile)["evaluated"]  # type: ignore[return-value]


def compute(
    workbooks: list[Path], profile: Path | None = None, save_as: list[Path] | None = None
) -> list[dict[str, dict[str, object]]]:
    """Open each workbook in one LibreOffice on `profile`, recalculate, and return its formula cells by address.

    With `save_as` (one .xlsx/.xlsm per workbook), LibreOffice also saves each recalculated workbook
    there, and the saved file gets Excel's VNG names back (vng_xl.libreoffice.names).
    """
    job: dict[str, object] = {"compute": [str(Path(w).resolve()) for w in workbooks]}
    if save_as is not None:
        job["save_as"] = [str(Path(t).resolve()) for t in save_as]
    computed = run(job, profile)["computed"]
    for target in save_as or []:
        restore_excel_names(Path(target))
    return computed  # type: ignore[return-value]
