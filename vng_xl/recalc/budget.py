"""A budget of time and memory for one piece of work: run it in a child process of its own, with its
address space limited (RLIMIT_AS) and killed when its time is up, so that one hostile workbook in a
batch cannot take the machine down. Where processes cannot be forked (Windows) the work runs here,
unbounded.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
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


def _child(conn, budget: Budget, fn: Callable, args: tuple) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if budget.memory_mib is not None:
        limit = address_space() + budget.memory_mib * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
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
