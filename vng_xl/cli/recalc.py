"""The `vng-xl eval` and `vng-xl recalc` sub-commands (argparse setup and handlers)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from vng_xl.cli.arguments import CountAction
from vng_xl.cli.paths import input_file, output_folder
from vng_xl.errors import EXIT_INTERRUPTED, EXIT_NOT_CLEAN, EXIT_OK, BadParameter, FormulaProblem

#: The per-file budget of a batch unless --time-limit / --memory-limit say otherwise (README: Limits).
DEFAULT_SECONDS = 600.0
DEFAULT_MEMORY_MIB = 4096

#: The thread counts of numpy's BLAS: a batch runs its files in parallel processes, one thread each.
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def add_parser(subparsers) -> None:
    """Register both sub-commands (the hook vng_xl.cli calls for each module in SUBCOMMANDS)."""
    add_eval_parser(subparsers)
    add_recalc_parser(subparsers)


# ---------------------------------------------------------------- eval


def add_eval_parser(subparsers) -> argparse.ArgumentParser:
    """`vng-xl eval FORMULA [--nl] [--json]`."""
    p = subparsers.add_parser(
        "eval",
        help="evaluate one Excel formula with the VNG functions",
        description=(
            "Evaluate one Excel formula as stored in files (en-US: ',' between arguments, "
            "{1,2;3,4} for array constants) with the VNG functions available. --nl reads Dutch "
            "notation: ';' between arguments, numbers as 1.000,5 ('.' groups thousands, ',' is the "
            "decimal sign; 1.5 is refused as ambiguous), {1\\2;3\\4} for array constants, "
            "Dutch function names such as SOM and AFRONDEN."
        ),
    )
    p.add_argument("formula", metavar="FORMULA", help='the formula, e.g. "=ROUND(VNG_RAMING(1000,\\"A\\",2027),2)"')
    p.add_argument("--nl", action="store_true", help="the formula is in Dutch notation")
    p.add_argument("--json", action="store_true", help="print the result as JSON (a value, or a list of rows)")
    p.set_defaults(func=eval_command)
    return p


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _json_value(value: object) -> object:
    from vng_xl.ooxml.sheet_xml import ExcelError

    if isinstance(value, ExcelError):
        return str(value)
    return value


def eval_command(args: argparse.Namespace) -> int:
    """Print the formula's value; a formula that cannot be computed raises FormulaProblem (English message)."""
    from vng_xl.ooxml.sheet_xml import ExcelError
    from vng_xl.recalc.engine import evaluate

    result = evaluate(args.formula, dutch=args.nl)
    if result.messages:
        raise FormulaProblem("; ".join(f"{msg.function}: {msg.en}" for msg in result.messages))
    errors = sorted({str(v) for row in result.block for v in row if isinstance(v, ExcelError)})
    if isinstance(result.value, ExcelError):
        raise FormulaProblem(f"the formula gives the Excel error {result.value}")
    if args.json:
        import json

        value = result.value
        out = [[_json_value(v) for v in row] for row in value] if isinstance(value, list) else _json_value(value)
        print(json.dumps(out, ensure_ascii=False))
    elif isinstance(result.value, list):
        for row in result.value:
            print("\t".join(_text(v) for v in row))
    else:
        print(_text(result.value))
    if errors:
        print(f"vng-xl eval: the result holds Excel errors: {', '.join(errors)}", file=sys.stderr)
    return EXIT_OK


# ---------------------------------------------------------------- recalc


def add_recalc_parser(subparsers) -> argparse.ArgumentParser:
    """`vng-xl recalc PATH... [--out DIR | --in-place] [--jobs N] [--report FILE]`."""
    p = subparsers.add_parser(
        "recalc",
        help="recalculate workbooks without Excel, changing only formula cells' cached values",
        description=(
            "Recalculate the formulas of workbooks (files, or folders of .xlsx/.xlsm files) and write "
            "the results as the formula cells' cached values. Everything else in each file stays as it "
            "was. Formulas that cannot be computed are reported and keep their cached values. "
            "Exit status 0 when every file succeeded, 1 otherwise."
        ),
    )
    p.add_argument("paths", nargs="+", metavar="PATH", type=Path, help="workbook or folder of workbooks")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--out", type=Path, metavar="DIR", help="write the results into DIR (default: recalculated/)")
    where.add_argument("--in-place", action="store_true", help="replace each workbook atomically")
    p.add_argument("--no-backup", action="store_true", help="with --in-place: keep no NAME.bak copy")
    p.add_argument(
        "--jobs",
        action=CountAction,
        default=os.cpu_count() or 1,
        metavar="N",
        help="worker processes (default: the number of cores)",
    )
    p.add_argument("--report", type=Path, metavar="FILE", help="write the outcome per file as JSON")
    p.add_argument(
        "--engine",
        choices=("formulas", "excel", "libreoffice"),
        default="formulas",
        help="'excel' recalculates in a hidden Excel through xlwings (Windows, macOS); 'libreoffice' in one "
        "headless LibreOffice with the VNG add-in",
    )
    p.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="with --engine libreoffice: a profile where `vng-xl libreoffice install --profile DIR` put the "
        "add-in (default: a private one, the add-in installed afresh)",
    )
    p.add_argument(
        "--time-limit",
        type=float,
        default=DEFAULT_SECONDS,
        metavar="SECONDS",
        help=f"per file: stop and refuse a file after this many seconds (default {DEFAULT_SECONDS:g}; 0: no limit)",
    )
    p.add_argument(
        "--memory-limit",
        type=int,
        default=DEFAULT_MEMORY_MIB,
        metavar="MIB",
        help=f"per file: refuse a file that needs more memory than this (default {DEFAULT_MEMORY_MIB}; 0: no limit)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the files on the Dask cluster of this scheduler (e.g. tcp://10.0.0.5:8786; needs "
        "vng_xl[dask], vng_xl on the workers and the files at the same paths there)",
    )
    p.set_defaults(func=recalc_command, exits_at_once=exits_at_once)
    return p


