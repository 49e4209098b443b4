"""A budget of time and memory for one piece of work: run it in a child process of its own, with its
address space limited (RLIMIT_AS) and killed when its time is up, so that one hostile workbook in a
batch cannot take the machine down. Where processes cannot be forked (Windows) the work runs here,
unbounded.
"""

from __future__ import annotations

import importlib.machinery
import multiprocessing as mp
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows
    resource = None


@dataclass(frozen=True)
class Budget:
    """Wall-clock seconds and memory (MiB beyond what the program itself already uses) for one job."""

    seconds: float | None = None  # None: no limit (the command line sets its defaults)
    memory_mib: int | None = None


class OverBudget(Exception):
    """The work was stopped: it needed more time or memory than its budget."""


def can_bound() -> bool:
    """Whether work can run in a forked child with a memory limit here."""
    return resource is not None and "fork" in mp.get_all_start_methods()


def address_space() -> int:
    """This process's current virtual size in bytes (what RLIMIT_AS counts)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


#: Modules of the program that a budgeted process may load only when a file needs them (the per-cell
#: evaluator loads `formulas`; its statistics functions scipy): loading them is the program's memory,
#: not the file's.
PROGRAM_MODULES = frozenset({"vng_xl.recalc.engine", "scipy", "scipy.stats", "scipy.linalg", "scipy.interpolate"})


class _ProgramLoader:
    """Runs a module of the program with the memory limit lifted, then gives the file its whole budget
    again on top of what the module took. (A loader and a finder by what they do, not by importlib.abc,
    whose import pulls in importlib.resources at every batch's start.)"""

    def __init__(self, loader) -> None:
        self.loader = loader

    def __getattr__(self, name: str) -> object:  # get_source and the rest: the real loader's
        return getattr(self.loader, name)

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        before = address_space()
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
        try:
            self.loader.exec_module(module)
        finally:
            _set_soft_limit(soft if soft == resource.RLIM_INFINITY else soft + max(0, address_space() - before))


class _ProgramFinder:
    def invalidate_caches(self) -> None:
        pass

    def find_spec(self, name, path, target=None):
        if name not in PROGRAM_MODULES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _ProgramLoader(spec.loader)
        return spec


def load_program_unbounded() -> None:
    """In a budgeted process: the program's own modules load outside the file's memory budget."""
    if resource is not None and not any(isinstance(f, _ProgramFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _ProgramFinder())


def limit_memory(memory_mib: int) -> None:
    """Limit this process's address space to its current size plus memory_mib (the soft limit: the
    program's own modules are loaded beyond it, load_program_unbounded)."""
    _set_soft_limit(address_space() + memory_mib * 2**20)


def _set_soft_limit(limit: int) -> None:
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))


def _child(conn, budget: Budget, fn: Callable, args: tuple) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if budget.memory_mib is not None:
        load_program_unbounded()
        limit_memory(budget.memory_mib)
    try:
        result = ("done", fn(*args))
    except MemoryError:
        result = ("memory", None)
    try:
        conn.send(result)
    except MemoryError:
        conn.send(("memory", None))
    conn.close()


def run_bounded(fn: Callable, *args, budget: Budget):
    """fn(*args) within the budget; raise OverBudget when it runs out of time or memory.

    fn must return a picklable value and catch its own exceptions (MemoryError excepted).
    """
    if not can_bound() or (budget.seconds is None and budget.memory_mib is None):
        return fn(*args)
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, budget, fn, args), daemon=True)
    proc.start()
    child.close()
    timeout = budget.seconds
    ready, result = False, None
    try:
        ready = parent.poll(timeout)
        if ready:
            try:
                result = parent.recv()
            except EOFError:  # the child died without a word
                result = None
    finally:
        if result is None:
            proc.kill()
        proc.join()
        parent.close()
    if not ready:
        raise OverBudget(f"over the time budget of {budget.seconds:g} s")
    if result is None:
        raise OverBudget(f"the worker stopped (exit status {proc.exitcode}), probably for lack of memory")
    if result[0] == "memory":
        raise OverBudget(f"over the memory budget of {budget.memory_mib} MiB")
    return result[1]
