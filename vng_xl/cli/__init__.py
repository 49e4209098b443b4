"""The `vng-xl` command: argparse, one module function per sub-command group.

Each sub-command module offers `add_parser(subparsers)` that registers its parser with `func=`
set to a handler `(args) -> int` (the exit code). Errors are caught here and nowhere else: each
becomes one English line on standard error, `vng-xl COMMAND: message`, and an exit status from
vng_xl.errors. The command modules import numpy, lxml and the rest inside their handlers, so
`--help` and `--version` answer at once.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys

from vng_xl import __version__
from vng_xl.errors import EXIT_FILE, EXIT_INTERNAL, EXIT_INTERRUPTED, VngError, file_problem

#: Modules whose `add_parser(subparsers)` adds sub-commands, in the order `--help` lists them.
SUBCOMMANDS = (
    "vng_xl.cli.raming",
    "vng_xl.cli.workbook",
    "vng_xl.cli.recalc",
    "vng_xl.cli.controle",
    "vng_xl.cli.gemeenten",
    "vng_xl.cli.export",
    "vng_xl.cli.libreoffice",
)

#: Set to 1 to see the Python traceback of an unexpected error instead of the one-line message.
DEBUG_VARIABLE = "VNG_XL_DEBUG"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vng-xl",
        description="The VNG Kadernota 2026 budget model: tables, formulas, workbooks.",
        epilog="Exit status: 0 done, 1 a real discrepancy or a file not done, 2 bad input, 3 a file "
        "missing, unreadable, unwritable or damaged, 70 an internal error, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"vng-xl {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(name).add_parser(sub)
    return parser


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure becomes one line on standard error and a documented exit status.

    Without `argv` (the command line itself) the process ends right after: the objects it made
    are frozen, so that the collection at exit need not go through them all (numpy's among them)."""
    return _main(build_parser().parse_args(argv), freeze=argv is None)


def run() -> None:
    """The `vng-xl` program: main() on the command line, then the exit. A command that leaves
    nothing for the interpreter's clean-up to do (`exits_at_once`: a batch whose files, report and
    workers are all closed) ends as soon as its output is flushed, skipping the teardown of its modules."""
    args = build_parser().parse_args()
    code = _main(args, freeze=True)
    exits_at_once = getattr(args, "exits_at_once", None)
    if exits_at_once is not None and exits_at_once(args):
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):  # the ordinary exit reports it
            sys.exit(code)
        os._exit(code)
    sys.exit(code)


def _main(args: argparse.Namespace, freeze: bool) -> int:
    try:
        return _run(args)
    finally:
        if freeze:
            gc.freeze()


def _run(args: argparse.Namespace) -> int:
    say = f"vng-xl {args.command}:"
    try:
        return int(args.func(args) or 0)
    except VngError as exc:
        print(say, _one_line(exc.en), file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # the reader of our output stopped (`| head`): the work is done, say nothing
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - Python flushes stdout at exit
        return 0
    except OSError as exc:  # missing file, folder for a file, permission, disk full, read-only
        print(say, _one_line(file_problem(exc).en), file=sys.stderr)
        return EXIT_FILE
    except KeyboardInterrupt:
        print(say, "interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if os.environ.get(DEBUG_VARIABLE, "") not in ("", "0"):
            raise
        detail = _one_line(f"{type(exc).__name__}: {exc}")[:300]
        print(
            say,
            f"internal error ({detail}); please report it with the command you ran "
            f"(set {DEBUG_VARIABLE}=1 to see the details)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    run()
