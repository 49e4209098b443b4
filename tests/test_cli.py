"""The `vng-xl` command line: `raming` prints the document's tables, errors exit non-zero."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests import kadernota_figures as doc
from vng_xl.cli import main


def dutch(n: int) -> str:
    """Dutch thousands notation, written independently of the package's formatter."""
    s = f"{abs(n):,}".replace(",", ".")
    return f"-{s}" if n < 0 else s


@pytest.fixture(scope="module")
def raming_output():
    proc = subprocess.run([sys.executable, "-m", "vng_xl", "raming"], capture_output=True, text=True, check=True)
    return proc.stdout


def test_raming_shows_the_reproduced_figures(raming_output):
    for name, values in doc.KERNORGANISATIE.items():
        line = next(row for row in raming_output.splitlines() if row.startswith(name + " "))
        assert dutch(values[1]) in line and dutch(values[2]) in line  # 2025 and 2026 are reproduced
    for post in ("basisbegroting", "begroting", "bijdrage", "overbegroting", "indexatie"):
        for value in doc.GGU[post]:
            assert dutch(value) in raming_output
    assert "(1.449)" in raming_output and "(465)" in raming_output
    assert "3,1%" in raming_output and "4,6%" in raming_output and "2,1%" in raming_output


def test_raming_per_inwoner_needs_a_population(raming_output, capsys):
    assert "--inwoners" in raming_output
    assert main(["raming", "--inwoners", "18040000", "--inwoners-bron", "eigen telling"]) == 0
    out = capsys.readouterr().out
    assert "€ 4,644" in out and "eigen telling" in out  # 83.778.155 / 18.040.000 = 4,6440 by hand


def test_unknown_command_exits_2():
    proc = subprocess.run([sys.executable, "-m", "vng_xl", "nope"], capture_output=True, text=True)
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


def test_readme_function_reference_is_current():
    from pathlib import Path

    from vng_xl.functions.docs import update

    readme = Path(__file__).resolve().parents[1] / "README.md"
    text = readme.read_text(encoding="utf-8")
    assert update(text) == text, "run: python -m vng_xl.functions.docs README.md"
