"""One LibreOffice kept running for many requests: open a workbook, type into it, recalculate, read it back.

For tests and benchmarks that work in Calc as a user does (one soffice for a whole run instead of one
per job, vng_xl.libreoffice.session). The requests run in vng_xl/libreoffice/live_driver.py under
LibreOffice's own Python; cells come back as session.compute gives them ({"value"}, {"text"},
{"error", "text"}).
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import tempfile
from pathlib import Path

from vng_xl.libreoffice.addin import IDENTIFIER, build_oxt
from vng_xl.libreoffice.runner import LibreOfficeError, soffice
from vng_xl.libreoffice.session import office_environment, office_python, profile_url

DRIVER = Path(__file__).with_name("live_driver.py")

#: Set to a file name, the add-in appends the name of every VNG function Calc calls to it (a call counter).
CALL_LOG = "VNG_XL_CALL_LOG"

Cell = dict[str, object]


class LiveOffice:
    """A headless LibreOffice on `profile` with the VNG add-in (built for this environment) installed.

    `call_log`: a file the add-in writes each call's function name to (see CALL_LOG). Use as a context
    manager; closing ends LibreOffice.
    """

    def __init__(self, profile: Path, addin: bool = True, call_log: Path | None = None, timeout: float = 300):
        self.timeout = timeout
        env = office_environment()
        if call_log is not None:
            env[CALL_LOG] = str(call_log)
        self._proc = subprocess.Popen(
            [office_python(), str(DRIVER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        try:
            self._send({"soffice": soffice(), "profile": profile_url(profile)})
            if addin:
                with tempfile.TemporaryDirectory(prefix="vng-xl-oxt-") as work:
                    self.request("install", path=str(build_oxt(Path(work, "vng_xl.oxt"))), identifier=IDENTIFIER)
        except BaseException:
            self.close()
            raise

    def _send(self, message: dict[str, object]) -> object:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(json.dumps(message) + "\n")
        self._proc.stdin.flush()
        ready, _, _ = select.select([self._proc.stdout], [], [], self.timeout)
        line = self._proc.stdout.readline() if ready else ""
        if not line:
            self.close()
            raise LibreOfficeError(
                reason_nl="LibreOffice gaf geen antwoord (gestopt of te traag)",
                reason_en="LibreOffice gave no answer (it stopped or took too long)",
            )
        answer = json.loads(line)
        if "error" in answer:
            raise LibreOfficeError(reason_nl=f"LibreOffice-fout: {answer['error']}", reason_en=answer["error"])
        return answer["ok"]

    def request(self, op: str, **arguments: object) -> object:
        """One request to the driver (live_driver.OPS); its answer."""
        return self._send({"op": op, **arguments})

    def open(self, path: Path) -> int:
        """Open a workbook (hidden); its number for the other requests."""
        return int(self.request("open", path=str(Path(path).resolve())))  # type: ignore[arg-type]

    def new(self) -> int:
        """A new, empty spreadsheet."""
        return int(self.request("new"))  # type: ignore[arg-type]

    def set(self, doc: int, cells: dict[str, object]) -> None:
        """Type into cells ("Sheet!C7": value, or a formula in API notation starting with '=')."""
        self.request("set", doc=doc, cells=cells)

    def fill(self, doc: int, address: str, formulas: list[list[str]] | str) -> None:
        """Rows of formulas into the block `address` at once; one string is entered as an array formula."""
        self.request("fill", doc=doc, address=address, formulas=formulas)

    def calculate(self, doc: int, full: bool = True) -> float:
        """Recalculate everything (`full`) or only what changed; the seconds Calc took."""
        return float(self.request("calculate", doc=doc, full=full))  # type: ignore[arg-type]

    def cells(self, doc: int) -> dict[str, Cell]:
        """Every formula cell's current result by address ("Sheet!A1")."""
        return self.request("cells", doc=doc)  # type: ignore[return-value]

    def values(self, doc: int, addresses: list[str]) -> dict[str, Cell]:
        return self.request("values", doc=doc, addresses=addresses)  # type: ignore[return-value]

    def charts(self, doc: int) -> list[dict[str, object]]:
        """Each chart: its sheet, name and data sequences (role, source range, the values it shows)."""
        return self.request("charts", doc=doc)  # type: ignore[return-value]

    def close_document(self, doc: int) -> None:
        self.request("close", doc=doc)

    def close(self) -> None:
        """End LibreOffice (the driver closes every document it still has open)."""
        proc = self._proc
        if proc.poll() is None:
            try:
                assert proc.stdin is not None
                proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
                proc.stdin.close()
                proc.wait(60)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()

    def __enter__(self) -> LiveOffice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_call_log(path: Path) -> list[str]:
    """The function names the add-in logged, one per call, in order."""
    return Path(path).read_text(encoding="utf-8").split() if os.path.exists(path) else []