def exits_at_once(args: argparse.Namespace) -> bool:
    """Whether the process may end right after the batch (vng_xl.cli.run): with the built-in engine
    every file, report and worker is closed by then; Excel (atexit) and a cluster client are not."""
    return args.engine == "formulas" and not args.scheduler


def recalc_command(args: argparse.Namespace) -> int:
    """Run the batch, print one line per file, optionally write the JSON report."""
    startup = ExitStack()
    startup.enter_context(starting())
    try:
        return _recalc(args, started=startup.close)
    finally:
        startup.close()


def _recalc(args: argparse.Namespace, started) -> int:
    """recalc_command's work; `started()` ends the start-up once the workers are there."""
    from vng_xl.ooxml.writer import check_writable
    from vng_xl.recalc.batch import LiveReport, ProgressBar, collect, default_executor, plan, run_batch
    from vng_xl.recalc.budget import Budget

    if args.engine == "excel":
        from vng_xl.recalc.excel_engine import excel_available

        if not excel_available():
            raise BadParameter(
                argument="--engine excel",
                reason_nl="vraagt Microsoft Excel (Windows of macOS)",
                reason_en="needs Microsoft Excel (Windows or macOS)",
            )
    start = time.perf_counter()
    for path in args.paths:  # a path that is not there is a typo, refused before anything starts
        if not path.exists():
            input_file(path)
    files = collect(args.paths)
    if not files:
        raise BadParameter(
            argument=" ".join(map(str, args.paths)),
            reason_nl="geen werkmappen (.xlsx, .xlsm) gevonden",
            reason_en="no workbooks (.xlsx, .xlsm) found",
        )
    if args.report:
        check_writable(args.report)
    client = _cluster(args) if args.scheduler else None  # an address that does not answer: refused before any write
    try:
        out_dir = None
        if not args.in_place:
            out_dir = output_folder(args.out or Path("recalculated"))
        budget = Budget(args.time_limit or None, args.memory_limit or None)
        jobs, refused = plan(
            files, out_dir, args.in_place, backup=not args.no_backup, engine=args.engine, budget=budget
        )
        if args.engine == "libreoffice":
            started()
            from vng_xl.recalc.libreoffice_engine import run_batch_libreoffice

            outcomes = refused + run_batch_libreoffice(jobs, args.profile)
            return _finish(args, outcomes, time.perf_counter() - start, interrupted=False)
        report = LiveReport(args.report, refused) if args.report else None
        named = None
        if client is not None:
            from vng_xl.recalc import cluster

            executor, submitted, named = client.get_executor(), cluster.absolute(jobs), cluster.as_given(jobs)
        else:
            workers = 1 if args.engine == "excel" else max(1, min(args.jobs, len(jobs)))
            executor, submitted = default_executor(workers, args.engine), jobs
        started()
        bar = ProgressBar()
        finished = report if named is None or report is None else (lambda o: report(named(o)))
        try:
            outcomes, interrupted = run_batch(submitted, executor, bar if bar.active else None, finished=finished)
        finally:
            bar.close()
            if client is not None:
                executor.shutdown(wait=True)  # the cluster's executor takes no cancel_futures
            elif executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)
        if named is not None:
            outcomes = [named(o) for o in outcomes]
        outcomes = refused + outcomes
        return _finish(args, outcomes, time.perf_counter() - start, interrupted)
    finally:
        if client is not None:
            client.close()


@contextmanager
def starting():
    """The batch's start-up (loading the modules, forking the workers) without the cyclic garbage
    collector, which finds next to nothing there, and numpy, when first imported within, with one
    BLAS thread unless the environment says otherwise: the workers of a batch share the cores
    already, and setting up a thread per core is a good part of numpy's import. The environment
    and the collector are left as they were."""
    added = [] if "numpy" in sys.modules else [name for name in BLAS_THREADS if name not in os.environ]
    os.environ.update(dict.fromkeys(added, "1"))
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
        for name in added:
            os.environ.pop(name, None)


def _cluster(args: argparse.Namespace):
    """The Dask client for --scheduler (the headless engine only)."""
    from vng_xl.recalc import cluster

    if args.engine != "formulas":
        raise BadParameter(
            argument="--scheduler",
            reason_nl="werkt alleen met --engine formulas",
            reason_en="works with --engine formulas only",
        )
    return cluster.connect(args.scheduler)


def _finish(args: argparse.Namespace, outcomes: list, seconds: float, interrupted: bool) -> int:
    """Print one line per file and the total, write the report; the exit code."""
    from vng_xl.recalc.batch import write_report

    for o in outcomes:
        print(o.summary())
    failed = [o for o in outcomes if not o.ok]
    print(f"{len(outcomes)} files, {len(outcomes) - len(failed)} ok, {len(failed)} not ok, {seconds:.2f} s")
    if args.report:
        write_report(args.report, outcomes, seconds, interrupted)
    if interrupted:
        print("vng-xl recalc: interrupted; files not done are listed above", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_NOT_CLEAN if failed else EXIT_OK
