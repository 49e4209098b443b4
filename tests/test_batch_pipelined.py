"""A worker of the pool is handed its next file while it evaluates the current one: each file still
gets its own result, its own time budget from its own start, and a file queued behind one that
kills or stalls the worker is evaluated again by the new worker."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.test_limits import book, cached
from vng_xl.recalc import batch, pool
from vng_xl.recalc.budget import Budget

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the pool needs fork and resource limits")


def books(tmp_path: Path, names: list[str]) -> list[Path]:
    """One workbook per name; the i-th computes A1 = 100 + i, so that each result can be told apart."""
    folder = tmp_path / "in"
    folder.mkdir()
    return [
        book(folder / f"{name}.xlsx", f'<row r="1"><c r="A1"><f>100+{i}</f><v>0</v></c></row>')
        for i, name in enumerate(names)
    ]


def run_in_pool(tmp_path: Path, files: list[Path], budget: Budget, workers: int = 1):
    out = tmp_path / "out"
    out.mkdir()
    jobs, _ = batch.plan(files, out, in_place=False, budget=budget)
    executor = pool.WorkerPool(workers)
    try:
        outcomes, _ = batch.run_batch(jobs, executor)
    finally:
        executor.shutdown(wait=True)
    return out, outcomes


def patched(monkeypatch, behaviour):
    """evaluate_package in the workers (forked after this) doing `behaviour(name)` first."""
    real = pool.evaluate_package

    def evaluate(pkg, updates=None):
        behaviour(pkg.path.stem)
        return real(pkg, updates)

    monkeypatch.setattr(pool, "evaluate_package", evaluate)


def test_every_file_gets_its_own_result_when_files_wait_in_the_pipe(tmp_path):
    names = [f"f{i:02}" for i in range(12)]
    out, outcomes = run_in_pool(tmp_path, books(tmp_path, names), Budget(seconds=60), workers=2)
    assert [o.status for o in outcomes] == ["ok"] * 12
    assert [cached(out / f"{n}.xlsx", "A1") for n in names] == [100 + i for i in range(12)]


def test_a_files_time_budget_runs_from_its_own_start_not_from_when_it_was_sent(tmp_path, monkeypatch):
    # Two files of 1 s each on one worker with a budget of 1.6 s: the second waits in the pipe for
    # the first, and counted from its sending it would be over its budget.
    patched(monkeypatch, lambda name: time.sleep(1.0))
    out, outcomes = run_in_pool(tmp_path, books(tmp_path, ["a", "b"]), Budget(seconds=1.6))
    assert [o.status for o in outcomes] == ["ok", "ok"], [o.message for o in outcomes]
    assert [cached(out / f"{n}.xlsx", "A1") for n in "ab"] == [100, 101]


def test_files_queued_behind_a_stalled_file_are_evaluated_by_the_new_worker(tmp_path, monkeypatch):
    patched(monkeypatch, lambda name: time.sleep(60) if name == "stall" else None)
    names = ["first", "stall", "after1", "after2", "after3"]
    start = time.monotonic()
    out, outcomes = run_in_pool(tmp_path, books(tmp_path, names), Budget(seconds=1))
    assert time.monotonic() - start < 30
    by_name = {Path(o.path).stem: o for o in outcomes}
    assert by_name["stall"].message == "stall.xlsx: refused: over the time budget of 1 s"
    ok = [n for n in names if n != "stall"]
    assert [by_name[n].status for n in ok] == ["ok"] * 4
    assert [cached(out / f"{n}.xlsx", "A1") for n in ok] == [100, 102, 103, 104]
    assert sorted(p.stem for p in out.iterdir()) == sorted(ok)


def test_files_queued_behind_one_that_kills_the_worker_are_evaluated_again(tmp_path, monkeypatch):
    patched(monkeypatch, lambda name: os._exit(3) if name.startswith("dies") else None)
    names = ["a", "dies1", "b", "c", "dies2", "d"]
    out, outcomes = run_in_pool(tmp_path, books(tmp_path, names), Budget(seconds=60))
    by_name = {Path(o.path).stem: o for o in outcomes}
    for n in ("dies1", "dies2"):
        assert by_name[n].status == "failed"
        assert (
            by_name[n].message == f"{n}.xlsx: refused: the worker stopped (exit status 3), probably for lack of memory"
        )
    ok = ["a", "b", "c", "d"]
    assert [by_name[n].status for n in ok] == ["ok"] * 4
    assert [cached(out / f"{n}.xlsx", "A1") for n in ok] == [100, 102, 103, 105]
