"""A pool of long-lived worker processes for a batch: the imports are paid once, each file still has
its own time and memory budget.

The batch process reads and writes every file itself; a worker only evaluates (the untrusted part),
with its address space limited to its current size plus the file's memory budget. A worker that
runs past the file's time budget is killed, one that dies or runs out of memory is replaced, and the
file is reported as failed with the reason; the other files go on. A killed worker holds no file and
no lock, so it leaves nothing behind.
"""

from __future__ import annotations

import concurrent.futures as cf
import gc
import multiprocessing as mp
import queue
import signal
import threading

from vng_xl.errors import VngError
from vng_xl.ooxml.package import Package, PackageError
from vng_xl.recalc import evaluate_package
from vng_xl.recalc.budget import Budget, OverBudget, can_bound, limit_memory, load_program_unbounded, resource


def evaluate_untrusted(pkg: Package, updates) -> tuple:
    """The untrusted part of a job, run in a child with a budget: ("done", outcome, sheets, checked)
    or ("failed", message). The parent writes, so a child stopped midway leaves nothing behind.

    The members the written package passes on unchanged are checked here too (CRC, well-formed,
    no DTD), within the budget and mostly on parts the evaluation has read already; `checked` names
    them, so that the parent writes without reading them again (Package.checked)."""
    name = pkg.path.name
    try:
        outcome, sheets = evaluate_package(pkg, updates)
        pkg.check_members(sheets)
        return "done", outcome, sheets, pkg.checked_members
    except PackageError as exc:
        return "failed", str(exc)
    except VngError as exc:
        return "failed", exc.en
    except ValueError as exc:
        return "failed", f"{name}: {exc}"
    except MemoryError:
        raise
    except Exception as exc:
        return "failed", f"{name}: internal error: {type(exc).__name__}: {exc}"


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker when the batch process dies, even in the middle of a file."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _serve(conn) -> None:
    """A worker's loop: evaluate each package sent, until told to stop or the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the batch process's to handle
    gc.enable()  # the batch process forks its workers with its collector off (its start-up)
    _die_with_parent()
    load_program_unbounded()
    unlimited = resource.getrlimit(resource.RLIMIT_AS) if resource is not None else None
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        path, data, updates, memory_mib = request
        if memory_mib is not None and unlimited is not None:
            limit_memory(memory_mib)
        try:
            result = evaluate_untrusted(Package.from_bytes(path, data), updates)
        except MemoryError:
            result = ("memory",)
        finally:
            if memory_mib is not None and unlimited is not None:
                resource.setrlimit(resource.RLIMIT_AS, unlimited)
        try:
            conn.send(result)
        except MemoryError:
            conn.send(("memory",))
        if result[0] == "memory":
            return  # a worker that ran out of memory is not trusted with the next file


class Worker:
    """One worker process and the pipe to it; started afresh after a kill or a death.

    Up to DEPTH files are handed to it at once: the next one waits in the pipe while it evaluates
    the current one, so that it never waits for the batch process between files. Results are read
    in the order the files were sent (tickets); a file's time budget runs from the moment the
    worker is done with the file before it, i.e. from its own start. A file is sent ahead only
    behind files all queued in the same process; after a kill or a death the files not yet
    answered are sent again, each in its turn, to the new process."""

    DEPTH = 2

    def __init__(self) -> None:
        self.proc = None
        self.conn = None
        self.asked = False  # told to stop (ask_to_stop)
        self._turns = threading.Condition()  # guards the fields below, the sending and the replacing
        self._tickets = 0  # files handed to this worker so far
        self._serving = 0  # the ticket whose result is read next
        self._queued: list[int] = []  # tickets sent to the current process and not yet answered
        self.start()

    def start(self) -> None:
        ctx = mp.get_context("fork")
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_serve, args=(child,), daemon=True)
        self.proc.start()
        child.close()
        self._queued = []

    def ask_to_stop(self) -> None:
        """Tell the worker to end after its current file, without waiting for it (stop() then waits)."""
        if self.proc is not None and not self.asked:
            self.asked = True
            try:
                self.conn.send(None)
            except OSError:
                pass

    def stop(self, kill: bool = False) -> None:
        if self.proc is None:
            return
        if kill:
            self.proc.kill()
        else:
            self.ask_to_stop()
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()
        self.proc = self.conn = None
        self.asked = False
        self._queued = []

    def _send(self, ticket: int, request: tuple) -> None:
        """Send a request to the current process (started if there is none); under self._turns. A
        request the process cannot take (it died or was killed meanwhile) is not queued: it is sent
        again in its turn, or its turn finds the pipe closed."""
        if self.proc is None:
            self.start()
        try:
            self.conn.send(request)
        except (OSError, ValueError):
            return
        self._queued.append(ticket)

    def evaluate(self, pkg: Package, updates, budget: Budget | None) -> tuple:
        """What evaluate_untrusted returns for the package, computed in this worker within the budget;
        OverBudget when it is not (the worker is then replaced)."""
        budget = budget or Budget()
        request = (str(pkg.path), pkg.data, updates, budget.memory_mib)
        with self._turns:
            ticket = self._tickets
            self._tickets += 1
            if self.proc is not None and self._queued == list(range(self._serving, ticket)):
                self._send(ticket, request)  # behind the files before it, in the same process
            while self._serving != ticket:
                self._turns.wait()
            if self._queued[:1] != [ticket]:  # not in this process (replaced meanwhile): send it now
                if self._queued:  # cannot happen (sent ahead only behind queued files); start clean
                    self.stop(kill=True)
                self._send(ticket, request)
            conn, proc = self.conn, self.proc
        try:
            try:
                ready = conn.poll(budget.seconds)
                result = conn.recv() if ready else None
            except (EOFError, OSError):
                ready, result = True, None
            if result is not None and result[0] != "memory":
                with self._turns:
                    self._queued.pop(0)
                return result
            code = None
            if result is None:
                proc.kill()  # not under the lock: a thread may be stuck sending to this process
                proc.join()
                code = proc.exitcode
            with self._turns:
                self.stop(kill=True)
        finally:
            with self._turns:
                self._serving += 1
                self._turns.notify_all()
        if not ready:
            raise OverBudget(f"over the time budget of {budget.seconds:g} s")
        if result is None:
            raise OverBudget(f"the worker stopped (exit status {code}), probably for lack of memory")
        raise OverBudget(f"over the memory budget of {budget.memory_mib} MiB")


def load_evaluator() -> None:
    """The evaluator's modules and the VNG functions' built-in Kadernota data, loaded once in the
    batch process before it forks the workers: each worker then has them from the start (shared,
    copy on write) instead of loading them again on its first file."""
    import vng_xl.recalc.workbook  # noqa: F401
    from vng_xl.data import kadernota_2026

    kadernota_2026()


class WorkerPool(cf.Executor):
    """An executor for `run_job`: threads here run `fn(job, evaluate=...)`, reading and writing the
    file themselves and lending the evaluation to one of N worker processes. SLOTS threads a worker,
    so that while it evaluates one file, the next is read and already waits in its pipe
    (Worker.DEPTH) and the last one is written (its two fsyncs wait on the disk). At most SLOTS * N
    files are held in memory at once."""

    SLOTS = 3

    def __init__(self, workers: int) -> None:
        if not can_bound():
            raise RuntimeError("a worker pool needs fork and resource limits")
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        load_evaluator()
        # The workers' collections leave the objects they share with this process alone (fewer to
        # traverse for each file, and their pages stay shared); here they are collected as before.
        gc.freeze()
        try:
            self._workers = [Worker() for _ in range(workers)]  # forked here, before any thread runs
        finally:
            gc.unfreeze()
        self._idle: queue.SimpleQueue = queue.SimpleQueue()
        for w in self._workers * Worker.DEPTH:
            self._idle.put(w)
        self._threads = [threading.Thread(target=self._slot, daemon=True) for _ in range(self.SLOTS * workers)]
        self._closed = False
        for t in self._threads:
            t.start()

    def submit(self, fn, job, /):
        if self._closed:
            raise RuntimeError("the pool is shut down")
        fut: cf.Future = cf.Future()
        self._queue.put((fut, fn, job))
        return fut

    def _evaluate(self, pkg: Package, updates, budget: Budget | None = None) -> tuple:
        worker = self._idle.get()
        try:
            return worker.evaluate(pkg, updates, budget)
        finally:
            self._idle.put(worker)

    def _slot(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                break
            fut, fn, job = item
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                fut.set_result(fn(job, evaluate=self._evaluate))
            except BaseException as exc:
                fut.set_exception(exc)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._closed = True
        if cancel_futures:
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[0].cancel()
        for _ in self._threads:
            self._queue.put(None)
        if wait:
            for t in self._threads:
                t.join()
            for w in self._workers:  # all told first: they end side by side
                w.ask_to_stop()
            for w in self._workers:
                w.stop()
