"""Recalculating many workbooks: one pure job per file, spread over any concurrent.futures executor.

`run_job` takes a Job (paths in) and returns a RecalcOutcome (outcome out); it never raises for a
bad file. `run_batch` submits jobs to an executor: a WorkerPool of long-lived workers by default
(vng_xl/recalc/pool.py), or anything with the same interface, such as the executor of a Dask cluster
(vng_xl/recalc/cluster.py), with no change to the work itself.
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from vng_xl.errors import VngError
from vng_xl.ooxml.package import Package, PackageError
from vng_xl.ooxml.writer import check_writable, write_file
from vng_xl.recalc import RecalcOutcome, recalc_file
from vng_xl.recalc.budget import Budget, OverBudget, can_bound, run_bounded
from vng_xl.recalc.pool import WorkerPool, evaluate_untrusted

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class Job:
    """One workbook to recalculate: where it is, where the result goes, and whether to keep a backup."""

    src: Path
    dst: Path
    backup: Path | None = None
    engine: str = "formulas"
    budget: Budget | None = None  # time and memory for this file (the headless engine only)


def collect(paths: Iterable[Path | str]) -> list[Path]:
    """Workbooks named or found in the folders given (a folder's .xlsx/.xlsm files, sorted)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            with os.scandir(p) as entries:  # is_file() from the folder listing: no stat but for links
                names = [e.name for e in entries if _suffix(e.name) in WORKBOOK_SUFFIXES and e.is_file()]
            out.extend(p / name for name in sorted(names))
        else:
            out.append(p)
    real = real_paths()
    seen: set[str] = set()
    unique = []
    for p in out:
        key = real(p)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def _suffix(name: str) -> str:
    """Path(name).suffix (pathlib's rule), lower case."""
    i = name.rfind(".")
    return name[i:].lower() if 0 < i < len(name) - 1 else ""


def real_paths() -> Callable[[Path | str], str]:
    """os.path.realpath for many paths at one moment: each folder resolved once, a name that is not
    a symbolic link appended to its folder's real path (what realpath gives it on POSIX), a link
    resolved. Elsewhere (Windows: realpath also gives a name its case on disk) realpath itself."""
    if os.name != "posix":
        return os.path.realpath
    folders: dict[str, str] = {}

    def real(path: Path | str) -> str:
        text = os.fspath(path)
        folder, name = os.path.split(text)
        if name in ("", ".", "..") or os.path.islink(text):
            return os.path.realpath(text)
        if folder not in folders:
            folders[folder] = os.path.realpath(folder or os.curdir)
        return os.path.join(folders[folder], name)

    return real


def plan(
    files: list[Path],
    out_dir: Path | None,
    in_place: bool,
    backup: bool = True,
    engine: str = "formulas",
    budget: Budget | None = None,
):
    """Jobs for the files, and failed outcomes for those that cannot get a target (duplicate names)."""
    jobs: list[Job] = []
    refused: list[RecalcOutcome] = []
    taken: dict[str, Path] = {}
    realpath = real_paths()
    for src in files:
        if in_place:
            dst = src
            real = realpath(dst)
        else:
            dst = out_dir / src.name
            real = realpath(dst)
            if real == realpath(src):  # writer.same_file, with dst's real path kept for below
                refused.append(_failed(src, f"{src.name}: --out would overwrite the original; use --in-place"))
                continue
        if real in taken:
            refused.append(_failed(src, f"{src.name}: same output name as {taken[real]}"))
            continue
        taken[real] = src
        bak = src.with_name(src.name + ".bak") if in_place and backup else None
        jobs.append(Job(src, dst, bak, engine, budget))
    return jobs, refused


def _failed(src: Path, message: str) -> RecalcOutcome:
    return RecalcOutcome(path=str(src), status="failed", message=message)


def run_job(job: Job, evaluate: Callable | None = None) -> RecalcOutcome:
    """Recalculate one workbook; bad input becomes a failed outcome with a one-line message.

    The file is read and written here; its evaluation runs within the job's budget in a forked
    child, or through `evaluate(pkg, updates, budget)` (a long-lived worker of a WorkerPool), which
    returns what evaluate_untrusted does.
    """
    start = time.perf_counter()
    try:
        if job.engine != "formulas":  # recalc_file checks the target itself, first thing under its lock
            check_writable(job.dst)
        if job.engine == "excel":
            from vng_xl.recalc.excel_engine import recalc_file_excel as recalc
        else:
            recalc = recalc_file
        if job.engine == "formulas" and evaluate is not None:
            bounded = functools.partial(_evaluate_by, evaluate=evaluate, budget=job.budget)
            outcome = recalc_file(job.src, job.dst, backup=job.backup, evaluate=bounded)
        elif job.engine == "formulas" and job.budget is not None and can_bound():
            bounded = functools.partial(_evaluate_within_budget, budget=job.budget)
            outcome = recalc_file(job.src, job.dst, backup=job.backup, evaluate=bounded)
        else:
            outcome = recalc(job.src, job.dst, backup=job.backup)
    except OverBudget as exc:
        outcome = _failed(job.src, f"{job.src.name}: refused: {exc}")
    except _RefusedInChild as exc:
        outcome = _failed(job.src, str(exc))
    except PackageError as exc:
        outcome = _failed(job.src, str(exc))
    except VngError as exc:  # the writer's refusals: locked, changed meanwhile, disk full, ...
        outcome = _failed(job.src, exc.en)
    except ValueError as exc:
        outcome = _failed(job.src, f"{job.src.name}: {exc}")
    except Exception as exc:  # one bad file must not stop the batch
        outcome = _failed(job.src, f"{job.src.name}: internal error: {type(exc).__name__}: {exc}")
    outcome.seconds = round(time.perf_counter() - start, 4)
    return outcome


class _RefusedInChild(Exception):
    """A file the budgeted child refused; the message is the outcome's."""


def _evaluate_within_budget(pkg: Package, updates, budget: Budget) -> tuple[RecalcOutcome, dict[str, bytes]]:
    """evaluate_package for recalc_file, in a forked child with the job's time and memory budget."""
    return _evaluated(pkg, run_bounded(evaluate_untrusted, pkg, updates, budget=budget))


def _evaluate_by(pkg: Package, updates, evaluate: Callable, budget: Budget | None):
    """evaluate_package for recalc_file through a pool worker's evaluate."""
    return _evaluated(pkg, evaluate(pkg, updates, budget))


def _evaluated(pkg: Package, result: tuple) -> tuple[RecalcOutcome, dict[str, bytes]]:
    """What evaluate_untrusted returned, for recalc_file: the members the child checked count as
    checked here (the same bytes were checked), a refusal is raised."""
    if result[0] == "failed":
        raise _RefusedInChild(result[1])
    for name in result[3]:
        pkg.checked(name)
    return result[1], result[2]


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the parent, which stops handing out work and lets running files finish."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def default_executor(jobs: int, engine: str = "formulas") -> cf.Executor | None:
    """A pool of `jobs` long-lived workers (WorkerPool: imports paid once, each file within its budget),
    a process pool where processes cannot be forked, or None (run here) for one job without fork."""
    if engine == "formulas" and can_bound():
        return WorkerPool(jobs)
    if jobs <= 1:
        return None
    return cf.ProcessPoolExecutor(max_workers=jobs, initializer=_ignore_sigint)


def run_batch(
    jobs: list[Job],
    executor: cf.Executor | None = None,
    progress: Callable[[int, int, RecalcOutcome], None] | None = None,
    finished: Callable[[RecalcOutcome], None] | None = None,
) -> tuple[list[RecalcOutcome], bool]:
    """Run the jobs (on the executor, or here one by one); return outcomes in job order and whether
    the batch was interrupted (Ctrl-C: running files finish, the rest are reported as not done).

    `finished(outcome)` is called as soon as each file is done, in the thread that did it, before
    that thread takes the next file (the live report); `progress` in this thread, after it."""
    results: dict[int, RecalcOutcome] = {}
    interrupted = False

    def outcome_of(fut: cf.Future, i: int) -> RecalcOutcome:
        try:
            return fut.result()
        except Exception as exc:  # a worker died (e.g. killed, out of memory)
            return _failed(jobs[i].src, f"{jobs[i].src.name}: worker failed: {exc}")

    def when_done(i: int) -> Callable[[cf.Future], None]:
        return lambda fut: None if fut.cancelled() else finished(outcome_of(fut, i))

    try:
        if executor is None:
            for i, job in enumerate(jobs):
                results[i] = run_job(job)
                if finished:
                    finished(results[i])
                if progress:
                    progress(len(results), len(jobs), results[i])
        else:
            futures: dict[cf.Future, int] = {}
            try:
                for i, job in enumerate(jobs):  # Ctrl-C while submitting: the files already handed out count
                    fut = executor.submit(run_job, job)
                    futures[fut] = i
                    if finished:
                        fut.add_done_callback(when_done(i))
                if progress is None:  # woken once at the end, not once a file
                    cf.wait(futures)
                for fut in futures if progress is None else cf.as_completed(futures):
                    i = futures[fut]
                    results[i] = outcome_of(fut, i)
                    if progress:
                        progress(len(results), len(jobs), results[i])
            except KeyboardInterrupt:
                interrupted = True
                for fut in futures:
                    fut.cancel()
                for fut, i in futures.items():
                    if not fut.cancelled() and i not in results:
                        try:
                            results[i] = fut.result()
                        except BaseException:
                            pass
    except KeyboardInterrupt:
        interrupted = True
    outcomes = [
        results.get(i) or _failed(job.src, f"{job.src.name}: not done (interrupted)") for i, job in enumerate(jobs)
    ]
    return outcomes, interrupted


class ProgressBar:
    """A one-line progress bar on standard error, drawn only on a terminal."""

    def __init__(self, stream=None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.active = hasattr(self.stream, "isatty") and self.stream.isatty()

    def __call__(self, done: int, total: int, outcome: RecalcOutcome) -> None:
        if not self.active:
            return
        filled = int(self.width * done / max(total, 1))
        name = Path(outcome.path).name[:40]
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} {name:<40}")
        self.stream.flush()

    def close(self) -> None:
        if self.active:
            self.stream.write("\r" + " " * (self.width + 60) + "\r")
            self.stream.flush()


class LiveReport:
    """The --report kept up to date while the batch runs, so that a batch killed midway leaves a valid
    report of the files finished until then ("finished": false in its summary).

    Each rewrite is atomic (write_file). It follows every file while the report is short, and once
    it is long, every `1 / SHARE`-th part of the files finished so far, or after `interval` seconds:
    the bytes written stay within about SHARE + 1 times the final report's size (linear in the
    files, where rewriting after every file is quadratic), and a kill loses at most that last part
    of the listing. Each outcome is put into JSON once."""

    SHARE = 32  # rewrite when the files not yet listed are more than 1/SHARE of those listed

    def __init__(self, path: Path, refused: list[RecalcOutcome], interval: float = 1.0) -> None:
        self.path = path
        self.interval = interval
        self.parts = [_json_part(o) for o in refused]
        self.summary = _Summary()
        for o in refused:
            self.summary.add(o)
        self.listed = -1  # parts in the report on disk (none yet)
        self.written_at = self.start = time.perf_counter()
        self.lock = threading.Lock()

    def __call__(self, outcome: RecalcOutcome) -> None:
        with self.lock:
            self.parts.append(_json_part(outcome))
            self.summary.add(outcome)
            now = time.perf_counter()
            waiting = len(self.parts) - max(self.listed, 0)
            if waiting * self.SHARE >= max(self.listed, self.SHARE) or now - self.written_at >= self.interval:
                self._write(now)

    def _write(self, now: float) -> None:
        import json

        summary = self.summary.as_dict(now - self.start, interrupted=False, finished=False)
        files = ",\n".join(self.parts)
        text = '{\n  "files": [\n' + files + ("\n" if files else "") + '  ],\n  "summary": '
        text += json.dumps(summary, indent=2).replace("\n", "\n  ") + "\n}\n"
        write_file(self.path, text.encode("utf-8"))
        self.listed, self.written_at = len(self.parts), now


def _json_part(outcome: RecalcOutcome) -> str:
    """One outcome as write_report lays it out among the files."""
    import json

    return "    " + json.dumps(outcome.to_dict(), indent=2, ensure_ascii=False).replace("\n", "\n    ")


class _Summary:
    """The report's summary, counted as the outcomes come in."""

    def __init__(self) -> None:
        self.files = self.ok = self.incomplete = self.failed = self.formula_cells = self.changed = 0

    def add(self, o: RecalcOutcome) -> None:
        self.files += 1
        self.ok += o.ok
        self.incomplete += o.status == "incomplete"
        self.failed += o.status == "failed"
        self.formula_cells += o.formula_cells
        self.changed += o.changed

    def as_dict(self, seconds: float, interrupted: bool, finished: bool) -> dict:
        return {
            "files": self.files,
            "ok": self.ok,
            "incomplete": self.incomplete,
            "failed": self.failed,
            "formula_cells": self.formula_cells,
            "changed": self.changed,
            "seconds": round(seconds, 3),
            "interrupted": interrupted,
            "finished": finished,
        }


def write_report(
    path: Path, outcomes: list[RecalcOutcome], seconds: float, interrupted: bool, finished: bool = True
) -> None:
    """The per-file outcomes and a summary as JSON; `finished` is false while the batch still runs."""
    import json

    summary = _Summary()
    for o in outcomes:
        summary.add(o)
    data = {"files": [o.to_dict() for o in outcomes], "summary": summary.as_dict(seconds, interrupted, finished)}
    write_file(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
