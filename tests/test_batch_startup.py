"""How `vng-xl recalc` starts and ends as a batch: argument parsing without numpy, numpy's BLAS with
one thread in a batch of processes, the garbage collector off while the batch loads and forks and
on again in the batch process and its workers, and no collection of the command's objects at exit."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.recalc_fixtures import build_xlsx
from vng_xl.cli import main
from vng_xl.ooxml.package import Package
from vng_xl.recalc import pool

ROOT = Path(__file__).resolve().parents[1]
BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def small_book(path: Path) -> Path:
    rows = '<row r="1"><c r="A1"><v>2</v></c><c r="B1"><f>A1*21</f><v>0</v></c></row>'
    return build_xlsx(path, {"S": rows})


def run_python(code: str, env: dict[str, str] | None = None) -> dict:
    """What `code` prints as JSON on its last line, run by a fresh Python in the repository."""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout.splitlines()[-1])


def test_reading_a_typed_option_imports_no_numpy():
    """--jobs is read by vng_xl.notation; that takes no numpy, so that the batch can load numpy later
    with its own settings (and a command refused for a bad option answers at once)."""
    loaded = run_python(
        "import json, sys\nfrom vng_xl.cli import build_parser\n"
        "args = build_parser().parse_args(['recalc', 'x.xlsx', '--jobs', '2', '--out', 'o'])\n"
        "assert args.jobs == 2\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    assert "vng_xl.notation" in loaded  # the option was read by the notation module
    assert "numpy" not in loaded


#: Printed by a fresh Python after the batch: the threads numpy's OpenBLAS would use (None: no OpenBLAS).
BLAS_THREADS_NOW = """
import ctypes
paths = [line.split()[-1] for line in open('/proc/self/maps') if 'openblas' in line.split('/')[-1]]
lib = ctypes.CDLL(paths[0]) if paths else None
names = ('scipy_openblas_get_num_threads64_', 'openblas_get_num_threads64_', 'openblas_get_num_threads')
getters = [getattr(lib, name) for name in names if lib is not None and hasattr(lib, name)]
blas = getters[0]() if getters else None
"""


@pytest.mark.skipif(not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2, reason="Linux, 2+ cores")
@pytest.mark.parametrize(("given", "threads"), [(None, 1), ("2", 2)])
def test_the_batch_process_has_one_blas_thread_unless_the_environment_says_otherwise(tmp_path, given, threads):
    """OpenBLAS sets up a thread per core when numpy is imported; a batch whose workers share the
    cores has one (a value the user set is kept). The environment is as it was afterwards, the
    collector on, and the file recalculated."""
    src = small_book(tmp_path / "a.xlsx")
    env = {k: v for k, v in os.environ.items() if k not in BLAS_VARIABLES}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    seen = run_python(
        "import gc, json, os, sys\nfrom vng_xl.cli import main\n"
        f"code = main(['recalc', {str(src)!r}, '--out', {str(tmp_path / 'out')!r}, '--jobs', '1'])\n"
        + BLAS_THREADS_NOW
        + "print(json.dumps({'code': code, 'numpy': 'numpy' in sys.modules, 'gc': gc.isenabled(), 'blas': blas,\n"
        f"    'env': [os.environ.get(k) for k in {BLAS_VARIABLES!r}]}}))",
        env=env,
    )
    if seen["blas"] is None:
        pytest.skip("numpy without OpenBLAS")
    assert seen["code"] == 0 and seen["numpy"] and seen["gc"]
    assert seen["blas"] == threads
    assert seen["env"] == [given, None, None]
    assert openpyxl.load_workbook(tmp_path / "out" / "a.xlsx", data_only=True)["S"]["B1"].value == 42


def test_a_worker_forked_with_the_collector_off_collects(tmp_path, monkeypatch):
    """The batch forks its workers during its start-up, without the collector: each worker turns it on
    again, or cyclic garbage would pile up file after file within the memory budget."""
    src = small_book(tmp_path / "a.xlsx")
    monkeypatch.setattr(pool, "evaluate_untrusted", lambda pkg, updates: ("failed", repr(gc.isenabled())))
    gc.disable()
    try:
        workers = pool.WorkerPool(1)
    finally:
        gc.enable()
    try:
        assert workers._evaluate(Package.open(src), None) == ("failed", "True")
    finally:
        workers.shutdown()


def test_only_the_command_line_itself_freezes_its_objects_at_the_end(tmp_path):
    """The process of the command ends right after main(): its objects are frozen so that the
    collection at exit skips them. A caller of main(argv) goes on, and keeps its collector as it was."""
    before = gc.get_freeze_count()
    assert main(["recalc", str(tmp_path / "none.xlsx")]) != 0
    assert gc.get_freeze_count() == before and gc.isenabled()
    seen = run_python(
        "import gc, json, sys\nfrom vng_xl.cli import main\n"
        f"sys.argv = ['vng-xl', 'recalc', {str(tmp_path / 'none.xlsx')!r}]\n"
        "code = main()\nprint(json.dumps([code, gc.get_freeze_count()]))"
    )
    assert seen[0] != 0 and seen[1] > 0
