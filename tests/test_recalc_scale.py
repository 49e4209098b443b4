"""A batch that scales: long-lived workers with a budget per file, a report kept as files finish,
and the same per-file work on a Dask cluster."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.recalc_fixtures import build_xlsx
from vng_xl.cli import main
from vng_xl.recalc import batch
from vng_xl.recalc import pool as pool_module
from vng_xl.recalc.budget import Budget
from vng_xl.recalc.pool import WorkerPool

ROOT = Path(__file__).resolve().parents[1]
#: A formula far over any test's time budget, with little memory: FACT over two million numbers.
SLOW = "SUM(FACT(SEQUENCE(2000000)))"
needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="budgets need fork and resource limits")


def book(path: Path, formula: str) -> Path:
    return build_xlsx(path, {"S": f'<row r="1"><c r="A1"><v>3</v></c><c r="B1"><f>{formula}</f><v>0</v></c></row>'})


def cached(path: Path, ref: str = "B1"):
    return openpyxl.load_workbook(path, data_only=True)["S"][ref].value


def folder_of(tmp_path: Path, formulas: dict[str, str]) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, formula in formulas.items():
        book(folder / name, formula)
    return folder


def without_timings(report: dict) -> dict:
    for f in report["files"]:
        f.pop("seconds")
    report["summary"].pop("seconds")
    return report


# ---------------------------------------------------------------- one file cannot stop the batch


@needs_fork
def test_a_formula_far_over_its_time_ends_as_that_files_failure_within_its_budget(tmp_path: Path, capsys):
    """A formula that takes far longer than its budget (FACT over two million numbers, seconds of Python
    each hundred thousand; TRUNC(1e+100, 1e+50), which once never finished, now returns at once): the
    worker is killed at 2 s and replaced."""
    folder = folder_of(tmp_path, {"a.xlsx": "A1*2", "b_trunc.xlsx": SLOW, "c.xlsx": "A1+1"})
    out = tmp_path / "out"
    start = time.monotonic()
    rc = main(["recalc", str(folder), "--out", str(out), "--jobs", "1", "--time-limit", "2"])
    assert time.monotonic() - start < 20
    assert rc == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "FAILED b_trunc.xlsx: refused: over the time budget of 2 s"
    assert lines[0].startswith("ok     a.xlsx") and lines[2].startswith("ok     c.xlsx")
    assert cached(out / "a.xlsx") == 6 and cached(out / "c.xlsx") == 4  # the replacement worker did c
    assert sorted(p.name for p in out.iterdir()) == ["a.xlsx", "c.xlsx"]  # nothing of b, no lock, no temp


@needs_fork
def test_a_memory_hog_ends_as_that_files_failure_and_the_worker_is_replaced(tmp_path: Path, capsys):
    """SUMPRODUCT over sixteen million cells needs far more than 64 MiB; the files after it are still done."""
    folder = folder_of(tmp_path, {"a_hog.xlsx": "SUMPRODUCT(C1:R1000000)", "b.xlsx": "A1+1", "c.xlsx": "A1+2"})
    out = tmp_path / "out"
    rc = main(["recalc", str(folder), "--out", str(out), "--jobs", "1", "--memory-limit", "64"])
    assert rc == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "FAILED a_hog.xlsx: refused: over the memory budget of 64 MiB"
    assert cached(out / "b.xlsx") == 4 and cached(out / "c.xlsx") == 5
    assert sorted(p.name for p in out.iterdir()) == ["b.xlsx", "c.xlsx"]


@needs_fork
def test_a_worker_that_dies_is_that_files_failure(tmp_path: Path, monkeypatch):
    """A worker killed from outside (the kernel's OOM killer, say) fails its file only."""
    folder = folder_of(tmp_path, {"a.xlsx": "A1+1", "b_dies.xlsx": "A1+2", "c.xlsx": "A1+3"})
    real = pool_module.evaluate_package

    def dies_on_b(pkg, updates=None):
        if pkg.path.name == "b_dies.xlsx":
            os.kill(os.getpid(), signal.SIGKILL)
        return real(pkg, updates)

    monkeypatch.setattr(pool_module, "evaluate_package", dies_on_b)
    out = tmp_path / "out"
    out.mkdir()
    jobs, _ = batch.plan(sorted(folder.iterdir()), out, in_place=False, budget=Budget(30, None))
    workers = WorkerPool(1)
    try:
        outcomes, _ = batch.run_batch(jobs, workers)
    finally:
        workers.shutdown()
    assert [o.status for o in outcomes] == ["ok", "failed", "ok"]
    assert (
        outcomes[1].message == "b_dies.xlsx: refused: the worker stopped (exit status -9), probably for lack of memory"
    )
    assert cached(out / "c.xlsx") == 6


@needs_fork
def test_the_pool_gives_the_same_files_and_report_as_a_process_per_file(tmp_path: Path):
    formulas = {f"b{i}.xlsx": f"VNG_RAMING(A1*{i + 1},&quot;A&quot;,2027)" for i in range(4)}
    formulas["c_bad.xlsx"] = "OFFSET(A1,A1,0)"
    folder = folder_of(tmp_path, formulas)
    (folder / "d_not_a_zip.xlsx").write_bytes(b"not a zip")
    results = {}
    for how in ("per-file", "pool"):
        out = tmp_path / how
        out.mkdir()
        jobs, _ = batch.plan(sorted(folder.iterdir()), out, in_place=False, budget=Budget(60, 1024))
        executor = WorkerPool(2) if how == "pool" else None
        try:
            outcomes, _ = batch.run_batch(jobs, executor)
        finally:
            if executor is not None:
                executor.shutdown()
        batch.write_report(tmp_path / f"{how}.json", outcomes, 0.0, False)
        report = without_timings(json.loads((tmp_path / f"{how}.json").read_text()))
        for f in report["files"]:
            f["output"] = f["output"] and Path(f["output"]).name
        results[how] = report, {p.name: p.read_bytes() for p in out.iterdir()}
    assert results["pool"] == results["per-file"]
    assert [f["status"] for f in results["pool"][0]["files"]] == ["ok"] * 4 + ["incomplete", "failed"]


# ---------------------------------------------------------------- the report as files finish


def test_the_report_holds_every_finished_file_when_the_batch_is_killed(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    first = book(folder / "b000.xlsx", "A1+1")
    for i in range(1, 200):
        shutil.copy(first, folder / f"b{i:03}.xlsx")
    out, report = tmp_path / "out", tmp_path / "report.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "vng_xl", "recalc", str(folder), "--out", str(out), "--jobs", "1"]
        + ["--report", str(report)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.time() + 90
    while time.time() < deadline and len(list(out.glob("*.xlsx"))) < 5 and proc.poll() is None:
        time.sleep(0.01)
    proc.kill()  # SIGKILL: no chance to write anything more
    proc.communicate(timeout=60)
    data = json.loads(report.read_text())
    listed = {Path(f["path"]).name for f in data["files"]}
    written = {p.name for p in out.glob("*.xlsx")}
    assert data["summary"]["finished"] is False and data["summary"]["files"] == len(listed) >= 3
    # not yet listed: at most one file of each of the pool's two threads, between its rename and the report
    assert listed <= written and len(written - listed) <= 2
    assert all(f["status"] == "ok" for f in data["files"])
    for name in written:
        with zipfile.ZipFile(out / name) as zf:
            assert zf.testzip() is None


def test_the_finished_report_says_so(tmp_path: Path):
    folder = folder_of(tmp_path, {"a.xlsx": "A1+1", "b.xlsx": "A1+2"})
    assert main(["recalc", str(folder), "--out", str(tmp_path / "out"), "--report", str(tmp_path / "r.json")]) == 0
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["summary"]["finished"] is True and [Path(f["path"]).name for f in data["files"]] == ["a.xlsx", "b.xlsx"]


def test_an_unwritable_report_is_refused_before_any_work(tmp_path: Path, capsys):
    folder = folder_of(tmp_path, {"a.xlsx": "A1+1"})
    out = tmp_path / "out"
    rc = main(["recalc", str(folder), "--out", str(out), "--report", str(tmp_path / "no" / "such" / "r.json")])
    assert rc == 3
    assert not out.exists()
    assert "vng-xl recalc:" in capsys.readouterr().err


# ---------------------------------------------------------------- on a Dask cluster


@pytest.fixture(scope="module")
def scheduler():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def test_a_dask_cluster_gives_the_same_files_and_report_as_a_local_run(tmp_path: Path, scheduler, monkeypatch):
    formulas = {f"b{i}.xlsx": f"VNG_RAMING(A1*{i + 1},&quot;A&quot;,2027)" for i in range(3)}
    formulas["c_bad.xlsx"] = "OFFSET(A1,A1,0)"
    formulas["d_trunc.xlsx"] = SLOW
    folder_of(tmp_path, formulas)
    monkeypatch.chdir(tmp_path)  # relative paths: the report names the files as the command line did
    results = {}
    for how, extra in (("local", ["--jobs", "2"]), ("dask", ["--scheduler", scheduler])):
        args = ["recalc", "in", "--out", f"out-{how}", "--report", f"{how}.json", "--time-limit", "3", *extra]
        assert main(args) == 1
        report = without_timings(json.loads(Path(f"{how}.json").read_text()))
        for f in report["files"]:
            f["output"] = f["output"] and f["output"].replace(f"out-{how}", "OUT")
        results[how] = report, {p.name: p.read_bytes() for p in Path(f"out-{how}").iterdir()}
    assert results["dask"] == results["local"]
    statuses = {Path(f["path"]).name: f["status"] for f in results["dask"][0]["files"]}
    assert statuses == {
        "b0.xlsx": "ok",
        "b1.xlsx": "ok",
        "b2.xlsx": "ok",
        "c_bad.xlsx": "incomplete",
        "d_trunc.xlsx": "failed",
    }


def test_a_scheduler_that_does_not_answer_is_one_line_and_nothing_written(tmp_path: Path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    from vng_xl.recalc import cluster

    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 0.5)
    folder = folder_of(tmp_path, {"a.xlsx": "A1+1"})
    out, report = tmp_path / "out", tmp_path / "r.json"
    for address in ("tcp://127.0.0.1:1", "no-port-here"):
        rc = main(["recalc", str(folder), "--out", str(out), "--report", str(report), "--scheduler", address])
        captured = capsys.readouterr()
        assert rc == 2
        assert captured.out == ""
        [line] = captured.err.splitlines()
        assert line.startswith(f"vng-xl recalc: --scheduler {address}: no Dask scheduler answers at this address")
        assert not out.exists() and not report.exists()
