"""The package's layering, checked on every run: the import-linter contracts in setup.cfg and no import cycles."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CYCLES = ROOT.parent / "shared" / "tools" / "import_cycles.py"


def test_import_contracts_are_kept() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert exe, "import-linter is part of the test extras: pip install -e '.[test]'"
    run = subprocess.run([exe, "--config", "setup.cfg"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


@pytest.mark.skipif(not CYCLES.is_file(), reason="the shared import-cycle tool is not beside the checkout")
def test_no_import_cycles_even_inside_functions() -> None:
    run = subprocess.run([sys.executable, str(CYCLES), "vng_xl"], cwd=ROOT, capture_output=True, text=True)
    assert run.stdout.startswith("0 import cycles"), run.stdout + run.stderr


def test_modules_stay_readable() -> None:
    """Modules of a few hundred lines: one subject each (the style guide's ~500-line mark, with some slack)."""
    long = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / "vng_xl").rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert not long, long
